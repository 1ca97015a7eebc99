"""The controls several pages share: the input (:mod:`.inputs`) and parameter (:mod:`.params`)
panels, the share box (:mod:`.share`), the projector switch (:mod:`.display`), and the small pieces
the views share (:mod:`.common`: the plane a view works on, a clicked cell, the animated crop)."""
