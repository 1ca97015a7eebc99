"""The shell every part of the UI stands on: words (:mod:`.i18n`), the link's parsers
(:mod:`.urlstate`) and its one state mechanism (:mod:`.linkstate`), caches (:mod:`.caching`), the
screen profile (:mod:`.profile`) and the guarded calls into the engine (:mod:`.engine`).

Imports nothing else of :mod:`pooling_ui` (the import rule: README "Layout")."""
