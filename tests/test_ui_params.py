"""The parameter panel and the shareable URL, driven through AppTest.

Expected values are the ones written into the URL or worked out by hand from the output-size
formula; where a number depends on pooling semantics it is checked against PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from pooling_ui.base import urlstate
from pooling_ui.base.urlstate import UrlValueError
from pooling_ui.panels.params import DEFAULTS, PoolParams, read_url

TIMEOUT = 30


def panels_app():
    import streamlit as st

    from pooling_ui.panels.inputs import input_panel
    from pooling_ui.panels.params import parameter_panel

    fm = input_panel()
    params = parameter_panel(fm)
    st.session_state["test_fm"] = fm
    st.session_state["test_params"] = params
    st.write("page body still drawn")


def run_with_query(query: dict[str, str]) -> AppTest:
    at = AppTest.from_function(panels_app, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    return at


def warnings_of(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def assert_page_up(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert any(m.value == "page body still drawn" for m in at.markdown)


# -- parsers --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [("3", (3, 3)), ("3x2", (3, 2)), ("3X2", (3, 2)), ("3×2", (3, 2)), (" 4 , 1 ", (4, 1))],
)
def test_pairs_are_read_in_every_spelling(text, expected):
    assert urlstate.parse_pair(text, 1, 64) == expected


@pytest.mark.parametrize("text", ["0", "3x", "x3", "3x2x1", "abc", "", "2.5", "-1", "65"])
def test_bad_pairs_are_refused(text):
    with pytest.raises(UrlValueError):
        urlstate.parse_pair(text, 1, 64)


# -- URL sets through the app ---------------------------------------------------------------------
GOOD_URLS = [
    ({"kind": "avg", "kernel": "3", "stride": "1"},
     PoolParams("avg", (3, 3), (1, 1), (0, 0), (1, 1), False, True, None, {})),
    ({"kind": "max", "kernel": "3x2", "padding": "1x0"},
     PoolParams("max", (3, 2), (3, 2), (1, 0), (1, 1), False, True, None, {})),
    ({"kind": "min", "kernel": "2", "padding": "same", "stride": "1"},
     PoolParams("min", (2, 2), (1, 1), "same", (1, 1), False, True, None, {})),
    ({"kind": "lp", "p": "3", "kernel": "2", "ceil": "true"},
     PoolParams("lp", (2, 2), (2, 2), (0, 0), (1, 1), True, True, None, {"p": 3.0})),
    ({"kind": "mixed", "alpha": "0.25", "divisor": "3", "count_include_pad": "false"},
     PoolParams("mixed", (2, 2), (2, 2), (0, 0), (1, 1), False, False, 3, {"alpha": 0.25})),
    ({"kind": "stochastic", "seed": "7", "training": "false"},
     PoolParams("stochastic", (2, 2), (2, 2), (0, 0), (1, 1), False, True, None,
                {"seed": 7, "training": False})),
    ({"kind": "weighted", "kernel": "3", "stride": "1", "weights": "1,2,1;2,4,2;1,2,1"},
     PoolParams("weighted", (3, 3), (1, 1), (0, 0), (1, 1), False, True, None,
                {"weights": ((1.0, 2.0, 1.0), (2.0, 4.0, 2.0), (1.0, 2.0, 1.0))})),
    ({"kind": "median", "kernel": "2", "stride": "1", "dilation": "2"},
     PoolParams("median", (2, 2), (1, 1), (0, 0), (2, 2), False, True, None, {})),
]


@pytest.mark.parametrize(("query", "expected"), GOOD_URLS)
def test_a_good_link_reproduces_its_parameters(query, expected):
    at = run_with_query(query)
    assert_page_up(at)
    assert warnings_of(at) == []
    assert at.session_state["test_params"] == expected
    # and the URL written back reads the same
    written = dict(at.query_params)
    for name, value in query.items():
        if name in ("p", "alpha"):
            assert float(written[name]) == float(value)
        else:
            assert written[name] == value, name


BAD_URLS = [
    ({"kind": "foo"}, "kind='foo'", "expected one of max, avg", {"p_kind": "max"}),
    ({"kernel": "0"}, "kernel='0'", "between 1 and 64", {"p_kernel_h": 2}),
    ({"kernel": "3x"}, "kernel='3x'", "like 3x2", {"p_kernel_h": 2, "p_kernel_w": 2}),
    ({"stride": "-1"}, "stride='-1'", "between 1 and 64", {"p_stride_auto": True}),
    ({"padding": "9"}, "padding='9'", "use padding ≤ 1", {"p_pad_h": 0, "p_pad_w": 0}),
    ({"padding": "middle"}, "padding='middle'", "'same' or 'valid'", {"p_pad_mode": "numbers"}),
    ({"ceil": "maybe"}, "ceil='maybe'", "true or false", {"p_ceil": False}),
    ({"count_include_pad": "2"}, "count_include_pad='2'", "true or false", {"p_cip": True}),
    ({"dilation": "99"}, "dilation='99'", "between 1 and 16", {"p_dil_h": 1}),
    ({"divisor": "0"}, "divisor='0'", "between 1 and 10000", {"p_div_on": False}),
    ({"kind": "lp", "p": "-2"}, "p='-2'", "between 0.1 and 100", {"p_opt_lp_p": 2.0}),
    ({"kind": "mixed", "alpha": "nan"}, "alpha='nan'", "finite", {"p_opt_mixed_alpha": 0.5}),
    ({"kind": "stochastic", "seed": "x"}, "seed='x'", "whole number",
     {"p_opt_stochastic_seed": 0}),
    ({"kind": "weighted", "weights": "1,2,1"}, "weights='1,2,1'", "kernel's shape",
     {"p_opt_weighted_weights": "gaussian"}),
    ({"kernel": "9"}, "kernel='9'", "smaller kernel_size", {"p_kernel_h": 2}),
    ({"padding": "same", "ceil": "true"}, "ceil='true'", "ceil_mode=True applies",
     {"p_ceil": False}),
]


@pytest.mark.parametrize(("query", "named", "reason", "defaults"), BAD_URLS)
def test_a_bad_link_value_warns_and_falls_back_to_the_default(query, named, reason, defaults):
    at = run_with_query(query)  # the input is the worked 4×4 example
    assert_page_up(at)
    warnings = warnings_of(at)
    assert len(warnings) == 1, warnings
    assert named in warnings[0] and reason in warnings[0] and "default" in warnings[0]
    for key, value in defaults.items():
        assert at.session_state[key] == value, key
    assert at.session_state["test_params"] is not None  # the defaults make a valid view


def test_bad_input_value_and_bad_parameters_together():
    at = run_with_query({"input": "nope", "kind": "foo", "kernel": "2", "ceil": "maybe"})
    assert_page_up(at)
    warnings = warnings_of(at)
    assert len(warnings) == 3
    assert at.session_state["test_fm"].name == "worked 4×4"
    assert at.session_state["test_params"] == PoolParams()


def test_warnings_go_away_once_a_parameter_is_changed():
    at = run_with_query({"kind": "foo"})
    assert len(at.warning) == 1
    at.run()  # a rerun alone keeps them
    assert len(at.warning) == 1
    at.number_input(key="p_kernel_h").set_value(3).run()
    assert len(at.warning) == 0


def test_read_url_is_applied_in_order_and_each_misfit_is_reported():
    class Grid:
        data = np.zeros((1, 5, 5), dtype=np.float32)
        value_summary = (0.0, True)

    state, warnings = read_url({"kernel": "3", "padding": "2", "dilation": "2"}, Grid())
    assert (state["p_kernel_h"], state["p_kernel_w"]) == (3, 3)
    assert state["p_pad_h"] == 0 and "padding='2'" in warnings[0].text("en")
    assert state["p_dil_h"] == 2 and len(warnings) == 1
    assert {k: v for k, v in state.items() if k not in ("p_kernel_h", "p_kernel_w", "p_dil_h",
                                                         "p_dil_w")} == {
        k: v for k, v in DEFAULTS.items() if k not in ("p_kernel_h", "p_kernel_w", "p_dil_h",
                                                       "p_dil_w")}


# -- the panel itself -----------------------------------------------------------------------------
def latex_text(at: AppTest) -> str:
    return " ".join(element.value for element in at.get("latex"))


def test_formula_shows_the_issue_example_with_numbers():
    # H = 6, k = 3, s = 2, p = 1, d = 1: ⌊(6 + 2 − 2 − 1)/2⌋ + 1 = ⌊5/2⌋ + 1 = 3
    at = run_with_query({"input": "random", "input_size": "6", "kind": "max", "kernel": "3",
                         "stride": "2", "padding": "1"})
    assert_page_up(at)
    formula = latex_text(at)
    assert r"\lfloor \tfrac{H + 2p - d(k-1) - 1}{s} \rfloor + 1" in formula
    assert r"\lfloor \tfrac{6 + 2 - 2 - 1}{2} \rfloor + 1 = 3" in formula


def test_formula_for_same_padding():
    # ⌈6/4⌉ = 2
    at = run_with_query({"input": "random", "input_size": "6", "kernel": "3", "stride": "4",
                         "padding": "same"})
    assert_page_up(at)
    assert r"\lceil \tfrac{6}{4} \rceil = 2" in latex_text(at)


def test_ceil_mode_dropping_the_last_window_is_explained_and_matches_torch():
    torch = pytest.importorskip("torch")
    # H = 5, k = 2, s = 2, p = 1, ceil: ⌈(5 + 2 − 1 − 1)/2⌉ + 1 = 4, but window 3 would start at
    # 3·2 − 1 = 5, in the right padding, so PyTorch drops it
    at = run_with_query({"input": "random", "input_size": "5", "kernel": "2", "padding": "1",
                         "ceil": "true"})
    assert_page_up(at)
    formula = latex_text(at)
    expected = torch.nn.functional.max_pool2d(
        torch.zeros(1, 1, 5, 5), 2, 2, padding=1, ceil_mode=True
    ).shape[-1]
    assert expected == 3
    assert rf"\lceil \tfrac{{5 + 2 - 1 - 1}}{{2}} \rceil + 1 - 1 = {expected}" in formula
    assert any("dropped" in caption.value for caption in at.caption)


def test_an_invalid_combination_shows_the_engines_message_and_the_page_stays_up():
    at = run_with_query({})
    at.number_input(key="p_kernel_h").set_value(3).run()
    at.number_input(key="p_pad_h").set_value(2).run()
    assert_page_up(at)
    assert at.session_state["test_params"] is None
    assert len(at.error) == 1 and "use padding ≤ 1" in at.error[0].value
    at.number_input(key="p_pad_h").set_value(1).run()  # fixing it brings the view back
    assert at.session_state["test_params"].padding == (1, 0) and len(at.error) == 0


def test_stochastic_pooling_of_negative_typed_values_is_refused_with_the_engines_reason():
    at = run_with_query({"kind": "stochastic"})
    at.radio(key="in_source").set_value("type").run()
    at.session_state["in_type_editor"] = {
        "edited_rows": {0: {"1": "-3"}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    assert_page_up(at)
    assert at.session_state["test_params"] is None
    assert "apply ReLU first" in at.error[0].value


def test_divisor_is_offered_for_avg_and_mixed_only():
    at = run_with_query({"kind": "max"})
    assert not [c for c in at.checkbox if c.key == "p_div_on"]
    at.selectbox(key="p_kind").set_value("avg").run()
    at.checkbox(key="p_div_on").check().run()
    at.number_input(key="p_div").set_value(3).run()
    assert at.session_state["test_params"].divisor_override == 3
    assert at.query_params["divisor"] == "3"


def test_changes_are_written_to_the_url():
    at = run_with_query({})
    at.selectbox(key="p_kind").set_value("lp").run()
    at.number_input(key="p_kernel_w").set_value(3).run()
    written = dict(at.query_params)
    assert written["kind"] == "lp" and written["kernel"] == "2x3" and written["p"] == "2"
    assert "stride" not in written  # stride = kernel is the default and stays out of the link
    at.selectbox(key="p_kind").set_value("max").run()
    assert "p" not in at.query_params  # an option of another kind is removed


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "avg", "kernel": "3x2", "stride": "2x1", "padding": "1x0", "ceil": "true",
         "count_include_pad": "false"},
        {"kind": "avg", "kernel": "3", "stride": "2", "padding": "1", "divisor": "5"},
        {"kind": "max", "kernel": "2x3", "stride": "1x2", "padding": "1", "dilation": "2x1"},
    ],
)
def test_parameters_from_a_link_pool_like_pytorch(query):
    """The panel's mapping of link values to engine arguments (stride default, h/w order, the
    divisor) is right: pooling with them gives PyTorch's numbers for the same settings."""
    torch = pytest.importorskip("torch")
    import pooling_core as pc

    at = run_with_query({"input": "random", "input_size": "7", **query})
    assert_page_up(at)
    assert warnings_of(at) == []
    params = at.session_state["test_params"]
    x = at.session_state["test_fm"].data
    ours = pc.pool2d(x, **params.kwargs())

    def pair(text):
        parts = text.split("x")
        return (int(parts[0]), int(parts[-1]))

    tensor = torch.from_numpy(np.array(x))[None]
    kernel = pair(query["kernel"])
    common = dict(kernel_size=kernel, stride=pair(query["stride"]),
                  padding=pair(query["padding"]), ceil_mode=query.get("ceil") == "true")
    if query["kind"] == "avg":
        theirs = torch.nn.functional.avg_pool2d(
            tensor, **common, count_include_pad=query.get("count_include_pad") != "false",
            divisor_override=int(query["divisor"]) if "divisor" in query else None,
        )
    else:
        theirs = torch.nn.functional.max_pool2d(tensor, **common,
                                                dilation=pair(query["dilation"]))
    np.testing.assert_allclose(ours, theirs[0].numpy(), rtol=1e-6)
