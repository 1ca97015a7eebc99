"""The lesson pages (navigation section "Lessons"): Shapes & code (:mod:`.shapes`, its programs
written by :mod:`.codegen`), Conv → ReLU → pool (:mod:`.conv`), Shift invariance (:mod:`.shift`)
and 1-D pooling (:mod:`.pool1d`). Never imported by the tools or the classroom."""
