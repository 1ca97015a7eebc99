"""Links that carry the user's own grid: the ``grid=`` value's two forms, hostile values, and the
app opening a shared link (typed, drawn, uploaded) as it was shared, in both languages.

Expected values come from the grids the tests build (random float32 bit patterns, hand-typed
numbers, inked canvas blocks) and from a second, independent writer of the compressed form that
follows the format's description (header bytes ``rows, cols``, float32 little-endian, zlib,
base64url without padding); never from the app's own output read back as the expectation.
"""

from __future__ import annotations

import base64
import zlib
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from hypothesis.extra import numpy as hnp
from streamlit.testing.v1 import AppTest
from test_ui_language import english_left
from ui_support import assert_no_bug, open_page, parse_html, share_box_html, shared_link

from pooling_ui.base import urlstate
from pooling_ui.base.urlstate import GRID_MAX, UrlValueError, format_grid, parse_grid
from pooling_ui.panels import inputs, share
from pooling_ui.panels.inputs import CANVAS_SIDE, canvas_state_for

# A tools page with few modules of its own: these tests are about the panels, not the page.
PAGE = "gradients"
WORKED = [[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 8, 1], [3, 4, 0, 6]]
# A 5×5 grid with what a person might type: decimals, a negative, nan and the infinities.
TYPED_5X5 = [
    ["1", "2.5", "-3", "0.1", "7"],
    ["nan", "4", "inf", "-inf", "0"],
    ["1e-3", "100", "-0.125", "3", "2"],
    ["9", "8", "7", "6", "5"],
    ["0.3", "-2", "1", "16777217", "1e20"],
]


def same_grid(got: np.ndarray, expected: np.ndarray) -> None:
    """Equal as float32 bit patterns, except that any NaN equals any NaN (same positions)."""
    got, expected = np.asarray(got), np.asarray(expected, dtype=np.float32)
    assert got.dtype == np.float32 and got.shape == expected.shape
    nan = np.isnan(expected)
    np.testing.assert_array_equal(np.isnan(got), nan)
    assert got[~nan].tobytes() == expected[~nan].tobytes()


def independent_compressed(grid: np.ndarray) -> str:
    """The compressed form written from the format's description, not by the app's writer."""
    rows, cols = grid.shape
    payload = bytes([rows, cols]) + np.asarray(grid, dtype="<f4").tobytes()
    return "z:" + base64.urlsafe_b64encode(zlib.compress(payload)).decode().rstrip("=")


# -- the value's two forms ------------------------------------------------------------------------
def test_rows_of_numbers_by_hand():
    assert format_grid(np.array(WORKED[:2], dtype=np.float32)) == "1,3,2,4;5,6,1,2"
    got = parse_grid(" 1, 3 ;−2,∞;nan,-inf;")  # spaces, a Unicode minus and ∞, one trailing ;
    same_grid(got, [[1, 3], [-2, np.inf], [np.nan, -np.inf]])


def test_shortest_exact_numbers():
    # float32(0.1) is 0.100000001490116…: "0.1" is the shortest text that reads back as it
    assert format_grid(np.float32([[0.1, -0.0, 16777217.0, 3e38]])) == "0.1,-0,16777216,3e38"
    same_grid(parse_grid("-0"), np.float32([[-0.0]]))  # the sign of zero survives


@pytest.mark.parametrize("shape", [(1, 1), (5, 5), (1, 32), (32, 1), (32, 32)])
def test_random_bit_patterns_round_trip_exactly(shape):
    bits = np.random.default_rng(sum(shape)).integers(0, 2**32, size=shape, dtype=np.uint32)
    grid = bits.view(np.float32)  # every kind of float32: subnormals, NaNs, infinities, -0
    text = format_grid(grid)
    assert text.startswith("z:") == (shape == (32, 32))  # long enough only at 32×32
    same_grid(parse_grid(text), grid)


def test_long_grids_go_compressed_and_a_foreign_writer_is_read():
    digits = np.random.default_rng(1).integers(0, 10, (32, 32)).astype(np.float32)
    text = format_grid(digits)
    plain = ";".join(",".join(str(int(v)) for v in row) for row in digits)
    assert text.startswith("z:") and len(text) < len(plain) == 32 * 32 * 2 - 1
    same_grid(parse_grid(independent_compressed(digits)), digits)
    small = np.float32([[2.5]])
    same_grid(parse_grid(independent_compressed(small)), small)  # short grids may come zipped


def test_a_mid_length_grid_stays_readable():
    # 20×20 single digits: 799 characters as rows, beyond the 600 kept readable, so the link
    # gets whichever of the two forms is shorter, and never one longer than the rows.
    digits = np.random.default_rng(2).integers(0, 10, (20, 20)).astype(np.float32)
    text = format_grid(digits)
    assert len(text) <= len(";".join(",".join(str(int(v)) for v in row) for row in digits))
    same_grid(parse_grid(text), digits)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(hnp.arrays(np.float32, hnp.array_shapes(min_dims=2, max_dims=2, max_side=GRID_MAX),
                  elements=hs.floats(width=32)))
def test_any_grid_round_trips_through_the_link_and_the_typed_cells(grid):
    same_grid(parse_grid(format_grid(grid)), grid)
    # the link opens as typed text: the typed grid's own parser must read the same float32s
    cells = [[urlstate.format_number(v) for v in row] for row in grid]
    typed, problems = inputs.parse_grid(cells)
    assert problems == []
    same_grid(typed, grid)


# -- hostile values -------------------------------------------------------------------------------
def zipped(payload: bytes) -> str:
    return "z:" + base64.urlsafe_b64encode(zlib.compress(payload)).decode().rstrip("=")


HOSTILE = [
    ("", "url.empty"),
    ("1,2;3", "url.grid_ragged"),
    ("1,2;3,x", "url.grid_bad_number"),
    ("1,,2", "url.grid_bad_number"),
    ("1_000", "url.grid_bad_number"),
    ("0x10", "url.grid_bad_number"),
    (";".join(["1"] * 33), "url.grid_too_big"),
    (",".join(["1"] * 33), "url.grid_too_big"),
    ("1," * 12_000, "url.grid_too_long"),
    ("z:***", "url.grid_bad_base64"),
    ("z:AAAAA", "url.grid_bad_base64"),
    ("z:AAAA", "url.grid_bad_zlib"),
    (zipped(b"\x02\x02" + b"\0" * 16)[:-4], "url.grid_bad_zlib"),  # cut short
    ("z:" + base64.urlsafe_b64encode(zlib.compress(b"\1\1" + b"\0" * 4) + b"xx").decode(),
     "url.grid_bad_zlib"),  # something after the stream
    (zipped(b""), "url.grid_no_header"),
    (zipped(b"\x00\x05"), "url.grid_too_big"),
    (zipped(b"\x21\x01" + b"\0" * 132), "url.grid_too_big"),
    (zipped(b"\x02\x02" + b"\0" * 15), "url.grid_wrong_length"),
    (zipped(b"\x02\x02" + b"\0" * 17), "url.grid_wrong_length"),
    (zipped(b"\x02\x02" + b"\0" * 10_000_000), "url.grid_data_too_long"),  # a small bomb
]


@pytest.mark.parametrize(("text", "code"), HOSTILE, ids=[code for _, code in HOSTILE])
def test_hostile_values_are_refused_with_a_reason(text, code):
    with pytest.raises(UrlValueError) as caught:
        parse_grid(text)
    assert caught.value.message.key == code
    for lang in ("en", "zh"):
        assert caught.value.message.text(lang)  # worded in both languages


def test_bad_cell_is_named_by_row_and_column():
    with pytest.raises(UrlValueError, match=r"x\[2,1\]: 'oops' is not a number"):
        parse_grid("1,2;3,4;5,oops")


@settings(derandomize=True, max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(hs.one_of(
    hs.text(alphabet=hs.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80),
    hs.text(alphabet="0123456789.,;-+eEinfaINFz: ", max_size=80),
    hs.binary(max_size=300).map(lambda b: "z:" + base64.urlsafe_b64encode(b).decode()),
    hs.binary(max_size=300).map(zipped),
))
def test_any_value_gives_a_grid_or_a_reason(text):
    try:
        grid = parse_grid(text)
    except UrlValueError as error:
        assert error.message.key.startswith("url.")
        return
    assert grid.dtype == np.float32 and grid.ndim == 2
    assert 1 <= grid.shape[0] <= GRID_MAX and 1 <= grid.shape[1] <= GRID_MAX


# -- the app: links it writes and opens -----------------------------------------------------------
def shown(app: AppTest):
    assert_no_bug(app)
    return app.session_state["page_current"]


def type_grid(app: AppTest, cells: list[list[str]]) -> None:
    """Type ``cells`` into the data editor, as the browser sends edits."""
    app.radio(key="in_source").set_value("type").run()
    app.number_input(key="in_type_rows").set_value(len(cells)).run()
    app.number_input(key="in_type_cols").set_value(len(cells[0])).run()
    app.session_state["in_type_editor"] = {
        "edited_rows": {r: {str(c): text for c, text in enumerate(row)}
                        for r, row in enumerate(cells)},
        "added_rows": [], "deleted_rows": [],
    }
    app.run()


def reopen(app: AppTest, page: str = PAGE) -> AppTest:
    """A new session (a new browser) opening the link the first one now has."""
    return open_page(page, dict(app.query_params))


def test_a_typed_5x5_grid_opens_identically_from_its_link():
    app = open_page(PAGE, {"lang": "en"})
    app.selectbox(key="p_kind").set_value("avg").run()
    app.number_input(key="p_kernel_h").set_value(3).run()
    type_grid(app, TYPED_5X5)
    fm, params = shown(app)
    expected, _ = inputs.parse_grid(TYPED_5X5)
    with np.errstate(over="ignore"):
        by_hand = np.array([[float(v) for v in row] for row in TYPED_5X5]).astype(np.float32)
    same_grid(expected, by_hand)
    same_grid(fm.data[0], by_hand)
    assert app.query_params["input"] == "grid" and "grid" in app.query_params

    other = reopen(app)
    fm2, params2 = shown(other)
    assert fm2.source == "type" and fm2.data.shape == (1, 5, 5)
    same_grid(fm2.data[0], by_hand)
    assert params2 == params and params2.kind == "avg" and params2.kernel_size == (3, 2)
    assert len(other.warning) == 0
    # the same link again: the new session writes back exactly what it was given
    assert dict(other.query_params) == dict(app.query_params)


def test_a_drawing_opens_as_a_typed_grid_with_its_numbers():
    app = open_page(PAGE)
    app.radio(key="in_source").set_value("draw").run()
    app.session_state["in_draw_grid"] = 8
    app.run()
    rgba = np.zeros((CANVAS_SIDE, CANVAS_SIDE, 4), dtype=np.uint8)
    rgba[0:30, 0:60, 3] = 255  # cells (0, 0) and (0, 1) full: 240 px / 8 = 30 px a cell
    rgba[210:240, 210:240, 3] = 51  # cell (7, 7) at 51
    app.session_state[inputs.canvas_key()] = canvas_state_for(rgba)
    app.run()
    expected = np.zeros((8, 8), dtype=np.float32)
    expected[0, 0] = expected[0, 1] = 255
    expected[7, 7] = 51
    same_grid(shown(app)[0].data[0], expected)
    other = reopen(app)
    fm = shown(other)[0]
    assert fm.source == "type"
    same_grid(fm.data[0], expected)


def test_a_drawing_bigger_than_32_is_left_out_and_the_box_says_so():
    app = open_page(PAGE)
    app.radio(key="in_source").set_value("draw").run()
    app.session_state["in_draw_grid"] = 48
    app.run()
    assert "input" not in app.query_params and "grid" not in app.query_params
    assert any("more than 32×32" in caption.value for caption in app.caption)


def test_an_uploaded_photo_is_not_in_the_link_and_the_box_says_so_in_both_languages():
    from test_ui_language import upload_photo

    for lang, words in (("en", "Uploaded photos are not put in links"),
                        ("zh", "上传的照片不会放入链接")):
        app = open_page(PAGE, {"lang": lang, "input": "checkerboard"})
        upload_photo(app)
        assert shown(app)[0].is_photo
        assert "input" not in app.query_params and "grid" not in app.query_params
        assert any(words in caption.value for caption in app.caption)
        if lang == "zh":
            assert english_left(app) == {}


BAD_LINKS = [
    ({"input": "grid", "grid": "1,2;3,x"}, "x[1,1]", "`x[1,1]`：'x' 不是数字"),
    ({"input": "grid", "grid": "z:AAAA"}, "does not decompress", "无法解压"),
    ({"input": "grid", "grid": ";".join(["1"] * 40)}, "got 40×1", "实际为 40×1"),
    ({"input": "grid"}, "needs a grid=", "需要一个带数字的"),
]


@pytest.mark.parametrize(("query", "english", "chinese"), BAD_LINKS)
def test_a_bad_grid_link_warns_in_both_languages_and_uses_the_default(query, english, chinese):
    for lang, words in (("en", english), ("zh", chinese)):
        app = open_page(PAGE, {**query, "lang": lang})
        fm = shown(app)[0]
        assert fm.source == "preset" and fm.data[0].tolist() == WORKED
        warnings = [w.value for w in app.warning]
        assert len(warnings) == 1 and words in warnings[0], warnings
        if lang == "zh":
            assert english_left(app) == {}


def test_a_chinese_grid_link_leaves_no_english_and_an_english_one_does():
    grid = format_grid(np.arange(25, dtype=np.float32).reshape(5, 5))
    query = {"input": "grid", "grid": grid}
    zh = open_page(PAGE, {**query, "lang": "zh"})
    same_grid(shown(zh)[0].data[0], np.arange(25).reshape(5, 5))
    assert any("输入网格" in caption.value for caption in zh.caption)  # the share box's note
    assert english_left(zh) == {}
    assert english_left(open_page(PAGE, {**query, "lang": "en"})) != {}


# -- the share box --------------------------------------------------------------------------------
def wired_app():
    """The entry point's panels with the share box drawn again after the parameter panel."""
    import streamlit as st

    from pooling_ui.panels.inputs import input_panel
    from pooling_ui.panels.params import parameter_panel
    from pooling_ui.panels.share import share_box

    fm = input_panel()
    st.session_state["test_params"] = parameter_panel(fm)
    share_box()


def test_the_share_box_holds_the_whole_link_of_this_run():
    app = AppTest.from_function(wired_app, default_timeout=60)
    app.context = {"url": "http://pool.example:8501/gradients"}
    app.run()
    type_grid(app, [["1", "2"], ["3", "nan"]])
    app.selectbox(key="p_kind").set_value("avg").run()  # changed in the last run: still there
    link = urlsplit(shared_link(app))
    assert f"{link.scheme}://{link.netloc}{link.path}" == "http://pool.example:8501/gradients"
    query = {name: values[-1] for name, values in parse_qs(link.query).items()}
    assert query == dict(app.query_params)
    assert query["kind"] == "avg" and query["input"] == "grid"
    same_grid(parse_grid(query["grid"]), [[1, 2], [3, np.nan]])
    assert "grid=1,2;3,nan" in link.query  # readable, not percent-encoded
    assert any("typed grid's numbers are in the link" in c.value for c in app.caption)


def test_without_an_address_the_box_says_so():
    app = AppTest.from_function(wired_app, default_timeout=60)
    app.run()
    assert shared_link(app).startswith("?input=worked4x4")
    assert any("address is unknown" in caption.value for caption in app.caption)


# A value that closes every element the box could be in and opens a script, an image with an
# event handler and an attribute: in the page, any of these would run or load something.
HOSTILE = ('</div></code><script>alert(1)</script>"><img src=x onerror=alert(2)>'
           "' onmouseover='alert(3)' <button onclick=alert(4)>&amp;")


def element(body: str, tag: str, css_class: str | None = None):
    """The first ``tag`` element of the HTML ``body`` (with ``css_class``, if given)."""
    return next(node for node in parse_html(body).walk()
                if node.tag == tag and (css_class is None or css_class in node.classes()))


def assert_inert_box(box, link: str) -> None:
    """The box holds only its own elements, ``link`` as its text, and no event handler."""
    nodes = list(box.walk())[1:]
    assert [node.tag for node in nodes] == ["div", "div", "div", "button", "span", "script"]
    assert not [(node.tag, name) for node in nodes for name in node.attrs
                if name.startswith("on") or name in ("src", "href")]
    assert nodes[1].text() == link
    # the script is the same text whatever the link: nothing of the link was written into it
    script = nodes[-1].text()
    assert script == element(share.share_html("?kind=max", "en"), "script").text()
    assert "alert" not in script and "onerror" not in script


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_hostile_link_stays_text_in_the_share_box(lang):
    assert_inert_box(parse_html(share.share_html(HOSTILE, lang)), HOSTILE)


def test_a_hostile_address_and_query_value_stay_text_in_the_app():
    app = AppTest.from_function(wired_app, default_timeout=60)
    app.context = {"url": "http://pool.example:8501/x" + HOSTILE}
    app.query_params["note"] = HOSTILE  # a name the app does not read stays in the link
    app.run()
    link = shared_link(app)
    assert link.startswith("http://pool.example:8501/x" + HOSTILE + "?")
    assert parse_qs(urlsplit(link).query)["note"] == [HOSTILE]
    assert_inert_box(share_box_html(app), link)


def test_a_hostile_typed_cell_is_refused_and_stays_out_of_the_box():
    app = AppTest.from_function(wired_app, default_timeout=60)
    app.run()
    type_grid(app, [["1", '"><img src=x onerror=alert(1)>'], ["3", "4"]])
    assert_no_bug(app)
    link = shared_link(app)
    assert "onerror" not in link
    assert_inert_box(share_box_html(app), link)


def test_a_long_link_scrolls_in_a_named_focusable_region_and_a_short_one_does_not():
    short, long = "?kind=max", "?grid=" + ",".join(["1"] * 300)
    assert len(short) <= share.SHARE_BOX_CHARS < len(long)
    for link, scrolls in ((short, False), (long, True)):
        shown = element(share.share_html(link, "zh"), "div", share.LINK_CLASS)
        assert shown.text() == link
        assert (share.SCROLLS_CLASS in shown.classes()) is scrolls
        expected = ({"role": "region", "tabindex": "0", "aria-label": "此视图的链接",
                     "style": f"max-height: {share.SHARE_BOX_PX}px"} if scrolls else {})
        assert {name: shown.attrs.get(name) for name in expected} == expected
        assert ("role" in shown.attrs) is scrolls


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ("Copy link", "Copied", "Could not copy")),
    ("zh", ("复制链接", "已复制", "无法复制")),
])
def test_the_copy_button_speaks_the_pages_language(lang, words):
    button = element(share.share_html("?kind=max", lang), "button")
    assert button.attrs["type"] == "button" and "tabindex" not in button.attrs
    assert button.text() == words[0]
    assert button.attrs["data-text-copied"] == words[1]
    assert button.attrs["data-text-failed"].startswith(words[2])
