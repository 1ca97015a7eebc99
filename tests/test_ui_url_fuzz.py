"""Any link at all: random mixes of the app's URL names and values, good, odd and hostile.

Hand-picked links (test_ui_pages.py) show the cases we thought of; this property test looks for
the ones we did not. Whatever the query string says, every page runs without an exception and
without the "something went wrong" box that stands for a bug in a view.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ui_support import PAGES, assert_no_bug, open_page

import pooling_core as pc
from pooling_ui.classroom import quiz
from pooling_ui.data import presets
from pooling_ui.lessons import conv as lesson_conv
from pooling_ui.lessons import shapes as lesson_shapes
from pooling_ui.lessons import shift as lesson_shift
from pooling_ui.lessons.pool1d import controls as lesson_pool1d
from pooling_ui.panels import inputs, params

NAMES = (*params.URL_NAMES, *inputs.URL_NAMES, "lang",
         *(name for page in (lesson_shapes, lesson_conv, lesson_shift, lesson_pool1d, quiz)
           for name in page.URL_NAMES))
PLAUSIBLE = (*pc.KINDS, *presets.PRESETS, "same", "valid", "true", "false", "0", "1", "2", "3",
             "5", "64", "-1", "3x2", "2x0", "1x9", "0.5", "1e9", "nan", "inf", "-inf", "1,2;3,4",
             "en", "zh", "ZH", "", "grid", "z:eJwDAAAAAAE", "sobel_x", "gabor", "2,3", "0x1",
             "right", "functional", "series", "audio", "sentence", "31")
HOSTILE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
)
VALUE = st.one_of(st.sampled_from(PLAUSIBLE), HOSTILE)


@settings(derandomize=True, max_examples=90, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(NAMES), VALUE, max_size=8), st.sampled_from(list(PAGES)))
def test_any_link_leaves_every_page_standing(query, page):
    assert_no_bug(open_page(page, query))
