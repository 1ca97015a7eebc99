"""Real photos for the tests: the small pictures scikit-image ships inside its wheel.

``astronaut.png`` (512×512), ``coffee.png`` (400×600) and ``chelsea.png`` (300×451) are read as
bytes straight from the installed package's ``data`` folder — nothing is downloaded (scikit-image
fetches only its larger pictures at run time, and those are not used here). A test that needs one
is skipped when scikit-image is not installed (it is in ``requirements-dev.txt``).
"""

from __future__ import annotations

from importlib import resources

import pytest

PHOTOS = ("astronaut", "coffee", "chelsea")


def photo_bytes(name: str) -> bytes:
    """The PNG file of scikit-image's bundled photo ``name`` (one of :data:`PHOTOS`)."""
    pytest.importorskip("skimage", reason="scikit-image (requirements-dev.txt) ships the photos")
    return (resources.files("skimage") / "data" / f"{name}.png").read_bytes()


def upload_photo(app, name: str, *, colour: bool = True):
    """Choose the upload source of an AppTest ``app`` and upload photo ``name``; returns app."""
    app.radio(key="in_source").set_value("upload").run()
    if colour and app.session_state["in_rgb"] is not True:
        app.toggle(key="in_rgb").set_value(True).run()
    app.file_uploader(key="in_upload").set_value((f"{name}.png", photo_bytes(name),
                                                  "image/png")).run()
    return app
