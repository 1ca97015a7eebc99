"""Inputs as data, no widgets: decoding uploaded images (:mod:`.images`), CSV and WAV files
(:mod:`.signals`), and the example inputs (:mod:`.presets`). Below the figures, which turn these
arrays into pictures."""
