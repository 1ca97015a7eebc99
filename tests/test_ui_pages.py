"""Every page through Streamlit's AppTest: defaults, a dozen links (bad ones included), a photo.

A page may warn about a bad link value or refuse a pooling the engine refuses — in plain words —
but it never raises, and it never shows the "something went wrong" message that stands for a bug
in a view.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from ui_support import PAGES, ROOT, TOOL_PAGES, assert_no_bug, formulas, open_page, shows_something

from pooling_ui.base.i18n import catalogue

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


@pytest.mark.parametrize("query", VALID_LINKS, ids=lambda q: "&".join(q) or "defaults")
@pytest.mark.parametrize("page", list(TOOL_PAGES))
def test_valid_links_render_without_errors(page, query):
    app = open_page(page, query)
    assert_no_bug(app)
    assert not app.error, [e.value for e in app.error]
    assert shows_something(app)


@pytest.mark.parametrize("query", BAD_LINKS, ids=lambda q: "&".join(q))
@pytest.mark.parametrize("page", list(TOOL_PAGES))
def test_bad_links_warn_and_keep_the_page_up(page, query):
    app = open_page(page, query)
    assert_no_bug(app)
    assert app.warning or app.error, "a bad link value is reported"
    assert shows_something(app), "the page still shows the input or a pooled view"


def test_app_navigation_reaches_every_page():
    app = open_page()
    assert_no_bug(app)
    titles = [t.value for t in app.title]
    assert titles == ["Pooling Lab — Explorer"]
    english = catalogue("en")
    assert english["pages.gradients.title"] == "Pooling Lab — Gradients"
    for name, path in PAGES.items():
        app.switch_page(path).run()
        assert_no_bug(app)
        assert [t.value for t in app.title] == [english[f"pages.{name}.title"]]


def test_the_panels_wait_through_a_page_without_them():
    app = open_page("explorer", {"input": "checkerboard", "kind": "avg"})
    app.number_input(key="p_kernel_h").set_value(3).run()
    app.radio(key="in_source").set_value("type").run()
    app.session_state["in_type_editor"] = {"edited_rows": {0: {"1": "9"}}, "added_rows": [],
                                           "deleted_rows": []}
    app.run()
    fm_before, params_before = app.session_state["page_current"]
    app.switch_page(PAGES["pool1d"]).run()
    assert_no_bug(app)
    assert "p_kernel_h" not in [widget.key for widget in app.number_input]
    app.switch_page(PAGES["explorer"]).run()
    assert_no_bug(app)
    fm_after, params_after = app.session_state["page_current"]
    assert params_after == params_before and params_after.kernel_size == (3, 2)
    assert fm_after.source == "type" and np.array_equal(fm_after.data, fm_before.data)
    assert fm_after.data[0, 0, 1] == 9


def test_stochastic_pooling_of_negative_values_is_refused_in_words():
    app = open_page("explorer", {"kind": "stochastic"})
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
    app = open_page()
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



def test_colour_photo_channels_side_by_side_or_recomposed():
    app = open_page("explorer", {"input": "photo"})
    app.toggle(key="in_rgb").set_value(True).run()
    assert_no_bug(app)
    # Each channel is pooled separately: the depth stays 3, 2×2/stride 2 halves 256×256.
    assert "Shape: 3×256×256 → 3×128×128" in [m.value for m in app.markdown]
    recomposed = [c for image in app.get("image") for c in image.captions]
    assert len(recomposed) == 2  # the input and the output, in colour
    app.radio(key="output_channels").set_value("side").run()
    assert_no_bug(app)
    side = [c for image in app.get("image") for c in image.captions]
    assert len(side) == 6
    assert {c.split(":")[0] for c in side} == {f"{what} ({channel})" for what in
                                               ("input x", "output y") for channel in "RGB"}
    # The animation runs on one channel at a time.
    app.radio(key="anim_channel").set_value(2).run()
    assert_no_bug(app)


# -- the cross-check badge ---------------------------------------------------------------------


def test_badge_line_for_an_agreeing_and_a_differing_result():
    from pooling_core.crosscheck import CompareResult
    from pooling_ui.tools.badge import badge_text

    agreeing = CompareResult(device="cpu", torch_version="2.13.0+cpu", kind="max",
                             max_abs_diff_forward=0.0, max_abs_diff_backward=0.0, exact=True,
                             ok=True, tolerance="exact")
    text = badge_text(agreeing)
    assert text.ok is True
    assert text.label == "matches PyTorch 2.13.0 on cpu — largest |Δ|: forward 0, backward 0"
    differing = CompareResult(device="cuda (NVIDIA H100)", torch_version="2.13.0",
                              kind="avg", max_abs_diff_forward=0.5,
                              max_abs_diff_backward=float("nan"), exact=False, ok=False,
                              tolerance="rel 1e-05")
    text = badge_text(differing)
    assert text.ok is False
    assert text.label.startswith("differs from PyTorch 2.13.0 on cuda (NVIDIA H100)")
    assert "forward 0.5, backward —" in text.label


def test_badge_without_torch_is_a_neutral_note(monkeypatch):
    import sys

    import pooling_core
    from pooling_ui.tools import badge

    x, kwargs = np.ones((4, 4), np.float32), {"kind": "max", "kernel_size": 2}
    # PyTorch missing: the cross-check module imports, its comparison cannot.
    monkeypatch.setitem(sys.modules, "torch", None)
    text = badge.badge_text(badge._run_compare(x, kwargs))
    assert text.ok is None and "PyTorch is not installed" in text.label
    # The cross-check module itself missing.
    monkeypatch.setitem(sys.modules, "pooling_core.crosscheck", None)
    monkeypatch.delattr(pooling_core, "crosscheck", raising=False)
    text = badge.badge_text(badge._run_compare(x, kwargs))
    assert text.ok is None and "PyTorch is not installed" in text.label


def test_badge_when_the_comparison_fails_is_a_neutral_note(monkeypatch):
    from pooling_core import crosscheck
    from pooling_ui.tools import badge

    def broken(*args, **kwargs):
        raise RuntimeError("no such device")

    monkeypatch.setattr(crosscheck, "compare", broken)
    text = badge.badge_text(badge._run_compare(np.ones((4, 4), np.float32),
                                               {"kind": "max", "kernel_size": 2}))
    assert text.ok is None and "could not run" in text.label and "no such device" in text.label


def test_badge_on_the_page_for_the_worked_example():
    app = open_page("explorer", {"input": "worked4x4"})
    badges = [m.value for m in app.markdown if "badge[" in m.value]
    assert badges and "matches PyTorch" in badges[0]
    assert "largest |Δ|: forward 0, backward 0" in badges[0]
    # the tick is a Material icon (no emoji font needed), green for agreement
    assert badges[0].startswith(":green-badge[:material/check_circle:"), badges[0]


@pytest.mark.parametrize("page", list(TOOL_PAGES))
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_typed_nan_and_infinities_are_shown_not_fatal(page, kind):
    app = open_page(page, {"kind": kind})
    app.radio(key="in_source").set_value("type").run()
    app.session_state["in_type_editor"] = {
        "edited_rows": {0: {"0": "nan"}, 1: {"1": "-inf"}, 2: {"2": "inf"}},
        "added_rows": [], "deleted_rows": [],
    }
    app.run()
    assert_no_bug(app)
    assert not app.error, [e.value for e in app.error]
    if page == "explorer":
        # The first 2×2 window holds NaN, 3, 5 and −∞: NaN wins a max and spoils an average.
        expected = {"max": "y[0,0] = max(NaN, 3, 5, −∞) = NaN",
                    "avg": "y[0,0] = (NaN + 3 + 5 + −∞)/4 = NaN"}[kind]
        assert formulas(app) == [expected]


# -- text that every classroom machine can show -------------------------------------------------

# Characters that need an emoji or symbol font many machines lack (they show as empty boxes):
# emoji, dingbats (✓ ✗ ❚), geometric shapes (▶), miscellaneous symbols and technical pictographs,
# and the variation selector that asks for emoji presentation.
NEEDS_SYMBOL_FONT = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0x25A0, 0x25FF),
                     (0x231A, 0x23FF), (0xFE0F, 0xFE0F))


def test_user_facing_text_has_no_emoji_and_page_icons_are_material():
    import ast

    from pooling_ui.base.i18n import LANGUAGES, catalogue

    texts = [text for lang in LANGUAGES for text in catalogue(lang).values()]
    page_sources = [(ROOT / path).read_text()
                    for path in (*PAGES.values(), "app.py", "pooling_ui/page.py")]
    for source in page_sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts.append(node.value)
    assert len(texts) > 100
    bad = {(text, char) for text in texts for char in text
           if any(lo <= ord(char) <= hi for lo, hi in NEEDS_SYMBOL_FONT)}
    assert not bad, bad
    from pooling_ui.page import PAGES as NAVIGATION

    icons = [icon for _, icon in NAVIGATION]
    assert len(icons) == len(PAGES) and all(icon.startswith(":material/") for icon in icons), icons


