"""The classroom pages (navigation section "Classroom"): the quiz (:mod:`.quiz`). Never imported
by the tools or the lessons."""
