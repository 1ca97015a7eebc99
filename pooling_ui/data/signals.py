"""Signals for the 1-D pooling page: synthetic series, a CSV column, WAV audio, a toy sentence.

Nothing here pools (the page calls :func:`pooling_core.pool1d`) and nothing here needs
Streamlit: every function is a pure function of its arguments, so the loaders are tested on
hand-made files.

* :func:`preset_signal` — sine + noise, steps, spikes, a random walk; seeded, so a link
  reproduces the same numbers.
* :func:`read_csv` / :func:`csv_column` — a text table (comma, semicolon or tab; header or not)
  and one of its columns as numbers. Rows whose cell is not a number are left out and reported by
  their line number in the file; a column that is mostly words is refused.
* :func:`read_wav` — PCM WAV through the standard library's :mod:`wave` (8-bit unsigned, 16-,
  24- and 32-bit signed; WAVE_FORMAT_EXTENSIBLE with a PCM sub-format too), scaled to −1..1;
  stereo and more channels are mixed to mono (their mean).
* :func:`synth_audio` — a short seeded sample (three notes with an attack/decay envelope and
  some noise) for when there is no file at hand.
* :func:`wav_bytes` — 16-bit mono PCM WAV bytes for ``st.audio``.
* :func:`sentence_tokens`, :func:`word_vectors`, :func:`sentence_filters` — a TextCNN-style toy:
  deterministic word vectors and convolution filters of widths 2 and 3.

Every problem with a file raises :class:`SignalLoadError` (a ``ValueError``) whose
:attr:`~SignalLoadError.message` says, in the user's language, what was wrong and what is accepted.
"""

from __future__ import annotations

import csv
import io
import math
import struct
import wave
import zlib
from dataclasses import dataclass, field

import numpy as np

from pooling_ui.base.i18n import Message

PRESETS = ("sine", "steps", "spikes", "walk")
PRESET_LENGTH = 240

CSV_MAX_BYTES = 2_000_000
"""Largest CSV file read (2 MB)."""
CSV_MAX_VALUES = 10_000
"""Longest column used: a longer one is cut to its first values (and the page says so)."""
CSV_DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t"}
# A column is refused as "not numbers" when fewer than this share of its cells are numbers.
CSV_MIN_NUMERIC_SHARE = 0.5
CSV_BAD_ROWS_SHOWN = 5

WAV_MAX_BYTES = 20_000_000
"""Largest WAV file read (20 MB)."""
WAV_MAX_SECONDS = 60.0
"""Longest WAV read (60 s)."""
WAV_RATES = (1_000, 192_000)
"""Sample rates accepted (Hz)."""

SYNTH_RATE = 8_000
SYNTH_SECONDS = 2.0

WORD_DIM = 6
FILTER_WIDTHS = (2, 2, 3, 3)
SENTENCE_MAX_WORDS = 30
SENTENCES = {
    "en": "the film was not good but the ending was great",
    "zh": "这部 电影 不 好看 但是 结局 非常 精彩",
}


class SignalLoadError(ValueError):
    """A file that cannot be used as a signal; :attr:`message` is meant for the user.

    ``str(error)`` is the English text; ``error.message`` words it in the session's language.
    """

    def __init__(self, code: str, **fields):
        self.code = code
        self.message = Message(f"signals.{code}", fields)
        super().__init__(self.message.text("en"))


# -- synthetic series -----------------------------------------------------------------------------
def preset_signal(name: str, *, length: int = PRESET_LENGTH, seed: int = 0,
                  noise: float = 0.3) -> np.ndarray:
    """A seeded synthetic series of ``length`` values (float32).

    ``sine``: two periods of a sine plus Gaussian noise of standard deviation ``noise``;
    ``steps``: a staircase of five levels plus noise; ``spikes``: small noise with a few tall
    spikes (what max pooling keeps and average pooling smears); ``walk``: a random walk whose
    steps have standard deviation ``noise`` (or 0.3 when ``noise`` is 0).

    Examples
    --------
    >>> preset_signal("steps", length=10, noise=0.0)
    array([0., 0., 1., 1., 2., 2., 3., 3., 4., 4.], dtype=float32)
    >>> bool(np.array_equal(preset_signal("walk", seed=3), preset_signal("walk", seed=3)))
    True
    """
    rng = np.random.default_rng(seed)
    index = np.arange(length)
    if name == "sine":
        values = np.sin(2 * np.pi * 2 * index / length) + noise * rng.standard_normal(length)
    elif name == "steps":
        values = np.floor(index * 5 / length) + noise * rng.standard_normal(length)
    elif name == "spikes":
        values = 0.1 * rng.standard_normal(length) + noise * 0.3 * rng.standard_normal(length)
        where = rng.choice(length, size=max(1, length // 30), replace=False)
        values[where] += rng.uniform(2.0, 4.0, size=where.size)
    elif name == "walk":
        values = np.cumsum((noise or 0.3) * rng.standard_normal(length))
    else:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return values.astype(np.float32)


# -- CSV ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CsvTable:
    """A CSV file's cells as text: ``names`` of the columns, ``rows`` as ``(line, cells)``."""

    names: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    first_row_is_numbers: bool = False


@dataclass(frozen=True)
class CsvColumn:
    """One column as numbers, and what was left out.

    Attributes
    ----------
    values : ndarray of float32
    bad_rows : tuple of (line, text)
        Cells that are not numbers (``text`` is what the cell held; empty for a missing cell),
        by their line number in the file (counted from 1, the header included).
    cut_to : int or None
        The column had more than :data:`CSV_MAX_VALUES` numbers and was cut to that many.
    positions : ndarray of int64 or None
        Where each value lies on the file's time axis: its line minus the first data row's line
        (0 for the first). A row without a number — a blank cell, a blank line, text — keeps
        its place as a gap, so the values' positions skip it. None: one value per position.
    """

    values: np.ndarray
    bad_rows: tuple[tuple[int, str], ...] = ()
    cut_to: int | None = None
    positions: np.ndarray | None = None

    @property
    def gaps(self) -> int:
        """How many positions between the first value and the last hold no number."""
        if self.positions is None or self.positions.size == 0:
            return 0
        return int(self.positions[-1] - self.positions[0] + 1 - self.positions.size)


def _decode_text(data: bytes) -> str:
    if not data.strip():
        raise SignalLoadError("csv_empty")
    if len(data) > CSV_MAX_BYTES:
        raise SignalLoadError("csv_too_big", size=f"{len(data) / 1e6:.1f}",
                              limit=f"{CSV_MAX_BYTES / 1e6:g}")
    if b"\x00" in data:
        raise SignalLoadError("csv_binary")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
        if controls > max(2, len(text) // 100):
            raise SignalLoadError("csv_binary")
        return text
    raise SignalLoadError("csv_binary")


def parse_number(text: str, delimiter: str = ",") -> float | None:
    """A cell as a finite number, or None.

    With a delimiter other than the comma a decimal comma is read too (``1,5`` → 1.5), as
    spreadsheets in much of Europe write it.

    Examples
    --------
    >>> parse_number(" 2.5 "), parse_number("1,5", ";"), parse_number("1,5"), parse_number("nan")
    (2.5, 1.5, None, None)
    """
    cell = text.strip()
    if delimiter != "," and cell.count(",") == 1 and "." not in cell:
        cell = cell.replace(",", ".")
    try:
        number = float(cell)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def read_csv(data: bytes, *, delimiter: str = ",", header: bool = True) -> CsvTable:
    """The cells of a CSV file, as text.

    Parameters
    ----------
    data : bytes
        The file (UTF-8, or GB18030 as Chinese spreadsheets save it).
    delimiter : str
        One of :data:`CSV_DELIMITERS`' values.
    header : bool
        The first non-empty row names the columns (otherwise they are numbered from 1).

    Raises
    ------
    SignalLoadError
        Empty, too big, not text, or no rows of data.

    Examples
    --------
    >>> table = read_csv(b"t,v\\n0,1.5\\n1,2\\n")
    >>> table.names, table.rows
    (('t', 'v'), ((2, ('0', '1.5')), (3, ('1', '2'))))
    """
    text = _decode_text(data)
    try:
        lines = [(number, tuple(cells)) for number, cells in
                 _numbered_rows(text, delimiter) if any(cell.strip() for cell in cells)]
    except csv.Error as error:
        raise SignalLoadError("csv_unreadable", detail=str(error)) from None
    if not lines:
        raise SignalLoadError("csv_empty")
    width = max(len(cells) for _, cells in lines)
    first_numbers = all(parse_number(cell, delimiter) is not None for cell in lines[0][1])
    if header:
        given = lines[0][1]
        names = tuple(given[i].strip() if i < len(given) and given[i].strip() else str(i + 1)
                      for i in range(width))
        lines = lines[1:]
    else:
        names = tuple(str(i + 1) for i in range(width))
    if not lines:
        raise SignalLoadError("csv_no_rows")
    return CsvTable(names, tuple(lines), first_row_is_numbers=header and first_numbers)


def sniff_csv(data: bytes) -> tuple[str, bool] | None:
    """A guess of ``(delimiter name, header)`` from a file's first line: semicolons or tabs
    when there are more of them than commas, and a header unless that line is all numbers;
    None for a file that is not text (there is nothing to guess).

    Examples
    --------
    >>> sniff_csv(b"a;b\\n1,5;2\\n"), sniff_csv(b"1,2\\n3,4\\n"), sniff_csv(b"\\xff\\x00")
    (('semicolon', True), ('comma', False), None)
    """
    try:
        first = next((line for line in _decode_text(data).splitlines() if line.strip()), "")
    except SignalLoadError:
        return None
    counts = {name: first.count(mark) for name, mark in CSV_DELIMITERS.items()}
    name = max(counts, key=lambda key: (counts[key], key == "comma"))
    cells = first.split(CSV_DELIMITERS[name])
    return name, not all(parse_number(cell, CSV_DELIMITERS[name]) is not None for cell in cells)


def _numbered_rows(text: str, delimiter: str):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for cells in reader:
        yield reader.line_num, cells


def csv_column(table: CsvTable, index: int, *, delimiter: str = ",") -> CsvColumn:
    """Column ``index`` (from 0) of ``table`` as float32 numbers.

    Cells that are not numbers are left out and listed in ``bad_rows``; a column in which fewer
    than half the cells (or fewer than two) are numbers is refused. Each value keeps its place
    on the file's time axis (``positions``: its line from the first data row), so the rows
    without a number, blank lines included, stay there as gaps.

    Examples
    --------
    >>> column = csv_column(read_csv(b"v\\n1\\nx\\n3\\n\\n4\\n"), 0)
    >>> column.values, column.bad_rows, column.positions.tolist(), column.gaps
    (array([1., 3., 4.], dtype=float32), ((3, 'x'),), [0, 2, 4], 2)
    """
    values: list[float] = []
    where: list[int] = []
    bad: list[tuple[int, str]] = []
    first_line = table.rows[0][0] if table.rows else 0
    for line, cells in table.rows:
        cell = cells[index] if index < len(cells) else ""
        number = parse_number(cell, delimiter)
        if number is None:
            bad.append((line, cell.strip()))
        else:
            values.append(number)
            where.append(line - first_line)
    name = table.names[index]
    if len(values) < 2 or len(values) < CSV_MIN_NUMERIC_SHARE * len(table.rows):
        example = next((text for _, text in bad if text), "")
        if example:
            raise SignalLoadError("csv_not_numeric", column=name, example=example,
                                  line=next(line for line, text in bad if text == example))
        raise SignalLoadError("csv_too_few", column=name, count=len(values))
    cut = len(values) > CSV_MAX_VALUES
    array = np.asarray(values[:CSV_MAX_VALUES], dtype=np.float32)
    positions = np.asarray(where[:CSV_MAX_VALUES], dtype=np.int64)
    return CsvColumn(array, tuple(bad), CSV_MAX_VALUES if cut else None, positions)


def numeric_columns(table: CsvTable, delimiter: str = ",") -> list[int]:
    """The columns that :func:`csv_column` accepts, in order."""
    accepted = []
    for index in range(len(table.names)):
        try:
            csv_column(table, index, delimiter=delimiter)
        except SignalLoadError:
            continue
        accepted.append(index)
    return accepted


# -- WAV ------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Audio:
    """Mono samples in −1..1 (float32) and their sample rate; ``notes`` say what was converted."""

    samples: np.ndarray
    sample_rate: int
    channels: int = 1
    bits: int = 16
    notes: tuple[Message, ...] = field(default_factory=tuple)

    @property
    def seconds(self) -> float:
        return self.samples.size / self.sample_rate


_EXTENSIBLE = 0xFFFE
_PCM = 1
_FORMAT_NAMES = {3: "IEEE float", 6: "A-law", 7: "μ-law", 2: "ADPCM", 0x11: "IMA ADPCM",
                 0x55: "MP3"}


def _format_tag(data: bytes) -> tuple[int | None, int | None, int | None]:
    """``(tag, offset of the tag, sub-format)`` from the ``fmt `` chunk of a RIFF/WAVE file."""
    position = 12
    while position + 8 <= len(data):
        chunk_id = data[position:position + 4]
        size = struct.unpack_from("<I", data, position + 4)[0]
        if chunk_id == b"fmt " and position + 10 <= len(data):
            tag = struct.unpack_from("<H", data, position + 8)[0]
            sub = None
            if tag == _EXTENSIBLE and position + 8 + 26 <= len(data):
                sub = struct.unpack_from("<H", data, position + 8 + 24)[0]
            return tag, position + 8, sub
        position += 8 + size + (size & 1)
    return None, None, None


def _describe_start(data: bytes) -> str:
    """How a file starts: its first letters when it starts with text (``ID3`` of an MP3), else
    its first bytes in hex.

    Examples
    --------
    >>> _describe_start(b"ID3\\x04\\x00"), _describe_start(b"\\x89PNG\\r\\n")
    ('ID3', '89 50 4E 47')
    """
    letters = ""
    for byte in data[:8]:
        if not 32 <= byte < 127:
            break
        letters += chr(byte)
    return letters if len(letters) >= 3 else " ".join(f"{b:02X}" for b in data[:4])


def _as_plain_pcm(data: bytes) -> bytes:
    """``data`` with a WAVE_FORMAT_EXTENSIBLE PCM header turned into a plain PCM one.

    Python's :mod:`wave` reads only format 1 before Python 3.12, while many programs write 24-bit
    and multichannel PCM as "extensible" with a PCM sub-format: the samples are the same, so the
    tag is rewritten (in a copy) and the rest of the header read as it is. Any other format is
    refused with its name.
    """
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SignalLoadError("wav_not_wav", start=_describe_start(data))
    tag, offset, sub = _format_tag(data)
    if tag is None:
        raise SignalLoadError("wav_broken", detail="no fmt chunk")
    if tag == _EXTENSIBLE and sub == _PCM:
        return data[:offset] + struct.pack("<H", _PCM) + data[offset + 2:]
    if tag != _PCM:
        code = sub if tag == _EXTENSIBLE and sub is not None else tag
        raise SignalLoadError("wav_not_pcm", format=_FORMAT_NAMES.get(code, f"0x{code:04X}"))
    return data


def read_wav(data: bytes) -> Audio:
    """A PCM WAV file as mono samples in −1..1.

    8-bit samples are unsigned (128 is silence): ``(v − 128) / 128``; 16-, 24- and 32-bit are
    signed little-endian: ``v / 2^(bits−1)``. Several channels are averaged (a note says so). A
    file that ends before its header's length gives the samples it has (a note says so).

    Raises
    ------
    SignalLoadError
        Empty, not a WAV, not PCM (compressed or float), too big, too long, an odd sample rate,
        or no samples.

    Examples
    --------
    >>> buffer = io.BytesIO()
    >>> with wave.open(buffer, "wb") as out:
    ...     out.setnchannels(1); out.setsampwidth(2); out.setframerate(8000)
    ...     out.writeframes(struct.pack("<3h", 0, 16384, -32768))
    >>> read_wav(buffer.getvalue()).samples
    array([ 0. ,  0.5, -1. ], dtype=float32)
    """
    if not data:
        raise SignalLoadError("wav_empty")
    if len(data) > WAV_MAX_BYTES:
        raise SignalLoadError("wav_too_big", size=f"{len(data) / 1e6:.1f}",
                              limit=f"{WAV_MAX_BYTES / 1e6:g}")
    data = _as_plain_pcm(data)
    try:
        with wave.open(io.BytesIO(data), "rb") as source:
            channels, width = source.getnchannels(), source.getsampwidth()
            rate, declared = source.getframerate(), source.getnframes()
            if not WAV_RATES[0] <= rate <= WAV_RATES[1]:
                raise SignalLoadError("wav_rate", rate=rate, lo=WAV_RATES[0], hi=WAV_RATES[1])
            if declared / rate > WAV_MAX_SECONDS:
                raise SignalLoadError("wav_too_long", seconds=f"{declared / rate:.1f}",
                                      limit=f"{WAV_MAX_SECONDS:g}")
            frames = source.readframes(declared)
    except SignalLoadError:
        raise
    except (wave.Error, EOFError, struct.error, ValueError) as error:
        raise SignalLoadError("wav_broken", detail=str(error) or type(error).__name__) from None
    if width not in (1, 2, 3, 4):
        raise SignalLoadError("wav_width", bits=8 * width)
    frame_bytes = channels * width
    count = len(frames) // frame_bytes
    if count == 0:
        raise SignalLoadError("wav_no_samples")
    samples = _pcm_to_float(frames[:count * frame_bytes], width).reshape(count, channels)
    notes: list[Message] = []
    if count < declared:
        notes.append(Message("signals.wav_truncated", {"got": count, "declared": declared}))
    if channels > 1:
        notes.append(Message("signals.wav_mixed", {"channels": channels}))
    mono = samples.mean(axis=1, dtype=np.float64).astype(np.float32)
    return Audio(mono, rate, channels, 8 * width, tuple(notes))


def _pcm_to_float(frames: bytes, width: int) -> np.ndarray:
    raw = np.frombuffer(frames, dtype=np.uint8)
    if width == 1:
        return (raw.astype(np.float32) - 128.0) / 128.0
    if width == 3:
        triples = raw.reshape(-1, 3).astype(np.int32)
        value = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        value = np.where(value >= 1 << 23, value - (1 << 24), value)
        return (value / float(1 << 23)).astype(np.float32)
    dtype = {2: "<i2", 4: "<i4"}[width]
    return (np.frombuffer(frames, dtype=dtype) / float(1 << (8 * width - 1))).astype(np.float32)


def synth_audio(seed: int = 0, *, rate: int = SYNTH_RATE, seconds: float = SYNTH_SECONDS) -> Audio:
    """A seeded sample: three notes (A4, C#5, E5), each with a fast attack and an exponential
    decay, a little noise between them; peak 0.8.

    Examples
    --------
    >>> audio = synth_audio()
    >>> audio.sample_rate, audio.samples.size, round(float(abs(audio.samples).max()), 2)
    (8000, 16000, 0.8)
    """
    rng = np.random.default_rng(seed)
    count = int(rate * seconds)
    time = np.arange(count) / rate
    signal = np.zeros(count)
    note_length = seconds / 3
    for number, frequency in enumerate((440.0, 554.37, 659.25)):
        start = number * note_length
        local = time - start
        inside = (local >= 0) & (local < note_length)
        envelope = np.minimum(local / 0.02, 1.0) * np.exp(-local * 4.0)
        signal += np.where(inside, envelope * np.sin(2 * np.pi * frequency * local), 0.0)
    signal += 0.03 * rng.standard_normal(count)
    signal *= 0.8 / np.abs(signal).max()
    return Audio(signal.astype(np.float32), rate)


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """``samples`` (−1..1, clipped) as a 16-bit mono PCM WAV file.

    Examples
    --------
    >>> read_wav(wav_bytes(np.array([0.0, 0.5, -1.0]), 8000)).samples
    array([ 0. ,  0.5, -1. ], dtype=float32)
    """
    pcm = np.round(np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0) * 32767)
    pcm = np.where(np.asarray(samples) <= -1.0, -32768, pcm).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(int(sample_rate))
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


# -- the toy sentence -----------------------------------------------------------------------------
def sentence_tokens(text: str) -> list[str]:
    """Words separated by spaces; a text with no spaces is split into its characters (Chinese).

    Examples
    --------
    >>> sentence_tokens("the  film was good"), sentence_tokens("很好看")
    (['the', 'film', 'was', 'good'], ['很', '好', '看'])
    """
    words = text.split()
    if len(words) == 1 and len(words[0]) > 1 and not words[0].isascii():
        words = list(words[0])
    return words[:SENTENCE_MAX_WORDS]


def word_vector(word: str, dim: int = WORD_DIM) -> np.ndarray:
    """A deterministic vector for ``word`` (seeded by the CRC-32 of its UTF-8 bytes; lower case).

    The same word always gets the same vector, in every session and on every machine.
    """
    seed = zlib.crc32(word.lower().encode("utf-8"))
    return np.random.default_rng(seed).standard_normal(dim).astype(np.float32)


def word_vectors(tokens: list[str], dim: int = WORD_DIM) -> np.ndarray:
    """The sentence as a ``(dim, L)`` array: one column per word (conv1d's channels × length)."""
    return np.stack([word_vector(word, dim) for word in tokens], axis=1)


def sentence_filters(seed: int = 0, dim: int = WORD_DIM) -> list[tuple[np.ndarray, float]]:
    """Convolution filters ``(weight (1, dim, width), bias)`` of widths :data:`FILTER_WIDTHS`."""
    rng = np.random.default_rng(seed)
    return [((rng.standard_normal((1, dim, width)) / np.sqrt(dim * width)).astype(np.float32),
             float(np.round(rng.uniform(-0.2, 0.2), 2)))
            for width in FILTER_WIDTHS]
