"""The teacher shares an uploaded photo with the live class (AppTest: one session per person,
one SQLite file through ``PLAB_DATA_DIR``, as in ``tests/test_ui_live.py``).

The photo shared is the picture the app pools, reduced to at most 512 pixels a side by block
means, rounded to 8 bits. The test's photo is a 768×1024 gray PNG of random pixels: the step is
⌈1024 / 512⌉ = 2, so the class photo is 384×512 and each of its pixels the mean of a 2×2 block
(a multiple of 1/4, rounded half to even) — worked out here with NumPy's reshape, not with the
app's block means.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from test_ui_language import english_left
from test_ui_live import join, start_class, texts
from ui_support import assert_no_bug, open_page

import pooling_core as pc
import pooling_live as pl
from pooling_live import store as live_store
from pooling_ui.classroom import live_sync

GPS_MARK = b"GPS-secret-47.3769N"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """Every session of the test on one fresh SQLite file (the store is cached per folder)."""
    monkeypatch.setenv("PLAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PLAB_DATABASE_URL", raising=False)
    return tmp_path


def photo_png(seed: int, shape=(768, 1024), *, with_exif: bool = True) -> tuple[bytes, np.ndarray]:
    """A photo as a phone would send it (with EXIF metadata carrying a location-like text), and
    its pixels."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, shape, dtype=np.uint8)
    image = Image.fromarray(pixels, "L" if len(shape) == 2 else "RGB")
    buffer = io.BytesIO()
    options = {}
    if with_exif:
        exif = Image.Exif()
        exif[0x010E] = GPS_MARK.decode()  # ImageDescription
        options["exif"] = exif.tobytes()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue(), pixels


def reduced_by_hand(pixels: np.ndarray, step: int) -> np.ndarray:
    """Block means over ``step × step`` (sides divisible by ``step``), rounded half to even."""
    height, width = pixels.shape[:2]
    values = pixels.astype(np.float64)
    if values.ndim == 2:
        values = values[..., None]
    means = values.reshape(height // step, step, width // step, step, -1).mean(axis=(1, 3))
    return np.rint(np.moveaxis(means, -1, 0))


def upload(app, name: str, data: bytes) -> None:
    app.radio(key="in_source").set_value("upload").run()
    app.file_uploader(key="in_upload").set_value((name, data, "image/png")).run()
    assert_no_bug(app)


def current(app):
    """What the session's page pools: ``(feature map, parameters)``."""
    return app.session_state["page_current"]


def pooled(app) -> np.ndarray:
    fm, params = current(app)
    return pc.pool2d(fm.data, **params.kwargs())


def stored_photos(code: str) -> list[bytes]:
    store = live_sync.store()
    with store.engine.connect() as connection:
        return list(connection.execute(
            live_store.sa.select(live_store.class_photos.c.png)
            .where(live_store.class_photos.c.class_code == code)).scalars())


def test_a_shared_photo_is_what_following_students_pool(data_dir):
    teacher, code = start_class()
    follower = join(code, "Ada")
    loner = join(code, "Bo")
    loner.toggle(key="live_follow").set_value(False).run()
    own = current(loner)[0]
    assert "Share this photo with the class" not in [b.label for b in teacher.button]
    assert any("never sent to the class by itself" in c.value for c in teacher.caption)

    data, pixels = photo_png(1)
    upload(teacher, "holiday *snap* <b>.png", data)
    # uploaded, not shared: the class follows nothing of it, nothing is stored
    share = teacher.button(key="live_photo_share")
    assert share.label == "Share this photo with the class"
    what = next(m.value for m in teacher.markdown if "as the app pools it" in m.value)
    assert "384×512 pixels" in what and "at most 512" in what and "1,048,576 bytes" in what
    assert "no location" in what and "deleted when you end the class" in what
    assert "holiday \\*snap\\* \\<b\\>.png" in what  # the name is text, not Markdown
    assert current(teacher)[0].source == "upload"
    follower.run()
    assert current(follower)[0].source == "preset" and stored_photos(code) == []

    share.click().run()
    assert_no_bug(teacher)
    mine = current(teacher)[0]
    assert mine.source == "class" and mine.data.dtype == np.float32
    expected = reduced_by_hand(pixels, 2)
    assert expected.shape == (1, 384, 512)
    assert np.array_equal(mine.data, expected)
    assert any("The class is shown Class photo holiday" in s.value for s in teacher.success)
    [png] = stored_photos(code)
    assert png.startswith(b"\x89PNG") and len(png) <= pl.PHOTO_MAX_BYTES
    assert GPS_MARK in data and GPS_MARK not in png and b"eXIf" not in png  # no metadata left

    follower.run()
    assert_no_bug(follower)
    theirs = current(follower)[0]
    assert theirs.source == "class"
    assert np.array_equal(theirs.data, mine.data) and theirs.data.dtype == mine.data.dtype
    assert current(follower)[1] == current(teacher)[1]
    assert np.array_equal(pooled(follower), pooled(teacher), equal_nan=True)
    assert any("Class photo holiday" in i.value and "384×512" in i.value for i in follower.info)
    loner.run()
    # not following: the loner's own input, untouched
    assert current(loner)[0].key == own.key and current(loner)[0].source == "preset"

    # the teacher shares another photo (in colour, small enough to stay as it is): followed
    teacher.button(key="in_class_photo_leave").click().run()
    assert current(teacher)[0].source == "upload"
    data2, pixels2 = photo_png(2, (60, 80, 3), with_exif=False)
    teacher.toggle(key="in_rgb").set_value(True).run()
    teacher.file_uploader(key="in_upload").set_value(("second.png", data2, "image/png")).run()
    teacher.button(key="live_photo_share").click().run()
    assert_no_bug(teacher)
    second = current(teacher)[0]
    assert np.array_equal(second.data, np.moveaxis(pixels2, -1, 0).astype(np.float32))
    follower.run()
    assert_no_bug(follower)
    assert np.array_equal(current(follower)[0].data, second.data)
    assert current(follower)[0].key == second.key != mine.key
    # the follower may take their own input back; leaving the class gives it back too
    follower.button(key="in_class_photo_leave").click().run()
    assert current(follower)[0].source == "preset"
    teacher.button(key="in_class_photo_leave").click().run()
    teacher.button(key="live_photo_share").click().run()  # the same bytes: the same photo
    assert current(teacher)[0].key == second.key
    follower.toggle(key="live_follow").set_value(False).run()
    follower.toggle(key="live_follow").set_value(True).run()  # follow again: the photo again
    follower.run()
    assert current(follower)[0].key == second.key
    follower.button(key="live_leave").click().run()
    assert current(follower)[0].source == "preset"
    # ending the class deletes its photos
    teacher.button(key="live_end").click().run()
    assert stored_photos(code) == []


@pytest.mark.parametrize("failure", ["unavailable", "damaged", "ended"])
def test_a_photo_that_cannot_be_read_keeps_the_students_input(data_dir, monkeypatch, failure):
    teacher, code = start_class()
    follower = join(code, "Ada")
    before = current(follower)[0]
    upload(teacher, "p.png", photo_png(3, (40, 50))[0])
    if failure == "unavailable":
        def broken(*args, **kwargs):
            raise pl.StoreUnavailable("unavailable", detail="server closed the connection",
                                      attempts=9)
    elif failure == "damaged":
        def broken(self, code, photo_id):
            photo = real(self, code, photo_id)
            return pl.ClassPhoto(photo.id, photo.name, photo.png[:-20] + bytes(20),
                                 photo.sha256, photo.shared_at)
    else:
        def broken(self, code, photo_id):
            raise pl.UnknownPhoto("no_photo", class_code=code)
    real = pl.Store.class_photo
    monkeypatch.setattr(pl.Store, "class_photo", broken)
    teacher.button(key="live_photo_share").click().run()
    follower.run()
    assert_no_bug(follower)
    assert current(follower)[0].key == before.key and current(follower)[0].source == "preset"
    said = [e.value for e in follower.error if "teacher's photo could not be shown" in e.value]
    reason = {"unavailable": "not available right now", "damaged": "damaged",
              "ended": "no such photo"}[failure]
    assert said and reason in said[0], texts(follower)
    assert "Your input stays as it was" in said[0]


def test_an_oversized_photo_is_refused_with_the_cap(data_dir, monkeypatch):
    teacher, code = start_class()
    upload(teacher, "big.png", photo_png(4, (64, 64))[0])
    monkeypatch.setattr(live_store, "PHOTO_MAX_BYTES", 1000)
    teacher.button(key="live_photo_share").click().run()
    assert_no_bug(teacher)
    refused = [e.value for e in teacher.error if "too large to share" in e.value]
    assert refused and refused[0].startswith("The photo is too large to share with the class:")
    assert refused[0].endswith("bytes, at most 1000.")
    assert current(teacher)[0].source == "upload" and stored_photos(code) == []


def test_no_link_points_at_a_class_photo(data_dir):
    teacher, code = start_class()
    upload(teacher, "p.png", photo_png(5, (40, 50))[0])
    teacher.button(key="live_photo_share").click().run()
    photo_id = live_sync.store().poll(code).view["class_photo"]
    assert "class_photo" not in teacher.query_params and photo_id not in str(
        dict(teacher.query_params))
    # a link naming the photo (even with the class's code) shows no photo: only the view can
    stranger = open_page("explorer", {"input": "classphoto", "class_photo": photo_id,
                                      "class": code})
    assert_no_bug(stranger)
    assert current(stranger)[0].source == "preset"
    assert "class_photo" not in [b.key for b in stranger.button]
    # a student's Live class page offers no sharing
    student = join(code, "Eve")
    assert "live_photo_share" not in [b.key for b in student.button]


def test_sharing_a_photo_in_chinese_has_no_english_left(data_dir):
    teacher, code = start_class("zh")
    assert english_left(teacher) == {}, english_left(teacher)
    follower = join(code, "小明", "zh")
    upload(teacher, "照片.png", photo_png(6, (40, 50))[0])
    assert english_left(teacher) == {}, english_left(teacher)
    teacher.button(key="live_photo_share").click().run()
    assert_no_bug(teacher)
    assert english_left(teacher) == {}, english_left(teacher)
    follower.run()
    assert_no_bug(follower)
    assert current(follower)[0].source == "class"
    assert any("课堂照片 照片.png" in i.value for i in follower.info)
    assert english_left(follower) == {}, english_left(follower)
