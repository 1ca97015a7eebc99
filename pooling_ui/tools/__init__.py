"""The tool pages' views (navigation section "Tools"): the Explorer's output (:mod:`.output`) and
animation (:mod:`.animation`), Gradients (:mod:`.gradients`), Compare (:mod:`.compare`), the
PyTorch badge (:mod:`.badge`, the only part that touches :mod:`pooling_core.crosscheck`) and the
exports (:mod:`.export`). Never imported by the lessons or the classroom."""
