"""The live class on every page: the store, who this session is in a class, and following the
teacher.

The teacher's *view* is what a share link carries — the query string of the shared panels and the
page's own link (never an uploaded photo's pixels: a photo is never in a link) — plus the page's
name and the Explorer's explained step. Whenever it changes, the teacher's session writes it with
:meth:`pooling_live.Store.set_view` (:func:`publish_view`, once per run, a dict comparison when
nothing changed). A following student's session puts the same values into its query string and
lets the panels read the link again, exactly as a freshly opened share link is read
(:func:`before_panels`); the language and the projector switch stay the student's own.

A photo the teacher shared with the class (:mod:`pooling_ui.classroom.class_photo`) is the one
input that travels outside the link: the view then holds ``class_photo``, the photo's random id,
beside ``link`` — a value of the view, never of a query string, so no share link can name a
class's photo; and the store gives the photo only with the class's code. A following student's
session reads it (:func:`_follow_photo`) and lends it to the input panel
(:data:`pooling_ui.panels.inputs.CLASS_PHOTO`); a view without one takes it back. A photo that
cannot be read leaves the student's input as it was, with a message.

Students notice a change through a fragment that reruns every :data:`POLL_S` seconds
(drawn with :func:`pooling_ui.base.timers.every`, so that its ticks cannot cost a run its output)
(:func:`_student_poll`): it reads one row (:meth:`pooling_live.Store.poll` with the version last
seen, which returns no view when nothing changed), draws nothing, and only when the version
changed triggers a full rerun of the app.

Session-state keys (all start with ``live_``): ``live_role`` (``"teacher"``/``"student"``),
``live_code``, ``live_key`` (the teacher key: only in the teacher's session),
``live_student`` (a student's id), ``live_nick``, ``live_version`` (the version last seen),
``live_question`` (the current question's id), ``live_ended``, ``live_follow`` (the "Follow
the teacher" toggle), ``live_pending`` (a view to apply at the start of the next run),
``live_applied`` (the view last applied), ``live_published`` (the teacher's last written view),
``live_error`` (a :class:`~pooling_ui.base.i18n.Message` to show once).

URL names: ``class`` (a join link: prefills the code), ``teacher`` (with ``class``: the teacher
link; removed from the address bar once read, as a projected screen shows it), ``me`` (a
student's id, kept in the address so that a reload or a reconnect to another worker rejoins as
the same student, with every answer kept).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import streamlit as st

import pooling_live as pl
from pooling_ui.base.i18n import Message, t
from pooling_ui.base.linkstate import Link
from pooling_ui.base.timers import every
from pooling_ui.data import shared_photos
from pooling_ui.panels import inputs

URL_NAMES = ("class", "teacher", "me")
LINK = Link("live", URL_NAMES)
# Query names that are never part of the teacher's view: the student's own language and screen,
# and the class's own names.
OWN_NAMES = frozenset({"lang", "display", *URL_NAMES})
# The link prefix (pooling_ui.base.linkstate.Link) of the shared panels and of each page that
# reads its own values from the link: those re-read a followed view.
PANEL_LINKS = ("in", "p")
PAGE_LINKS = {"quiz": "quiz", "conv": "conv", "shapes": "shapes", "shift": "shift",
              "pool1d": "sig"}
STEP_KEY = "anim_step"  # the Explorer's explained step (pooling_ui.tools.animation.STEP_KEY)
LIVE_PAGE = "live"
LIVE_PAGE_PATH = "app_pages/live.py"
POLL_S = 1.5
TEACHER_CHECK_S = 2.0
ROLE, CODE, KEY, STUDENT, NICK = "live_role", "live_code", "live_key", "live_student", "live_nick"
VERSION, QUESTION, ENDED, FOLLOW = "live_version", "live_question", "live_ended", "live_follow"
PENDING, APPLIED, PUBLISHED, ERROR = "live_pending", "live_applied", "live_published", "live_error"
TIMER = "live_timer"  # this run's timer fragment, drawn when the page is done (after_page)
JOIN_CODE = "live_join_code"  # the join form's code box (prefilled by a join link)
SESSION_KEYS = (ROLE, CODE, KEY, STUDENT, NICK, VERSION, QUESTION, ENDED, PENDING, APPLIED,
                PUBLISHED)
PROJECT_DATA_DIR = Path(__file__).resolve().parents[2] / ".data"
FAILED = object()


# -- the store ------------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=4)
def _open_store(url: str | None, data_dir: str) -> pl.Store:
    return pl.Store.open(url=url, data_dir=data_dir)


def store() -> pl.Store:
    """The process's one :class:`pooling_live.Store`: ``$PLAB_DATABASE_URL`` if set, else the
    SQLite file in ``$PLAB_DATA_DIR``, else in the project's ``.data/`` folder (shared by every
    ``make classroom`` worker, which all run from the project).

    Raises
    ------
    pooling_live.LiveError
        :class:`~pooling_live.SchemaError` or :class:`~pooling_live.StoreUnavailable` (not
        cached: the next call tries again).
    """
    url = os.environ.get("PLAB_DATABASE_URL") or None
    data_dir = os.environ.get("PLAB_DATA_DIR") or str(PROJECT_DATA_DIR)
    return _open_store(url, data_dir)


def error_message(error: pl.LiveError) -> Message:
    """A store's error in the catalogue's words (its code and fields)."""
    fields = dict(error.fields)
    # the store names what it refused in English
    if fields.get("what") in ("view", "question", "photo"):
        fields["what"] = Message(f"live.what.{fields['what']}")
    return Message(f"live.errors.{error.code}", fields)


def attempt(operation: str, *args, **kwargs):
    """``store().<operation>(*args, **kwargs)``, or :data:`FAILED` after showing the store's
    error in the session's language (a database that stays unavailable is said so, never a
    traceback)."""
    try:
        return getattr(store(), operation)(*args, **kwargs)
    except pl.LiveError as error:
        st.error(error_message(error).text(), icon=":material/error:")
        return FAILED


def session_client() -> str:
    """Who is joining, for the store's rate limit: this browser session (a class behind one
    school address is not one client)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    return f"session:{context.session_id}" if context is not None else "session:none"


def client_address() -> str | None:
    """The joining browser's network address, for the store's per-address join limit; None when
    it is not known (a browser on this machine, no proxy).

    Behind a proxy — ``make classroom``'s HAProxy (``option forwardfor``), an ingress — the
    connection comes from the proxy, and the browser's address is the last ``X-Forwarded-For``
    entry: the one the nearest proxy appended (entries a browser sends itself come before it).
    A server reached with no proxy in front has no such header unless a browser forges one,
    which then only moves that browser to another address's count, not past its session's.
    """
    try:
        forwarded = [entry.strip() for header in st.context.headers.get_all("X-Forwarded-For")
                     for entry in header.split(",") if entry.strip()]
        return forwarded[-1] if forwarded else st.context.ip_address
    except Exception:  # no request context (a bare script run): no address, the session counts
        return None


def role() -> str | None:
    return st.session_state.get(ROLE)


def leave() -> None:
    """Forget the class in this session (the store keeps it until it expires), and its photo:
    the session's own input comes back."""
    for key in (*SESSION_KEYS, FOLLOW, inputs.CLASS_PHOTO):
        st.session_state.pop(key, None)
    for name in URL_NAMES:
        if name in st.query_params:
            del st.query_params[name]


def become_teacher(code: str, teacher_key: str) -> None:
    leave()
    st.session_state.update({ROLE: "teacher", CODE: code, KEY: teacher_key})


def become_student(code: str, student_id: str, nickname: str | None) -> None:
    leave()
    st.session_state.update({ROLE: "student", CODE: code, STUDENT: student_id, NICK: nickname})


# -- the link -------------------------------------------------------------------------------------
def read_url(query: dict[str, str]) -> tuple[dict, list[Message]]:
    """The link's class names, kept for :func:`_use_link` (no store access here)."""
    return {"live_link": {name: str(query[name]) for name in URL_NAMES if name in query}}, []


def _use_link() -> None:
    """Once per session: a teacher link makes this session the teacher, a student's own link
    rejoins as that student, a join link prefills the code."""
    link = st.session_state.pop("live_link", None)
    if not link or "class" not in link:
        return
    typed = link["class"]
    code = pl.normalise_code(typed)
    if code is None:
        st.session_state[ERROR] = Message("live.errors.no_class",
                                          {"class_code": pl.clean_nickname(typed) or "''"})
        return
    if "teacher" in link:
        # out of the address bar at once: the teacher's screen is projected
        del st.query_params["teacher"]
        result = attempt("is_teacher", code, link["teacher"])
        if result is True:
            become_teacher(code, link["teacher"])
        elif result is False:
            st.session_state[ERROR] = Message("live.errors.not_teacher", {"class_code": code})
        return
    if "me" in link:
        found = attempt("student", code, link["me"])
        if found is not FAILED:
            become_student(code, found.id, found.nickname)
            return
    st.session_state[JOIN_CODE] = code


def _keep_address() -> None:
    """The class (and the student's id) in the address bar, whatever page the session is on."""
    wanted = {}
    if role() is not None:
        wanted["class"] = st.session_state[CODE]
    if role() == "student":
        wanted["me"] = st.session_state[STUDENT]
    LINK.write(wanted)


# -- following ------------------------------------------------------------------------------------
def view_link() -> dict[str, str]:
    """The query string's values that make up the view (every name but the session's own)."""
    params = st.query_params
    return {name: params.get(name) for name in params if name not in OWN_NAMES}


def current_view(page: str) -> dict:
    view = {"page": page, "link": view_link()}
    photo_id = inputs.class_photo_id(st.session_state.get(inputs.CLASS_PHOTO))
    if photo_id is not None:
        view["class_photo"] = photo_id
    step = st.session_state.get(STEP_KEY)
    if page == "explorer" and isinstance(step, int):
        view["step"] = step
    return view


def publish_view(page: str) -> None:
    """The teacher's session: write the view if it changed since the last write (called once per
    run, after the panels wrote their values into the link)."""
    if role() != "teacher" or st.session_state.get(ENDED):
        return
    view = current_view(page)
    if view == st.session_state.get(PUBLISHED):
        return
    version = attempt("set_view", st.session_state[CODE], st.session_state[KEY], view)
    if version is not FAILED:
        st.session_state[PUBLISHED] = view


def apply_view(view: dict, page: str) -> None:
    """Make this session show ``view`` (already on its page): its link values replace this
    session's, and the panels and the page read the link again on this run."""
    link = view.get("link") if isinstance(view.get("link"), dict) else {}
    params = st.query_params
    kept = {name: params.get_all(name) for name in params if name in OWN_NAMES}
    params.clear()
    params.update(kept)
    params.update({name: value for name, value in link.items()
                   if isinstance(name, str) and isinstance(value, str) and name not in OWN_NAMES})
    for prefix in (*PANEL_LINKS, PAGE_LINKS.get(page)):
        if prefix:
            st.session_state.pop(f"{prefix}_url_read", None)
    if link.get("input") == "grid":
        # the data editor's own edits would be laid over the teacher's grid
        st.session_state.pop("in_type_editor", None)
    step = view.get("step")
    if page == "explorer" and isinstance(step, int) and not isinstance(step, bool):
        st.session_state[STEP_KEY] = max(step, 0)
    _follow_photo(view.get("class_photo"))
    st.session_state[APPLIED] = view


def _follow_photo(photo_id) -> None:
    """Show the class photo ``photo_id`` names (read once per photo), or none when the view names
    none. A photo that cannot be read keeps the session's input, and says why."""
    if not isinstance(photo_id, str):
        st.session_state.pop(inputs.CLASS_PHOTO, None)
        return
    if inputs.class_photo_id(st.session_state.get(inputs.CLASS_PHOTO)) == photo_id:
        return
    try:
        photo = store().class_photo(st.session_state[CODE], photo_id)
        if hashlib.sha256(photo.png).hexdigest() != photo.sha256:
            raise ValueError("the photo's bytes do not match their SHA-256")
        data = shared_photos.decode_png(photo.png)
    except pl.LiveError as error:
        reason = error_message(error)
    except ValueError:
        reason = Message("live.photo.unreadable")
    else:
        st.session_state[inputs.CLASS_PHOTO] = inputs.class_photo_map(photo.id, photo.name, data)
        return
    st.session_state[ERROR] = Message("live.photo.not_followed", {"reason": reason})


def _note_poll(state: pl.Poll) -> bool:
    """Remember what a poll found; True when the teacher changed something."""
    if state.view is None and state.version == st.session_state.get(VERSION):
        return False
    st.session_state[VERSION] = state.version
    st.session_state[QUESTION] = state.question_id
    st.session_state[ENDED] = state.ended
    if st.session_state.get(FOLLOW, True) and state.view and state.view != st.session_state.get(
            APPLIED):
        st.session_state[PENDING] = state.view
    return True


def _poll_now() -> None:
    try:
        state = store().poll(st.session_state[CODE], since=st.session_state.get(VERSION))
    except pl.ClassNotFound:
        st.session_state[ENDED] = "expired"
        return
    except pl.LiveError as error:
        st.session_state[ERROR] = error_message(error)
        return
    _note_poll(state)


def _student_poll() -> None:
    """Every :data:`POLL_S` s: one row; a full rerun only when the teacher changed something."""
    if role() != "student" or st.session_state.get(ENDED) == "expired":
        return
    try:
        state = store().poll(st.session_state[CODE], since=st.session_state.get(VERSION))
    except pl.ClassNotFound:
        st.session_state[ENDED] = "expired"
        st.rerun(scope="app")
    except pl.LiveError as error:
        # drawn in the fragment: it goes away by itself once the database answers again
        st.caption(error_message(error).text())
        return
    if _note_poll(state):
        st.rerun(scope="app")


def _teacher_step() -> None:
    """The Explorer's step changes inside its own fragment, without a full run: publish it."""
    published = st.session_state.get(PUBLISHED)
    step = st.session_state.get(STEP_KEY)
    if (role() != "teacher" or not published or published.get("page") != "explorer"
            or not isinstance(step, int) or published.get("step") == step):
        return
    publish_view("explorer")


def _follow_changed() -> None:
    if st.session_state.get(FOLLOW):
        # follow again: the next poll fetches the teacher's view, applied even if unchanged
        st.session_state.pop(VERSION, None)
        st.session_state.pop(APPLIED, None)


def before_panels(page: str, pages: dict) -> None:
    """Called by the entry point after the navigation, before the panels: read a class link,
    follow the teacher (switching page first if needed), draw the class's strip in the sidebar.

    ``pages`` maps page names to their :class:`streamlit.navigation.page.StreamlitPage`.
    """
    LINK.read(read_url)
    _use_link()
    if role() == "student" and st.session_state.get(ENDED) != "expired":
        _poll_now()  # one row: a reload, or the full run a poll asked for, sees the latest
    pending = st.session_state.get(PENDING)
    if role() == "student" and pending is not None and st.session_state.get(FOLLOW, True):
        target = pending.get("page")
        if target in pages and target != page:
            st.switch_page(pages[target])  # the view is applied on that page's run
        st.session_state.pop(PENDING, None)
        apply_view(pending, page)
    else:
        st.session_state.pop(PENDING, None)
    _keep_address()
    _strip(page)


def _strip(page: str) -> None:
    error = st.session_state.pop(ERROR, None)
    if error is not None:
        st.error(error.text(), icon=":material/error:")
    if role() is None:
        return
    code = st.session_state[CODE]
    with st.sidebar, st.container(border=True):
        if role() == "teacher":
            st.markdown(t("live.strip.teacher", code=code))
            if page != LIVE_PAGE:
                st.page_link(LIVE_PAGE_PATH, label=t("live.strip.open_class"),
                             icon=":material/co_present:")
            _timer_at_the_end(TEACHER_CHECK_S, _teacher_step)
            return
        st.markdown(t("live.strip.student", code=code))
        if st.session_state.get(ENDED) == "expired":
            st.warning(t("live.errors.no_class", class_code=code))
            return
        if st.session_state.get(ENDED):
            st.info(t("live.strip.ended"))
            return
        st.session_state.setdefault(FOLLOW, True)
        st.toggle(t("live.strip.follow"), key=FOLLOW, help=t("live.strip.follow_help"),
                  on_change=_follow_changed)
        if not st.session_state[FOLLOW]:
            st.caption(t("live.strip.exploring"))
        if st.session_state.get(QUESTION) is not None and page != LIVE_PAGE:
            st.page_link(LIVE_PAGE_PATH, label=t("live.strip.answer"), icon=":material/quiz:")
        _timer_at_the_end(POLL_S, _student_poll)


def _timer_at_the_end(seconds: float, body) -> None:
    """Keep the timer fragment's place in the strip now; :func:`after_page` draws it there.

    A page learns of a timer fragment from the message that draws it and starts the timer on
    receiving it. Drawn here, early in the run, a tick could reach the server while the rest of
    the run was still being sent — the moment Streamlit drops a finished run's output (see
    :mod:`pooling_ui.base.timers`; under a load average of 7, 1 student of 30 once missed a
    question that way). Drawn as the run's last element, the timer starts when the page has
    everything else.
    """
    st.session_state[TIMER] = (st.container(), seconds, body)


def after_page() -> None:
    """Draw the class's timer fragment (if this run has one) in the place kept for it; called by
    the entry point when the page is done, however it ended."""
    pending = st.session_state.pop(TIMER, None)
    if pending is not None:
        slot, seconds, body = pending
        with slot:
            every(seconds, body)

