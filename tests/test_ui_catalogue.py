"""The two catalogues (English, 简体中文): the same keys, the same fields, every word the code asks
for, and the engine's messages worded in both.

Nothing here renders a page (tests/test_ui_language.py does); these tests read the catalogues and
the source, so that a key missing in one language is found before any user meets it.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import pooling_core as pc
from pooling_core import errors
from pooling_ui.base import i18n
from pooling_ui.base.i18n import LANGUAGES, catalogue, engine_message, field_names, t
from pooling_ui.data import presets
from pooling_ui.panels import inputs, params
from pooling_ui.tools import gradients
from pooling_ui.tools import output as view_output

ROOT = Path(__file__).resolve().parents[1]
EN, ZH = catalogue("en"), catalogue("zh")


def test_both_languages_have_the_same_keys():
    assert sorted(set(EN) - set(ZH)) == [], "keys missing in zh.toml"
    assert sorted(set(ZH) - set(EN)) == [], "keys missing in en.toml (or in pooling_core.MESSAGES)"


def test_both_languages_fill_the_same_fields():
    differ = {key: (EN[key], ZH[key]) for key in EN
              if key in ZH and field_names(EN[key]) != field_names(ZH[key])}
    assert len(EN) > 300 and not differ, differ


def sample_fields(template: str) -> dict:
    """A value for each field that its format spec accepts (a number for ``{x:g}``, ``{x:.0%}``)."""
    fields = {}
    for _, name, spec, _ in string.Formatter().parse(template):
        if name:
            fields[name] = 0.25 if spec and spec[-1] in "gfe%" else "v"
    return fields


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_formats(lang):
    for template in catalogue(lang).values():
        template.format(**sample_fields(template))  # raises on a malformed template


def test_every_engine_message_and_axis_is_in_both_languages():
    for code in pc.MESSAGES:
        assert f"engine.{code}" in ZH, code
        assert EN[f"engine.{code}"] == pc.MESSAGES[code]
    for axis in errors.AXES:
        assert {f"engine_axes.{axis}"} <= set(EN) & set(ZH)


def test_every_kind_option_preset_and_choice_has_its_words():
    wanted = []
    for kind in pc.KINDS:
        wanted += [f"kinds.{kind}.{part}" for part in ("name", "label", "rule")]
        for option in pc.kind_spec(kind).options:
            wanted += [f"{option.help_key}.label", f"{option.help_key}.help"]
    wanted += [f"presets.{key}.{part}" for key in presets.PRESETS
               for part in ("label", "description")]
    wanted += [f"input.sources.{source}" for source in inputs.SOURCES]
    wanted += [f"params.pad_modes.{mode}" for mode in params.PAD_MODES]
    wanted += [f"params.weights.{choice}" for choice in params.WEIGHT_CHOICES]
    wanted += [f"gradients.modes.{mode}" for mode in gradients.UPSTREAM_MODES]
    wanted += [f"output.channels_modes.{mode}" for mode in view_output.CHANNEL_MODES]
    wanted += [f"views.channels.{name}" for name in ("gray", "R", "G", "B")]
    wanted += [f"animation.divisor.{reason}" for reason in
               ("window", "padding_counted", "inside_only", "overhang", "override")]
    from pooling_ui.data import images
    from pooling_ui.page import PAGES

    wanted += [f"images.exif.{turn}" for turn in images._EXIF_TURNS]
    wanted += [f"pages.{name}.{part}" for name, _ in PAGES for part in ("nav", "title", "intro")]
    missing = [key for key in wanted if key not in EN or key not in ZH]
    assert not missing, missing


# Keys the code spells out: t("..."), Message("..."), the codes of UrlValueError and
# ImageLoadError (their catalogue tables are url.* and images.*).
LITERAL_KEY = re.compile(r"""\b(?:t|Message)\(\s*["']([a-z_][\w.]*)["']""")
ERROR_CODE = re.compile(r"""\b(UrlValueError|ImageLoadError)\(\s*"(\w+)\"""")


def test_every_key_the_code_spells_out_exists():
    paths = [*(ROOT / "pooling_ui").rglob("*.py"), *(ROOT / "app_pages").glob("*.py")]
    # recursive: a module moved into a subfolder is still read (the files named here must be)
    found = {path.relative_to(ROOT).as_posix() for path in paths}
    assert {"pooling_ui/page.py", "pooling_ui/panels/params.py", "pooling_ui/tools/output.py",
            "pooling_ui/lessons/pool1d/series.py", "pooling_ui/classroom/quiz.py",
            "app_pages/explorer.py"} <= found, found
    sources = {path: path.read_text() for path in paths}
    asked = {key for text in sources.values() for key in LITERAL_KEY.findall(text)}
    asked |= {("url." if kind == "UrlValueError" else "images.") + code
              for text in sources.values() for kind, code in ERROR_CODE.findall(text)}
    assert len(asked) > 150
    missing = sorted(key for key in asked if key not in EN)
    assert not missing, missing


def test_english_engine_messages_are_the_engines_own_words():
    with pytest.raises(pc.PoolingError) as caught:
        pc.pool2d([[1.0, -2.0], [3.0, 4.0]], "stochastic")
    assert engine_message(caught.value, "en") == str(caught.value)
    chinese = engine_message(caught.value, "zh")
    assert "`stochastic` 池化需要非负的输入" in chinese and "最小值是 -2" in chinese


def test_the_axis_of_a_geometry_error_is_worded_too():
    with pytest.raises(pc.PoolingError) as caught:
        pc.pool2d([[1.0, 2.0]], "max", kernel_size=3)  # a 1×2 input cannot hold a 3×3 window
    assert caught.value.fields["axis"] == "height"
    assert "输出高度将为" in engine_message(caught.value, "zh")
    assert engine_message(caught.value, "en").startswith("output height would be")


def test_lookups_outside_a_run_are_english_and_labellers_keep_their_language():
    assert i18n.current_language() == "en"
    assert t("params.title") == "Parameters" and t("params.title", "zh") == "参数"
    assert i18n.labeller("kinds.", ".name")("avg") == "average"


