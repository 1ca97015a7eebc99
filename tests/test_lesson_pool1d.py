"""The 1-D pooling page: max-over-time against PyTorch, the page in both languages for each
source, uploads good and bad, and links with bad values.

Expected numbers are PyTorch's (``F.conv1d`` + ``relu`` + ``F.max_pool1d``) or worked by hand
from the files written here (a 6-value column pooled by 2 gives 3 values).
"""

from __future__ import annotations

import io
import json
import struct
import wave

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from test_ui_figures import array
from test_ui_language import english_left
from ui_support import assert_no_bug, open_page

from pooling_core.lessons import textcnn
from pooling_ui.data import signals
from pooling_ui.lessons.pool1d import controls as lesson_pool1d


# -- max over time against PyTorch ----------------------------------------------------------------
@pytest.mark.parametrize("text", [*signals.SENTENCES.values(), "a b c", "good good good good"])
def test_max_over_time_is_torchs_conv1d_relu_max_pool1d(text):
    tokens = signals.sentence_tokens(text)
    vectors = signals.word_vectors(tokens)
    filters = signals.sentence_filters()
    results = textcnn.max_over_time(vectors, filters)
    for (weight, bias), result in zip(filters, results, strict=True):
        maps = F.relu(F.conv1d(torch.from_numpy(vectors)[None], torch.from_numpy(weight),
                               torch.tensor([bias], dtype=torch.float32)))
        value, index = F.max_pool1d(maps, kernel_size=maps.shape[-1], return_indices=True)
        np.testing.assert_allclose(result.feature_map, maps[0, 0].numpy(), rtol=1e-5,
                                   atol=1e-6)
        assert result.value == pytest.approx(float(value), rel=1e-5, abs=1e-6)
        if float(value) > 0:  # all-zero maps: any position is a maximum
            assert result.start == int(index)


def test_window_centres_worked_by_hand():
    # L = 10, k = 3, s = 2, padding 1, dilation 2, ceil:
    # windows (-1, 1, 3), (1, 3, 5), ... (7, 9, 11)
    centres = textcnn.window_centres(10, 3, 2, padding=1, dilation=2, ceil_mode=True)
    assert centres.tolist() == [1.0, 3.0, 5.0, 7.0, 9.0]


# -- the page -------------------------------------------------------------------------------------
def csv_file(text: str, name: str = "数据.csv"):
    return (name, text.encode(), "text/csv")


def wav_file(samples, *, width: int = 2, channels: int = 1, rate: int = 8000,
             name: str = "录音.wav"):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return (name, buffer.getvalue(), "audio/wav")


def markdown(app) -> str:
    return "\n".join(element.value for element in app.markdown)


def upload(app, key: str, file) -> None:
    app.file_uploader(key=key).set_value(file)
    app.run()


@pytest.mark.parametrize("source", lesson_pool1d.SOURCES)
def test_each_source_in_chinese_has_no_english_left(source):
    app = open_page("pool1d", {"lang": "zh", "sig_source": source})
    assert_no_bug(app)
    assert not app.error and not app.warning
    assert english_left(app) == {}
    assert app.get("plotly_chart")


@pytest.mark.parametrize("source", lesson_pool1d.SOURCES)
def test_each_source_in_english_is_read_as_english(source):
    app = open_page("pool1d", {"lang": "en", "sig_source": source})
    assert_no_bug(app)
    assert len(english_left(app)) > 5


def test_the_time_series_pools_a_preset_by_the_chosen_window():
    app = open_page("pool1d", {"lang": "en", "sig_preset": "steps", "sig_kernel": "4"})
    assert_no_bug(app)
    # 240 values, windows of 4 with stride 4: 60 outputs
    assert "240 values → **60** pooled values" in markdown(app)
    app.checkbox(key="sig_stride_auto").uncheck().run()
    app.number_input(key="sig_stride").set_value(1).run()
    assert "240 values → **237** pooled values" in markdown(app)  # 240 − 4 + 1
    assert app.query_params["sig_stride"] == "1" and app.query_params["sig_kernel"] == "4"


def test_a_refused_combination_is_the_engines_message_and_the_page_stays_up():
    for lang in ("en", "zh"):
        app = open_page("pool1d", {"lang": lang, "sig_kernel": "2", "sig_padding": "3"})
        assert_no_bug(app)
        assert len(app.error) == 1
        assert ("padding 3" if lang == "en" else "填充 3") in app.error[0].value
        if lang == "zh":
            assert english_left(app) == {}


def test_a_csv_column_is_pooled_and_its_bad_rows_are_named():
    app = open_page("pool1d", {"lang": "en", "sig_preset": "csv", "sig_kernel": "2",
                               "sig_step": "1"})
    assert not app.error
    upload(app, "sig_csv_upload", csv_file("t,v\n0,1\n1,3\n2,oops\n3,2\n4,5\n5,4\n6,0\n"))
    assert_no_bug(app)
    assert "6 values → **3** pooled values" in markdown(app)
    assert [text.value for text in app.text] == ["y[1] = max(2, 5) = 5"]
    assert "row 4: `oops`" in app.warning[0].value
    # both columns are numbers: the last is chosen (a time column usually comes first)
    assert app.selectbox(key="sig_csv_column").value == 1
    app.selectbox(key="sig_csv_column").set_value(0).run()
    assert "7 values" in markdown(app)  # the t column has no bad row


def test_a_bad_csv_keeps_the_last_good_file():
    app = open_page("pool1d", {"lang": "zh", "sig_preset": "csv", "sig_kernel": "2"})
    upload(app, "sig_csv_upload", csv_file("1\n3\n2\n5\n"))
    assert "4 个值 → **2** 个池化值" in markdown(app)
    upload(app, "sig_csv_upload", ("坏.csv", bytes(range(256)) * 4, "text/csv"))
    assert_no_bug(app)
    assert len(app.error) == 1 and "不是文本文件" in app.error[0].value
    assert "4 个值 → **2** 个池化值" in markdown(app)  # still the good file
    upload(app, "sig_csv_upload", csv_file("名字\n甲\n乙\n", "词.csv"))
    assert "`名字` 列不是数字" in app.error[0].value
    assert english_left(app) == {}


def test_a_wav_upload_is_read_mixed_and_played():
    app = open_page("pool1d", {"lang": "en", "sig_source": "audio", "sig_audio": "wav"})
    assert not app.error
    frames = [1000, -1000] * 2000  # 2000 stereo frames at 8 kHz: 0.25 s
    upload(app, "sig_wav_upload", wav_file(frames, channels=2))
    assert_no_bug(app)
    assert "0.25 s at 8000 Hz, 2000 samples, 16-bit, 2 channel(s)" in markdown(app)
    assert any("2 channels mixed to one" in caption.value for caption in app.caption)
    assert len(app.get("audio")) == 2
    # the envelope: window 20 ms = 160 samples, hop 10 ms = 80 samples
    assert "kernel_size=160, stride=80" in markdown(app)


def test_a_bad_wav_is_a_message_and_the_last_good_one_stays():
    app = open_page("pool1d", {"lang": "zh", "sig_source": "audio", "sig_audio": "wav"})
    upload(app, "sig_wav_upload", wav_file([0, 16384] * 1000))
    assert "采样率 8000 Hz，2000 个采样" in markdown(app)
    upload(app, "sig_wav_upload", ("假.wav", b"ID3\x04\x00\x00\x00\x00\x00\x21" * 10,
                                   "audio/wav"))
    assert_no_bug(app)
    assert len(app.error) == 1 and "这不是 WAV 文件" in app.error[0].value
    assert "采样率 8000 Hz，2000 个采样" in markdown(app)
    assert english_left(app) == {}


def test_the_sentence_winners_are_torchs():
    app = open_page("pool1d", {"lang": "zh", "sig_source": "sentence"})
    tokens = signals.sentence_tokens(signals.SENTENCES["zh"])
    assert app.text_input(key="sig_words").value == signals.SENTENCES["zh"]
    vectors = torch.from_numpy(signals.word_vectors(tokens))[None]
    expected = []
    for weight, bias in signals.sentence_filters():
        maps = F.relu(F.conv1d(vectors, torch.from_numpy(weight), torch.tensor([bias])))
        _, index = F.max_pool1d(maps, kernel_size=maps.shape[-1], return_indices=True)
        expected.append(" ".join(tokens[int(index):int(index) + weight.shape[-1]]))
    table = app.dataframe[0].value
    assert table[table.columns[-1]].tolist() == expected
    app.text_input(key="sig_words").set_value("好").run()
    assert_no_bug(app)
    assert "至少有 3 个词" in app.warning[0].value


def test_bad_link_values_are_warnings_and_the_defaults_are_used():
    app = open_page("pool1d", {"lang": "en", "sig_source": "nope", "sig_kernel": "0",
                               "sig_preset": "squares", "sig_ceil": "maybe"})
    assert_no_bug(app)
    warnings = [warning.value for warning in app.warning]
    assert len(warnings) == 4, warnings
    assert any("sig_kernel='0'" in text and "between 1 and 64" in text for text in warnings)
    assert app.radio(key="sig_source").value == "series"
    assert app.number_input(key="sig_kernel").value == 8
    app = open_page("pool1d", {"lang": "zh", "sig_source": "audio", "sig_factor": "3"})
    assert len(app.warning) == 1 and english_left(app) == {}


def test_steps_are_numbered_from_1_and_old_links_keep_their_output():
    # the "steps" preset, windows of 4: 240 values → 60 outputs, steps 1 … 60. A link's
    # sig_step is the output index (0-based, as links always were): sig_step=1 is y[1], step 2.
    app = open_page("pool1d", {"lang": "en", "sig_preset": "steps", "sig_kernel": "4",
                               "sig_step": "1"})
    assert_no_bug(app)
    slider = app.slider(key="sig_step_shown")
    assert (slider.min, slider.max, slider.value) == (1, 60, 2)
    assert app.text[0].value.startswith("y[1] = ")
    assert app.query_params["sig_step"] == "1"
    # step 1 is y[0], and the link says 0
    app.slider(key="sig_step_shown").set_value(1).run()
    assert_no_bug(app)
    assert app.text[0].value.startswith("y[0] = ")
    assert app.query_params["sig_step"] == "0"
    # Next moves to step 2 = y[1]
    app.button(key="sig_next").click().run()
    assert app.slider(key="sig_step_shown").value == 2
    assert app.query_params["sig_step"] == "1"
    # the animation's slider counts from 1 too; its caption names the output y[i]
    animation = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")
                 if json.loads(chart.proto.spec).get("frames")]
    labels = [step["label"] for step in animation[0]["layout"]["sliders"][0]["steps"]]
    assert labels[:3] == ["1", "2", "3"]
    assert any(c.value.startswith("Steps 1 to ") and "(y[0] … y[" in c.value for c in app.caption)


def test_blank_csv_rows_stay_gaps_on_the_time_axis():
    # lines: 1 header, 2 "0,1", 3 "1,3", 4 "2," (blank cell), 5 "3,2", 6 blank line, 7 "5,5",
    # 8 "6,4". Column v: numbers 1, 3, 2, 5, 4 at rows 0, 1, 3, 5, 6 (from the first data row)
    # — rows 2 and 4 are gaps. Max pooling of the numbers only, windows of 2: (1,3) → 3 and
    # (2,5) → 5 (the 4 is left over), drawn at the middle of the rows each window covers:
    # (0+1)/2 = 0.5 and (3+5)/2 = 4.
    app = open_page("pool1d", {"lang": "en", "sig_preset": "csv", "sig_kernel": "2"})
    upload(app, "sig_csv_upload", csv_file("t,v\n0,1\n1,3\n2,\n3,2\n\n5,5\n6,4\n"))
    assert_no_bug(app)
    assert "5 values → **2** pooled values" in markdown(app)
    assert any(c.value.startswith("2 row(s) without a number") for c in app.caption)
    series = json.loads(app.get("plotly_chart")[0].proto.spec)
    signal, pooled = series["data"][0], series["data"][1]
    np.testing.assert_array_equal(array(signal["x"]), [0, 1, 2, 3, 4, 5, 6])
    # NaN where a row has no number: the line breaks there
    np.testing.assert_array_equal(array(signal["y"]), [1, 3, np.nan, 2, np.nan, 5, 4])
    assert signal["connectgaps"] is False
    np.testing.assert_array_equal(array(pooled["x"]), [0.5, 4.0])
    np.testing.assert_array_equal(array(pooled["y"]), [3, 5])
    assert "row of the file" in series["layout"]["xaxis"]["title"]["text"]
    # the t column has one gap (the blank line), and the preset signals none
    assert signals.csv_column(signals.read_csv(b"t,v\n0,1\n1,3\n2,\n3,2\n\n5,5\n6,4\n"),
                              0).positions.tolist() == [0, 1, 2, 3, 5, 6]


def test_the_audio_zoom_opens_on_the_loudest_stretch():
    # 2 s at 8 kHz, silent but for a burst at samples 12000 … 12399 (1.5 s). Windows of 20 ms
    # = 160 samples every 10 ms = 80: window w covers 80w … 80w + 159, so the first to reach
    # sample 12000 is w = 149 (11920 … 12079; w = 148 ends at 11999). The stretch shows
    # min((6000 − 160) // 80 + 1, 40) = 40 windows, centred: it starts at window 149 − 20 = 129
    # (from 0), shown as 130 (from 1), at sample 129 · 80 = 10320, i.e. 1.290 s.
    samples = [0] * 16000
    samples[12000:12400] = [16000] * 400
    app = open_page("pool1d", {"lang": "en", "sig_source": "audio", "sig_audio": "wav"})
    upload(app, "sig_wav_upload", wav_file(samples))
    assert_no_bug(app)
    zoom = app.slider(key="sig_zoom")
    assert (zoom.min, zoom.value) == (1, 130)
    assert any(c.value.startswith("Windows 130 to 169 over |x|") for c in app.caption)
    stretch = next(json.loads(chart.proto.spec) for chart in app.get("plotly_chart")
                   if json.loads(chart.proto.spec).get("frames"))
    assert "1.290" in stretch["layout"]["xaxis"]["title"]["text"]
    # the user's choice stays while the recording and the windows do not change
    app.slider(key="sig_zoom").set_value(5).run()
    assert app.slider(key="sig_zoom").value == 5
    # a new recording, loud at its start, opens at window 1
    early = [16000] * 400 + [0] * 15600
    upload(app, "sig_wav_upload", wav_file(early, name="early.wav"))
    assert_no_bug(app)
    assert app.slider(key="sig_zoom").value == 1
