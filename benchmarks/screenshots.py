"""Regenerate the README's screenshots (``docs/screenshot-*.png``) by using the app as a new user.

Run from the repository root (needs a Chromium, e.g. Debian's ``chromium``, and a CJK font for
the Chinese page, e.g. Debian's ``fonts-noto-cjk``)::

    .venv/bin/python benchmarks/screenshots.py            # all of them
    .venv/bin/python benchmarks/screenshots.py photo      # only some

It starts ``streamlit run app.py`` on a free loopback port and, in a headless Chromium,
opens the Explorer from one link in English and in Chinese, types the 4×4 worked example into
the data editor, uploads a generated 12-megapixel phone photo,
draws a digit on the canvas, opens a shared link, and visits the Gradients and Compare pages —
each through the page itself (keyboard, mouse, dropzone), never by setting state behind its back.
The lesson pages and the quiz are opened from the links in :data:`LESSON_LINKS`; a typed grid from
its link with the Share box opened, a photo's blown-up output, projector mode at 1024×768, and
the Explorer and the quiz on a phone (390×844, touch: ``phone-explorer``, ``phone-quiz``).
The PNGs are reduced to a 256-colour palette so the repository stays small.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))
sys.path.insert(0, str(REPO_ROOT))

from browser_support import (  # noqa: E402  (after the path set-up)
    ARTIFACTS,
    VIEWPORT,
    StreamlitServer,
    chromium,
    exception_texts,
    find_chromium,
    missing_browser_reason,
    open_app,
    phone_photo_jpeg,
    typed_cell_centre,
    wait_for_idle,
)

DOCS = REPO_ROOT / "docs"
SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'
SHARED_LINK = "/?kind=avg&kernel=3x2&stride=2&padding=1&input=checkerboard"
# One view in both languages: the worked example averaged with overlapping, padded windows.
BILINGUAL_LINK = "/?input=worked4x4&kind=avg&kernel=3&stride=1&padding=1"
WORKED_4X4 = ((1, 3, 2, 4), (5, 6, 1, 2), (7, 2, 8, 1), (3, 4, 0, 6))
# Strokes of a "2" as fractions of the canvas's width and height from its top-left corner; the
# top ~15 % is left alone, since the canvas's floating toolbar may cover it.
DIGIT_TWO = (
    ((0.27, 0.33), (0.37, 0.25), (0.53, 0.22), (0.66, 0.26), (0.72, 0.36), (0.68, 0.48),
     (0.57, 0.60), (0.43, 0.72), (0.29, 0.84)),
    ((0.29, 0.84), (0.47, 0.84), (0.62, 0.84), (0.76, 0.84)),
)


def choose_source(page, label: str) -> None:
    page.locator(SIDEBAR).get_by_text(label, exact=True).click()
    wait_for_idle(page)


def scroll_main_to(page, text: str) -> None:
    """Scroll the main column so that the heading ``text`` is at the top of the view, below
    Streamlit's header bar (which would cover it)."""
    page.locator(MAIN).get_by_text(text, exact=True).first.evaluate(
        "element => { element.style.scrollMarginTop = '64px';"
        " element.scrollIntoView({block: 'start'}); }")
    page.wait_for_timeout(300)


def save(page, name: str) -> Path:
    """Screenshot the viewport to ``docs/<name>.png`` as a 256-colour PNG."""
    from PIL import Image

    problems = exception_texts(page)
    if problems:
        raise SystemExit(f"{name}: the page shows an exception:\n" + "\n".join(problems))
    ARTIFACTS.mkdir(exist_ok=True)
    raw = ARTIFACTS / f"{name}-raw.png"
    page.screenshot(path=str(raw))
    path = DOCS / f"{name}.png"
    with Image.open(raw) as image:
        palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                                dither=Image.Dither.NONE)
        palette.save(path, optimize=True)
    print(f"{path.relative_to(REPO_ROOT)}: {path.stat().st_size / 1024:.0f} KiB")
    return path


# ---------------------------------------------------------------------------------------------
# One function per screenshot
# ---------------------------------------------------------------------------------------------


def typed_example(page, url: str) -> None:
    """The Explorer with the 4×4 worked example typed cell by cell into the data editor."""
    open_app(page, url)
    choose_source(page, "Type")
    grid = page.locator(MAIN).locator('[data-testid="stDataFrame"]')
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # Each cell is opened by a double click at its centre (right of the row numbers, below the
    # header), filled, and committed with Enter; the app reruns after each.
    for row, values in enumerate(WORKED_4X4):
        for col, value in enumerate(values):
            page.mouse.dblclick(*typed_cell_centre(box, row, col))
            editor = page.locator("textarea").last
            editor.wait_for()
            editor.fill(str(value))
            page.keyboard.press("Enter")
            wait_for_idle(page)
    page.locator(MAIN).get_by_text("Shape: 1×4×4 → 1×2×2").wait_for()
    # what was typed must be what the app pools: the worked example's first window is 1, 3, 5, 6
    page.locator(MAIN).get_by_text("y[0,0] = max(1, 3, 5, 6) = 6").wait_for()
    page.keyboard.press("Escape")  # leave the grid: no selected cell in the picture
    page.mouse.move(5, 5)  # and no hover effects either
    scroll_main_to(page, "Edit the input")
    save(page, "screenshot-typed-4x4")


def phone_photo(page, url: str) -> None:
    """A 12-megapixel phone photo (upright 3000×4000, stored on its side with EXIF 6)."""
    photo = phone_photo_jpeg(3000, 4000, seed=7, exif_orientation=6)
    open_app(page, url)
    choose_source(page, "Upload")
    page.locator(SIDEBAR).get_by_text("Colour", exact=False).first.click()
    wait_for_idle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    wait_for_idle(page, timeout_ms=120_000)
    page.locator(MAIN).get_by_text("Shape: 3×4000×3000", exact=False).wait_for(timeout=120_000)
    scroll_main_to(page, "Pooled output")
    save(page, "screenshot-photo")


def drawn_digit(page, url: str) -> None:
    """A "2" drawn with the mouse on the canvas, sampled to a 16×16 grid."""
    open_app(page, url)
    choose_source(page, "Draw")
    canvas = page.locator("canvas.upper-canvas").first
    # the whole canvas in view: a stroke outside the viewport never reaches it
    canvas.evaluate("element => element.scrollIntoView({block: 'center'})")
    box = canvas.bounding_box()

    def point(fraction_x: float, fraction_y: float) -> tuple[float, float]:
        return box["x"] + fraction_x * box["width"], box["y"] + fraction_y * box["height"]

    for stroke in DIGIT_TWO:
        page.mouse.move(*point(*stroke[0]))
        page.mouse.down()
        for fractions in stroke[1:]:
            page.mouse.move(*point(*fractions), steps=4)
        page.mouse.up()
        wait_for_idle(page)
    page.locator(SIDEBAR).get_by_text("The canvas is empty").wait_for(state="detached")
    # Play it fast to the end, so that the whole output is filled in.
    plot = page.locator(".js-plotly-plot").filter(has=page.locator(".updatemenu-button")).first
    steps = plot.evaluate("gd => gd.layout.sliders[0].steps.length")
    plot.locator(".updatemenu-button").filter(has_text="Fast").click()
    page.wait_for_function(f"gd => gd.layout.sliders[0].active === {steps - 1}",
                           arg=plot.element_handle(), timeout=60_000)
    scroll_main_to(page, "The sliding window")
    save(page, "screenshot-drawn-digit")


def shared_link(page, url: str) -> None:
    """The view a shared link opens: avg, 3×2 window, stride 2, padding 1, checkerboard."""
    open_app(page, url + SHARED_LINK)
    scroll_main_to(page, "The sliding window")
    save(page, "screenshot-shared-link")


def gradients_page(page, url: str) -> None:
    open_app(page, url + "/?input=checkerboard&kind=max&kernel=3&stride=2&padding=1")
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Gradients").click()
    wait_for_idle(page, settle_ms=500)
    page.locator("h1").filter(has_text="Gradients").wait_for()
    save(page, "screenshot-gradients")


def compare_page(page, url: str) -> None:
    open_app(page, url)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Compare").click()
    wait_for_idle(page, settle_ms=500)
    page.locator("h1").filter(has_text="Compare").wait_for()
    save(page, "screenshot-compare")


def explorer_in(lang: str):
    """The Explorer opened from the same link in ``lang``, for the README's pair of pictures."""

    def shot(page, url: str) -> None:
        from pooling_ui.base.i18n import t

        open_app(page, f"{url}{BILINGUAL_LINK}&lang={lang}")
        page.mouse.move(5, 5)
        scroll_main_to(page, t("animation.heading", lang))
        save(page, f"screenshot-explorer-{lang}")

    return shot


def page_from_link(name: str, link: str, heading_key: str | None = None):
    """A page opened from ``link`` as a visitor would, scrolled to the heading ``heading_key``
    (a catalogue key) when given: the lesson and classroom pages need no more than their link."""

    def shot(page, url: str) -> None:
        from pooling_ui.base.i18n import t

        open_app(page, url + link, timeout_ms=120_000)
        page.mouse.move(5, 5)
        if heading_key is not None:
            scroll_main_to(page, t(heading_key, "en"))
        save(page, f"screenshot-{name}")

    return shot


def compare_photo(lang: str, projector_mode: bool = False):
    """Compare on scikit-image's astronaut (a real photo shipped inside its wheel), average
    3×3 stride 2 padding 1 against max: the outputs side by side, scrolled to the heading."""

    def shot(page, url: str) -> None:
        from photo_support import photo_bytes

        from pooling_ui.base.i18n import t

        link = f"/compare?lang={lang}&kind=avg&kernel=3&stride=2&padding=1"
        open_app(page, url + link + ("&projector=1" if projector_mode else ""),
                 timeout_ms=120_000)
        if projector_mode:  # the sidebar starts collapsed on a projector: open it to upload
            page.locator('[data-testid="stExpandSidebarButton"]').click()
            wait_for_idle(page)
        choose_source(page, t("input.sources.upload", lang))
        page.locator(SIDEBAR).get_by_text(t("input.rgb", lang), exact=True).click()
        wait_for_idle(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": "astronaut.png", "mimeType": "image/png",
                    "buffer": photo_bytes("astronaut")}])
        wait_for_idle(page, timeout_ms=120_000)
        if projector_mode:
            page.locator('[data-testid="stSidebarCollapseButton"] button').click()
            wait_for_idle(page)
        page.mouse.move(5, 5)
        scroll_main_to(page, t("compare.outputs_heading", lang))
        suffix = "-projector" if projector_mode else ""
        save(page, f"screenshot-compare-photo{suffix}-{lang}")

    if projector_mode:
        shot.viewport = {"width": 1024, "height": 768}
    return shot


SHARED_GRID_LINK = ("/?lang=en&input=grid&grid=1,3,2,4,0;5,6,1,2,7;7,2,8,1,3;3,4,0,6,5;"
                    "2,9,4,1,8&kind=avg&kernel=2&stride=1")


def shared_grid(page, url: str) -> None:
    """A typed 5×5 grid opened from its link, the sidebar's Share box open on the same link."""
    from pooling_ui.base.i18n import t

    open_app(page, url + SHARED_GRID_LINK, timeout_ms=120_000)
    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_text(t("links.share_title", "en"), exact=True).click()
    wait_for_idle(page, timeout_ms=60_000)
    scroll_main_to(page, t("animation.heading", "en"))
    from pooling_ui.panels.share import BOX_CLASS

    sidebar.locator(f".{BOX_CLASS}").last.evaluate(
        "element => element.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(300)
    save(page, "screenshot-share")


def photo_blocks(page, url: str) -> None:
    """The sample photo max-pooled 8×8, the output blown up to the input's size beside it."""
    from pooling_ui.base.i18n import t

    open_app(page, url + "/?input=photo&kernel=8&lang=en", timeout_ms=120_000)
    page.locator(MAIN).get_by_text(t("photo_view.modes.blocks", "en"), exact=True).click()
    wait_for_idle(page, timeout_ms=60_000)
    scroll_main_to(page, t("photo_view.mode", "en"))
    save(page, "screenshot-photo-blocks")


def projector(page, url: str) -> None:
    """Projector mode on a 1024×768 screen: the sidebar collapsed, big numbers in the cells."""
    from pooling_ui.base.i18n import t

    open_app(page, url + "/?lang=en&projector=1&input=random&input_size=12&kind=avg&kernel=3"
             "&stride=2&padding=1", timeout_ms=120_000)
    page.mouse.move(5, 5)
    scroll_main_to(page, t("animation.heading", "en"))
    save(page, "screenshot-projector")


projector.viewport = {"width": 1024, "height": 768}

# A phone held upright (390×844 CSS pixels, as an iPhone 12-15): touch, no hover, drawn at twice
# the resolution, as the phone's own screen shows it.
PHONE_VIEWPORT = {"width": 390, "height": 844}
PHONE_CONTEXT = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
PHONE_EXPLORER_LINK = "/?lang=en&input=worked4x4&kind=avg&kernel=3&stride=1&padding=1"


def on_phone(shot):
    """``shot`` run in a phone's browser (see :data:`PHONE_CONTEXT`)."""
    shot.viewport = PHONE_VIEWPORT
    shot.context_options = PHONE_CONTEXT
    return shot


@on_phone
def phone_explorer(page, url: str) -> None:
    """The Explorer on a phone: the cross-check badge (whole, on two lines) and the animation."""
    from pooling_ui.base.i18n import t

    open_app(page, url + PHONE_EXPLORER_LINK, timeout_ms=120_000)
    page.locator(MAIN).locator(".stMarkdownBadge").last.evaluate(
        "element => { element.style.scrollMarginTop = '64px';"
        " element.scrollIntoView({block: 'start'}); }")
    page.wait_for_timeout(300)
    page.locator(MAIN).get_by_text(t("animation.heading", "en"), exact=True).wait_for()
    save(page, "screenshot-phone-explorer")


@on_phone
def phone_quiz(page, url: str) -> None:
    """The quiz on a phone, from the top of its first question."""
    open_app(page, url + LESSON_LINKS["quiz"], timeout_ms=120_000)
    save(page, "screenshot-phone-quiz")


# Links that show each lesson page at its most telling (chosen by the pages' authors).
LESSON_LINKS = {
    "shapes": "/shapes?lang=en&input=worked4x4&kind=avg&kernel=3&stride=2&padding=1&ceil=true",
    "conv": "/conv?input=checkerboard&input_size=16&conv_cell=1,2&lang=en",
    "shift": "/shift?input=photo&shift_by=0x1&shift_sub=0.5&shift_filter=3&shift_dir=right&lang=en",
    "pool1d": "/pool1d?sig_source=series&sig_preset=spikes&sig_kind=max&sig_kernel=8&sig_stride=4"
              "&sig_step=20&lang=en",
    "quiz": "/quiz?quiz_seed=31&quiz_q=1&lang=en",
}

SHOTS = {
    **{name: page_from_link(name, link) for name, link in LESSON_LINKS.items()},
    "share": shared_grid,
    "photo-blocks": photo_blocks,
    "projector": projector,
    "explorer-en": explorer_in("en"),
    "explorer-zh": explorer_in("zh"),
    "typed": typed_example,
    "photo": phone_photo,
    "digit": drawn_digit,
    "link": shared_link,
    "gradients": gradients_page,
    "compare": compare_page,
    **{f"compare-photo-{lang}": compare_photo(lang) for lang in ("en", "zh")},
    **{f"compare-photo-projector-{lang}": compare_photo(lang, True) for lang in ("en", "zh")},
    "phone-explorer": phone_explorer,
    "phone-quiz": phone_quiz,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shots", nargs="*", help=f"any of {', '.join(SHOTS)} (default: all)")
    args = parser.parse_args()
    unknown = sorted(set(args.shots) - set(SHOTS))
    if unknown:
        parser.error(f"unknown screenshot {', '.join(unknown)}; choose from {', '.join(SHOTS)}")
    executable = find_chromium()
    if executable is None:
        raise SystemExit(missing_browser_reason())
    with StreamlitServer("app.py", log_name="screenshots-server.log") as server, \
            chromium(executable) as browser:
        for name in args.shots or SHOTS:
            start = time.perf_counter()
            # a fresh context per screenshot: a new session, as a new visitor would have
            context = browser.new_context(viewport=getattr(SHOTS[name], "viewport", VIEWPORT),
                                          **getattr(SHOTS[name], "context_options", {}))
            context.set_default_timeout(30_000)
            try:
                SHOTS[name](context.new_page(), server.url)
            finally:
                context.close()
            print(f"  ({name}: {time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
