"""Building what is drawn: grids of numbers as plotly heatmaps with outlines (:mod:`.grids`),
photos fitted to the screen, outlined and zoomed (:mod:`.pictures`), and the play controls of an
animated figure (:mod:`.player`). Sizes come from :mod:`pooling_ui.base.profile`."""
