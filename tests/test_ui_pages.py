"""Every page through Streamlit's AppTest: defaults, a dozen links (bad ones included), a photo.

A page may warn about a bad link value or refuse a pooling the engine refuses — in plain words —
but it never raises, and it never shows the "something went wrong" message that stands for a bug
in a view.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from pooling_ui.views_text import STRINGS as SHARED

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("pages/explorer.py", "pages/gradients.py", "pages/compare.py")
TIMEOUT = 90
BUG_MARK = SHARED["internal_error"].split("(")[0].strip()

VALID_LINKS = [
    {},
    {"kind": "avg", "kernel": "3", "stride": "1", "padding": "1"},
    {"kind": "lp", "p": "3", "input": "ramp"},
    {"kind": "stochastic", "seed": "4", "training": "false", "input": "random"},
    {"kind": "softpool", "padding": "same", "kernel": "3", "stride": "2", "input": "checkerboard"},
    {"kind": "median", "dilation": "2", "stride": "1", "input": "stripes", "input_size": "16"},
    {"kind": "min", "ceil": "true", "input": "ramp", "input_size": "7", "kernel": "3",
     "stride": "2", "padding": "1"},
    {"kind": "avg", "divisor": "3", "input": "random", "input_size": "40", "stride": "1"},
    {"input": "photo", "kind": "weighted", "kernel": "3"},
]
BAD_LINKS = [
    {"kind": "bogus", "kernel": "0"},
    {"kernel": "abc", "stride": "3x", "padding": "-1", "dilation": "zero"},
    {"input": "nope", "ceil": "maybe", "count_include_pad": "2", "divisor": "0"},
    {"kernel": "2", "padding": "2"},
    {"kernel": "3", "dilation": "40", "input": "worked4x4"},
    {"kind": "lp", "p": "-3", "alpha": "7", "seed": "-1", "training": "perhaps"},
]


def run(page: str, query: dict) -> AppTest:
    app = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    app.query_params.update(query)
    app.run()
    return app


def assert_no_bug(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    bugs = [e.value for e in app.error if BUG_MARK in e.value]
    assert not bugs, bugs


def shows_something(app: AppTest) -> bool:
    return bool(app.get("plotly_chart") or app.get("image") or app.dataframe)


@pytest.mark.parametrize("query", VALID_LINKS, ids=lambda q: "&".join(q) or "defaults")
@pytest.mark.parametrize("page", PAGES)
def test_valid_links_render_without_errors(page, query):
    app = run(page, query)
    assert_no_bug(app)
    assert not app.error, [e.value for e in app.error]
    assert shows_something(app)


@pytest.mark.parametrize("query", BAD_LINKS, ids=lambda q: "&".join(q))
@pytest.mark.parametrize("page", PAGES)
def test_bad_links_warn_and_keep_the_page_up(page, query):
    app = run(page, query)
    assert_no_bug(app)
    assert app.warning or app.error, "a bad link value is reported"
    assert shows_something(app), "the page still shows the input or a pooled view"


def test_app_navigation_reaches_every_page():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.run()
    assert_no_bug(app)
    titles = [t.value for t in app.title]
    assert titles == ["Pooling Lab — Explorer"]
    for page, title in (("pages/gradients.py", "Pooling Lab — Gradients"),
                        ("pages/compare.py", "Pooling Lab — Compare")):
        app.switch_page(page).run()
        assert_no_bug(app)
        assert [t.value for t in app.title] == [title]


def test_stochastic_pooling_of_negative_values_is_refused_in_words():
    app = AppTest.from_file(str(ROOT / "pages/explorer.py"), default_timeout=TIMEOUT)
    app.query_params.update({"kind": "stochastic"})
    app.run()
    app.radio(key="in_source").set_value("type").run()
    app.session_state["in_type_editor"] = {"edited_rows": {0: {"1": "-5"}},
                                           "added_rows": [], "deleted_rows": []}
    app.run()
    assert_no_bug(app)
    messages = " ".join(e.value for e in app.error)
    assert "ReLU" in messages, messages


def test_uploaded_photo_is_pooled_in_full_and_shown_downsampled():
    pixels = np.random.default_rng(1).integers(0, 256, size=(900, 1200, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=80)
    app = AppTest.from_file(str(ROOT / "pages/explorer.py"), default_timeout=TIMEOUT)
    app.run()
    app.radio(key="in_source").set_value("upload").run()
    app.file_uploader(key="in_upload").set_value(("phone.jpg", buffer.getvalue(),
                                                  "image/jpeg")).run()
    assert_no_bug(app)
    assert not app.error, [e.value for e in app.error]
    shapes = [m.value for m in app.markdown if m.value.startswith("Shape:")]
    # 2×2 windows with stride 2 halve 900×1200.
    assert shapes and shapes[0].endswith("×450×600"), shapes
    captions = [c for image in app.get("image") for c in image.captions]
    assert any("downsampled for display" in c for c in captions), captions
    # The animation runs on a 16×16 crop, so its figure stays small.
    animated = [c for c in app.get("plotly_chart") if '"frames"' in c.proto.spec]
    assert animated and len(animated[0].proto.spec) < 200_000

