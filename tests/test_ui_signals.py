"""The 1-D page's loaders on hand-made files: CSV columns and PCM WAV samples, or a clear message.

Every expected number is worked out by hand from the bytes written here (a 16-bit sample 16384
is 16384 / 32768 = 0.5; an 8-bit sample 192 is (192 − 128) / 128 = 0.5); nothing is read back
from the loaders themselves.
"""

from __future__ import annotations

import io
import struct
import wave

import numpy as np
import pytest

from pooling_ui.data import signals
from pooling_ui.data.signals import SignalLoadError, csv_column, read_csv, read_wav


def column(data: bytes, index: int = 0, *, delimiter: str = ",", header: bool = True):
    return csv_column(read_csv(data, delimiter=delimiter, header=header), index,
                      delimiter=delimiter)


def refusal(load, *args, **kwargs) -> SignalLoadError:
    with pytest.raises(SignalLoadError) as caught:
        load(*args, **kwargs)
    return caught.value


# -- CSV ------------------------------------------------------------------------------------------
def test_a_column_without_a_header():
    assert column(b"1\n2.5\n-3\n", header=False).values.tolist() == [1.0, 2.5, -3.0]


def test_a_header_names_the_columns_and_a_column_is_chosen():
    table = read_csv(b"time,value\n0,1.5\n1,2\n2,-0.5\n")
    assert table.names == ("time", "value")
    assert csv_column(table, 1).values.tolist() == [1.5, 2.0, -0.5]


def test_semicolons_with_decimal_commas():
    data = b"a;b\r\n1;2,5\r\n2;3,25\r\n"
    assert column(data, 1, delimiter=";").values.tolist() == [2.5, 3.25]


def test_a_bad_row_is_left_out_and_reported_by_its_line_number():
    result = column(b"v\n1\n2\noops\n4\n")
    assert result.values.tolist() == [1.0, 2.0, 4.0]
    assert result.bad_rows == ((4, "oops"),)  # line 1 is the header


def test_a_missing_cell_is_a_bad_row_too():
    result = column(b"a,b\n1,2\n3\n5,6\n", 1)
    assert result.values.tolist() == [2.0, 6.0]
    assert result.bad_rows == ((3, ""),)


@pytest.mark.parametrize("data", [b"", b"\n  \n\n"])
def test_an_empty_file_is_refused(data):
    assert refusal(read_csv, data).code == "csv_empty"


def test_a_header_without_rows_is_refused():
    assert refusal(read_csv, b"a,b\n").code == "csv_no_rows"


def test_a_column_of_words_is_refused_in_words():
    table = read_csv(b"name,v\nann,1\nbob,2\ncid,3\n")
    error = refusal(csv_column, table, 0)
    assert error.code == "csv_not_numeric"
    assert "`name`" in str(error) and "row 2" in str(error) and "`ann`" in str(error)
    assert "`name` 列不是数字" in error.message.text("zh")
    assert csv_column(table, 1).values.tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("data", [bytes(range(256)) * 4, b"\x89PNG\r\n\x1a\n" + bytes(64)])
def test_binary_junk_is_refused(data):
    error = refusal(read_csv, data)
    assert error.code == "csv_binary" and "not a text file" in str(error)


def test_limits_on_size_and_length():
    too_big = b"1\n" * (signals.CSV_MAX_BYTES // 2 + 1)
    assert refusal(read_csv, too_big).code == "csv_too_big"
    long = "\n".join(str(i) for i in range(signals.CSV_MAX_VALUES + 5)).encode()
    result = column(long, header=False)
    assert result.cut_to == signals.CSV_MAX_VALUES
    assert result.values.size == signals.CSV_MAX_VALUES and result.values[-1] == 9_999


def test_a_chinese_spreadsheet_in_gb18030():
    data = "时间,数值\n0,1\n1,2\n".encode("gb18030")
    table = read_csv(data)
    assert table.names == ("时间", "数值")
    assert csv_column(table, 1).values.tolist() == [1.0, 2.0]


def test_a_header_that_is_numbers_is_noticed():
    assert read_csv(b"1,2\n3,4\n").first_row_is_numbers
    assert not read_csv(b"a,b\n3,4\n").first_row_is_numbers


# -- WAV ------------------------------------------------------------------------------------------
def make_wav(frames: bytes, *, width: int = 2, channels: int = 1, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def riff(tag: int, bits: int, frames: bytes, *, extra: bytes = b"", rate: int = 8000) -> bytes:
    """A one-channel WAV file written field by field (for the formats ``wave`` cannot write)."""
    block = bits // 8
    fmt = struct.pack("<HHIIHH", tag, 1, rate, rate * block, block, bits) + extra
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(frames)) + frames
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_16_bit_samples():
    audio = read_wav(make_wav(struct.pack("<4h", 0, 16384, -32768, 32767)))
    assert audio.samples.tolist() == [0.0, 0.5, -1.0, 32767 / 32768]
    assert (audio.sample_rate, audio.bits, audio.channels) == (8000, 16, 1)


def test_8_bit_samples_are_unsigned():
    audio = read_wav(make_wav(bytes([128, 192, 0, 255]), width=1))
    assert audio.samples.tolist() == [0.0, 0.5, -1.0, 127 / 128]


def test_24_bit_samples():
    frames = b"\x00\x00\x40" + b"\x00\x00\x80" + b"\x00\x00\xc0" + b"\x01\x00\x00"
    audio = read_wav(make_wav(frames, width=3))
    np.testing.assert_array_equal(audio.samples, np.float32([0.5, -1.0, -0.5, 2.0 ** -23]))
    assert audio.bits == 24


def test_32_bit_samples():
    audio = read_wav(make_wav(struct.pack("<2i", 1 << 30, -(1 << 31)), width=4))
    assert audio.samples.tolist() == [0.5, -1.0]


def test_stereo_is_mixed_to_mono_and_the_page_is_told():
    frames = struct.pack("<4h", 16384, 0, -16384, -16384)  # (L, R), (L, R)
    audio = read_wav(make_wav(frames, channels=2))
    assert audio.samples.tolist() == [0.25, -0.5]
    assert [note.key for note in audio.notes] == ["signals.wav_mixed"]
    assert audio.notes[0].text("en") == "2 channels mixed to one (their mean)."


def test_extensible_pcm_as_many_programs_write_24_bit():
    guid_tail = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    extra = struct.pack("<HHI", 22, 24, 0x4) + struct.pack("<H", 1) + guid_tail
    audio = read_wav(riff(0xFFFE, 24, b"\x00\x00\x40\x00\x00\xc0", extra=extra))
    assert audio.samples.tolist() == [0.5, -0.5]


def test_a_truncated_file_gives_the_samples_it_has_and_says_so():
    whole = make_wav(struct.pack("<4h", 0, 8192, 16384, 24576))
    audio = read_wav(whole[:-1])  # half of the last sample is gone
    assert audio.samples.tolist() == [0.0, 0.25, 0.5]
    assert audio.notes[0].fields == {"got": 3, "declared": 4}


def test_a_file_cut_inside_its_header_is_refused():
    whole = make_wav(struct.pack("<4h", 0, 1, 2, 3))
    assert refusal(read_wav, whole[:30]).code == "wav_broken"


@pytest.mark.parametrize(("data", "start"), [(b"ID3\x04\x00\x00\x00\x00\x00\x21", "ID3"),
                                              (b"\x89PNG\r\n\x1a\n\x00\x00", "89 50 4E 47"),
                                              (b"time,value\n0,1\n", "time,val")])
def test_a_file_that_is_not_a_wav(data, start):
    error = refusal(read_wav, data)
    assert error.code == "wav_not_wav" and error.message.fields["start"] == start


def test_an_empty_wav():
    assert refusal(read_wav, b"").code == "wav_empty"


def test_a_float_or_compressed_wav_is_refused_by_its_name():
    error = refusal(read_wav, riff(3, 32, struct.pack("<2f", 0.5, -0.5)))
    assert error.code == "wav_not_pcm" and "IEEE float" in str(error)
    assert refusal(read_wav, riff(0x55, 8, b"\x00" * 8)).message.fields["format"] == "MP3"


def test_limits_on_length_and_rate():
    seconds = signals.WAV_MAX_SECONDS + 1
    long = make_wav(bytes([128]) * int(1000 * seconds), width=1, rate=1000)
    error = refusal(read_wav, long)
    assert error.code == "wav_too_long" and "60 s" in str(error)
    assert refusal(read_wav, make_wav(bytes([128]) * 10, width=1, rate=500)).code == "wav_rate"


def test_wav_bytes_for_playback_are_16_bit_pcm():
    data = signals.wav_bytes(np.array([0.0, 0.5, -1.0, 1.0, 2.0]), 8000)
    with wave.open(io.BytesIO(data)) as source:
        assert (source.getnchannels(), source.getsampwidth(), source.getframerate()) == (1, 2,
                                                                                         8000)
        values = struct.unpack("<5h", source.readframes(5))
    # round(0.5 · 32767) = 16384 (half to even); −1 → −32768; 1 and the clipped 2 → 32767
    assert values == (0, 16384, -32768, 32767, 32767)


# -- the toy sentence -----------------------------------------------------------------------------
def test_words_are_split_on_spaces_or_into_characters():
    assert signals.sentence_tokens(" not  good ") == ["not", "good"]
    assert signals.sentence_tokens("不好看") == ["不", "好", "看"]


def test_word_vectors_are_the_same_every_time_and_differ_between_words():
    first = signals.word_vectors(["good", "bad", "good"])
    assert first.shape == (signals.WORD_DIM, 3)
    np.testing.assert_array_equal(first[:, 0], first[:, 2])
    assert not np.allclose(first[:, 0], first[:, 1])
    np.testing.assert_array_equal(signals.word_vector("Good"), signals.word_vector("good"))


def test_the_separator_and_the_header_are_guessed_from_the_first_line():
    assert signals.sniff_csv(b"zeit;wert\n0;1,5\n") == ("semicolon", True)
    assert signals.sniff_csv(b"\n1\t2\n3\t4\n") == ("tab", False)
    assert signals.sniff_csv(b"0.5\n1\n") == ("comma", False)
