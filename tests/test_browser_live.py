"""The live class in real browsers: one teacher and three students, each in its own Chromium
context (its own Streamlit session), on the one server of the browser tests (its class database in
a throwaway folder: ``conftest.app_server``).

The students follow a change of the teacher's kernel, then the teacher's worked example (avg,
kernel 3, stride 2, padding 1, padding counted, on the 4×4 grid
``[[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 8, 1], [3, 4, 0, 6]]``); the class is asked output cell
y[0,0]. Worked by hand: its window holds 1, 3, 5, 6 inside the input and 5 padding zeros, so
y[0,0] = 15/9 ≈ 1.667; leaving the padding out gives 15/4 = 3.75, taking the maximum gives 6. One
student answers each; the teacher's screen must show 3 of 3 answered, 1 right, and the two
misconceptions by name; after Reveal each student sees the right answer (and the second, why
theirs was wrong). In English and in Chinese, every word looked up in the catalogue.

``PLAB_SCREENSHOTS=1`` also saves the teacher's screen as ``docs/screenshot-live-teacher.png``
(the README's picture).
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
from browser_support import ARTIFACTS, REPO_ROOT, exception_texts, open_app, wait_for_idle

from pooling_ui.base.i18n import catalogue

MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'
EXPECT_TIMEOUT_MS = 30_000
# students pick up a change through a poll every 1.5 s, then a full rerun: generous on 2 cores
FOLLOW_TIMEOUT_MS = 30_000
ANSWERS = ("5/3", "3.75", "6")
WORKED = "input=worked4x4&kind=avg&kernel=3&stride=2&padding=1&count_include_pad=true"


def words(lang: str, key: str, **fields) -> str:
    """A catalogue text as the page shows it (fields filled in, Markdown's ** and ` dropped)."""
    text = catalogue(lang)[key].format(**fields) if fields else catalogue(lang)[key]
    return text.replace("**", "").replace("`", "")


def start_class(browser_page, base: str, lang: str, name: str):
    """A teacher's page on the Live class page that pressed *Start a class*: the page, the join
    link, the teacher link and the class code, as the page shows them."""
    teacher = browser_page(name, timeout_ms=EXPECT_TIMEOUT_MS,
                           viewport={"width": 1400, "height": 1000})
    open_app(teacher, f"{base}/live?lang={lang}", timeout_ms=90_000)
    teacher.locator(MAIN).get_by_role("button", name=words(lang, "live.start.button")).click()
    wait_for_idle(teacher)
    links = teacher.locator(f"{MAIN} code").all_text_contents()
    join_link = next(text for text in links if "?class=" in text and "teacher=" not in text)
    teacher_link = next(text for text in links if "teacher=" in text)
    code = re.search(r"class=([0-9A-Z]{6})", join_link).group(1)
    return teacher, join_link, teacher_link, code


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_live_class_follows_answers_and_is_diagnosed(browser_page, app_server, lang):
    from playwright.sync_api import expect

    base = app_server.url
    teacher, join_link, teacher_link, code = start_class(
        browser_page, base, lang, f"browser-live-teacher-{lang}")
    assert join_link.endswith(f"/live?class={code}")

    students = []
    for number, nickname in enumerate(("Ada", "Bo", "Cy")):
        student = browser_page(f"browser-live-student{number}-{lang}",
                               timeout_ms=EXPECT_TIMEOUT_MS)
        open_app(student, f"{base}/live?class={code}&lang={lang}")
        main = student.locator(MAIN)
        expect(main.get_by_role("textbox", name=words(lang, "live.join.code"))).to_have_value(code)
        main.get_by_role("textbox", name=words(lang, "live.join.nickname")).fill(nickname)
        main.get_by_role("button", name=words(lang, "live.join.button")).click()
        wait_for_idle(student)
        expect(main.get_by_text(words(lang, "live.student.in_class_as", code=code,
                                      nickname=nickname))).to_be_visible()
        students.append(student)

    # the teacher changes the kernel in the sidebar: every student's sidebar follows
    kernel_h = teacher.locator(SIDEBAR).get_by_role(
        "spinbutton", name=words(lang, "params.kernel_h"))
    kernel_h.fill("3")
    kernel_h.press("Enter")
    wait_for_idle(teacher)
    for student in students:
        expect(student.locator(SIDEBAR).get_by_role(
        "spinbutton", name=words(lang, "params.kernel_h"))).to_have_value(
            "3", timeout=FOLLOW_TIMEOUT_MS)

    # the teacher reopens the class with the teacher link on the worked example, and asks y[0,0]
    open_app(teacher, f"{teacher_link}&lang={lang}&{WORKED}")
    assert "teacher=" not in teacher.url  # out of the (projected) address bar
    for student in students:
        expect(student.locator(SIDEBAR).get_by_role(
            "spinbutton", name=words(lang, "params.kernel_w"))).to_have_value(
            "3", timeout=FOLLOW_TIMEOUT_MS)
    teacher.locator(MAIN).get_by_role("button", name=words(lang, "live.ask.button")).click()
    wait_for_idle(teacher)
    prompt = words(lang, "live.prompt.cells", row=0, col=0)
    for student, typed in zip(students, ANSWERS, strict=True):
        main = student.locator(MAIN)
        expect(main.get_by_text(prompt)).to_be_visible(timeout=FOLLOW_TIMEOUT_MS)
        wait_for_idle(student)
        main.get_by_role("textbox", name=words(lang, "live.answer.value")).fill(typed)
        main.get_by_role("button", name=words(lang, "live.answer.send")).click()
        wait_for_idle(student)
        expect(main.get_by_text(words(lang, "live.answer.received", answer=typed))).to_be_visible()

    # the teacher's screen, live: 3 of 3 answered, 1 right, both misconceptions by name
    main = teacher.locator(MAIN)
    expect(main.get_by_text(words(lang, "live.teacher.counts", answered=3, joined=3, right=1))
           ).to_be_visible(timeout=FOLLOW_TIMEOUT_MS)
    for code_name in ("ignored_padding", "max_for_avg"):
        name = words(lang, f"live.misconceptions.{code_name}.name")
        expect(main.get_by_text(name, exact=True)).to_be_visible()
    expect(main.get_by_text("y[0,0] = (1 + 3 + 5 + 6)/4 = 3.75")).to_be_visible()
    wait_for_idle(teacher)
    if lang == "en":
        # the results in view: the page scrolls inside Streamlit's main area, not the window
        main.get_by_text(words(lang, "live.teacher.results_heading")).evaluate(
            "heading => heading.scrollIntoView({block: 'start'})")
        teacher.wait_for_timeout(500)
        shot = ARTIFACTS / "live-teacher.png"
        ARTIFACTS.mkdir(exist_ok=True)
        teacher.screenshot(path=str(shot))
        if os.environ.get("PLAB_SCREENSHOTS") == "1":
            shutil.copyfile(shot, REPO_ROOT / "docs" / "screenshot-live-teacher.png")

    # reveal: each student sees the right answer; the one who left the padding out, why
    main.get_by_role("button", name=words(lang, "live.teacher.reveal")).click()
    wait_for_idle(teacher)
    right = words(lang, "live.answer.right_answer", answer="1.667")
    for student in students:
        expect(student.locator(MAIN).get_by_text(right)).to_be_visible(timeout=FOLLOW_TIMEOUT_MS)
    expect(students[0].locator(MAIN).get_by_text(words(lang, "live.answer.you_right",
                                                       answer="5/3"))).to_be_visible()
    expect(students[1].locator(MAIN).get_by_text(
        words(lang, "live.misconceptions.ignored_padding.name"), exact=True)).to_be_visible()
    expect(students[2].locator(MAIN).get_by_text(
        words(lang, "live.misconceptions.max_for_avg.name"), exact=True)).to_be_visible()
    for page in (teacher, *students):
        assert exception_texts(page) == []


def test_a_photo_shared_with_the_class_reaches_a_following_student(browser_page, app_server):
    """The teacher uploads a photo in the sidebar and shares it from the Live class page; a
    student who joined by the link is shown it ("Class photo coffee.png (…), shared by the
    teacher") with the teacher's size. scikit-image's coffee, 400×600, in gray: reduced to at
    most 512 px a side in whole blocks it is 200×300 (step ⌈600/512⌉ = 2), worked out here."""
    from photo_support import photo_bytes
    from playwright.sync_api import expect

    lang, base = "en", app_server.url
    teacher, _, _, code = start_class(browser_page, base, lang, "browser-live-photo-teacher")

    student = browser_page("browser-live-photo-student", timeout_ms=EXPECT_TIMEOUT_MS)
    open_app(student, f"{base}/live?class={code}&lang={lang}")
    student.locator(MAIN).get_by_role("button", name=words(lang, "live.join.button")).click()
    wait_for_idle(student)

    sidebar = teacher.locator(SIDEBAR)
    sidebar.get_by_text(words(lang, "input.sources.upload"), exact=True).click()
    wait_for_idle(teacher)
    teacher.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "coffee.png", "mimeType": "image/png", "buffer": photo_bytes("coffee")}])
    wait_for_idle(teacher, timeout_ms=60_000)
    teacher.locator(MAIN).get_by_role("button", name=words(lang, "live.photo.share")).click()
    wait_for_idle(teacher, timeout_ms=60_000)

    shown = words(lang, "input.class_photo", photo=words(lang, "input.name_class_photo",
                                                        name="coffee.png"), h=200, w=300)
    expect(student.locator(SIDEBAR).get_by_text(shown)).to_be_visible(timeout=FOLLOW_TIMEOUT_MS)
    assert not exception_texts(teacher) and not exception_texts(student)
