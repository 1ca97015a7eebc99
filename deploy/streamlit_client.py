"""A Streamlit client without a browser: the page's HTTP request, then Streamlit's own websocket
protocol (``BackMsg``/``ForwardMsg`` protobufs on ``/_stcore/stream``), as the browser speaks it.

Used by ``deploy/classroom.py`` (a first session on each worker, so the first student does not
wait for the imports), ``benchmarks/load_test.py`` (many sessions at once) and
``tests/test_classroom.py`` (what the load balancer does with a session). A :class:`Session`
keeps its cookies like a browser (the balancer's affinity cookie, Streamlit's XSRF cookie), asks
for a run with a query string, changes widgets by their keys, uploads a file, and reports each
run: how long it took from the request to
``script_finished``, the exceptions the page showed, and the page's text.

Only loopback addresses are ever used here (the servers are started by the caller; any of
127.0.0.0/8, so that ``tests/test_deploy_hosts.py`` can put "hosts" on 127.0.0.2, 127.0.0.3, …).
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import ipaddress
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


def run_sync(coroutine):
    """``asyncio.run(coroutine)`` on a thread of its own, so that it works where an event loop is
    already running in this thread (Playwright's synchronous API keeps one)."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# Widget element types and the WidgetState field their value travels in.
_WIDGETS = ("number_input", "checkbox", "selectbox", "radio", "slider", "button_group",
            "file_uploader", "text_input", "button")


@dataclass
class Run:
    """One script run as the client saw it."""

    seconds: float
    exceptions: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    finished: bool = True


class Session:
    """One browser tab: its cookies, its websocket, its widgets."""

    def __init__(self, base_url: str, timeout_s: float = 120.0, page: str = ""):
        if not _loopback(urlsplit(base_url).hostname or ""):
            raise ValueError(f"only loopback servers are load-tested here; got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self._socket = None
        self.widgets: dict[str, tuple[str, object]] = {}  # key → (widget id, element proto)
        self.query = ""
        self.session_id = ""
        # every widget value this client set, sent again with every run as a browser does
        self._states: dict[str, object] = {}
        self._pending: dict[str, ForwardMsg] = {}  # answers to requests, by request id
        # the page of a multipage app, as the browser's path names it (``live`` for /live); once
        # a run has started, the page's hash the server gave it (a switch_page changes it)
        self.page = page.strip("/")
        self.page_script_hash = ""
        self._triggers: dict[str, object] = {}  # a button's press: sent with one run only
        # listening (:meth:`listen`): a reader task takes every message, as a browser's page does
        self._reader: asyncio.Task | None = None
        self._inbox: asyncio.Queue | None = None
        self._watchers: list[tuple[object, asyncio.Future]] = []
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}  # fragment id → auto-rerun
        self.texts: list[tuple[float, str]] = []  # (arrival time, text) of every text seen
        self.dropped: Exception | None = None  # why the connection dropped, while listening

    # -- the page -------------------------------------------------------------------------------
    def load_page(self, query: str = "") -> None:
        """The page's first HTTP requests, as a browser makes them (the balancer answers the first
        and sets its cookie). Blocking: call it through :func:`asyncio.to_thread`."""
        with self._opener.open(f"{self.base_url}/{self.page}?{query}",
                               timeout=self.timeout_s) as answer:
            answer.read()
        # the page then asks for the server's health, whose answer sets the XSRF cookie
        self._health()

    def _health(self) -> None:
        with self._opener.open(f"{self.base_url}/_stcore/health", timeout=self.timeout_s) as ok:
            ok.read()

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def _cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies)

    async def open(self, query: str = "") -> Run:
        """Load the page, open the websocket and run the script once for ``query``."""
        self.query = query
        await asyncio.to_thread(self.load_page, query)
        return await self._connect()

    async def reconnect(self) -> Run:
        """What the browser's page does when its websocket drops (its server went away): ask
        for ``/_stcore/health`` until an answer comes, open a new websocket with the cookies it
        has, and run again with the link as it now is and every widget value it set. Behind the
        balancer the new server may be another worker, which starts a new session from them."""
        self._stop_listening()
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close()
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                await asyncio.to_thread(self._health)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
        return await self._connect()

    async def _connect(self) -> Run:
        url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        headers = {"Cookie": self._cookie_header()} if self.cookies else {}
        self._socket = await websockets.connect(
            url, subprotocols=["streamlit"], additional_headers=headers,
            origin=self.base_url, max_size=None, open_timeout=self.timeout_s,
        )
        self.dropped = None
        if self._inbox is not None:
            self._reader = asyncio.create_task(self._pump())
        return await self._run()

    async def rerun(self, **values) -> Run:
        """Run again with widgets set by key (``p_kernel_h=3``); other widgets keep their values.
        A button's key with ``True`` presses it (for this run only, as a click does)."""
        self._set(values)
        return await self._run()

    def _set(self, values: dict) -> None:
        for key, value in values.items():
            widget_id, element = self.widgets[key]
            state = _widget_state(widget_id, element, value)
            if state.WhichOneof("value") == "trigger_value":
                self._triggers[widget_id] = state
            else:
                self._states[widget_id] = state

    async def upload(self, key: str, name: str, data: bytes, mime: str) -> Run:
        """Put a file into the ``st.file_uploader`` keyed ``key`` as the browser does: ask for an
        upload URL on the websocket, PUT the file there with the XSRF token, then run with the
        uploader's new state."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        request = BackMsg()
        request.file_urls_request.request_id = f"upload-{name}"
        request.file_urls_request.file_names.append(name)
        request.file_urls_request.session_id = self.session_id
        await self._socket.send(request.SerializeToString())
        answer = await self._answer(f"upload-{name}")
        urls = answer.file_urls_response.file_urls[0]
        await asyncio.to_thread(self._put_file, urls.upload_url, name, data, mime)
        state = WidgetState(id=self.widgets[key][0])
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = name, len(data), urls.file_id
        info.file_urls.CopyFrom(urls)
        self._states[state.id] = state
        return await self._run()

    def _put_file(self, upload_url: str, name: str, data: bytes, mime: str) -> None:
        boundary = "poolinglab" + "0" * 16
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{name}\"\r\nContent-Type: {mime}\r\n\r\n").encode() + data + (
            f"\r\n--{boundary}--\r\n").encode()
        url = upload_url if upload_url.startswith("http") else self.base_url + upload_url
        request = urllib.request.Request(url, data=body, method="PUT", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": self.cookie("_streamlit_xsrf") or ""})
        with self._opener.open(request, timeout=self.timeout_s) as answer:
            answer.read()

    async def _answer(self, request_id: str) -> ForwardMsg:
        while request_id not in self._pending:
            await self._receive_one(Run(0.0))
        return self._pending.pop(request_id)

    async def close(self) -> None:
        self._stop_listening()
        if self._socket is not None:
            await self._socket.close()

    # -- listening, as a page open in a browser ---------------------------------------------------
    def listen(self) -> None:
        """From now on (call it before :meth:`open`) read every message as it comes, as the
        browser's page does: runs the server starts by itself (a fragment's ``st.rerun``) are
        seen, each ``st.fragment(run_every=…)`` is rerun on its interval (the server asks for
        that with an ``auto_rerun`` message; a full run cancels them, as in the browser), and
        :meth:`wait_for` and :meth:`send` can be used beside :meth:`rerun`."""
        if self._inbox is None:
            self._inbox = asyncio.Queue()

    def _stop_listening(self) -> None:
        for _, timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        if self._reader is not None:
            self._reader.cancel()
            self._reader = None
        if self._inbox is not None:
            self._inbox = asyncio.Queue()

    async def send(self, fragment_id: str = "", **values) -> float:
        """Ask for a run (widgets set by key, as :meth:`rerun`) without waiting for it; returns
        when it was sent (``time.perf_counter()``)."""
        self._set(values)
        sent = time.perf_counter()
        await self._send_rerun(fragment_id)
        return sent

    async def wait_for(self, predicate, timeout_s: float | None = None) -> tuple[float, object]:
        """Wait (while listening) for the first message from now on for which ``predicate(self,
        forward)`` is true; returns its arrival time (``time.perf_counter()``) and what the
        predicate returned. Raises the connection's error if the connection drops first."""
        if self.dropped is not None:
            raise self.dropped
        future = asyncio.get_running_loop().create_future()
        self._watchers.append((predicate, future))
        try:
            return await asyncio.wait_for(future, timeout_s or self.timeout_s)
        finally:
            self._watchers = [(p, f) for p, f in self._watchers if f is not future]

    async def _pump(self) -> None:
        inbox = self._inbox
        try:
            while True:
                raw = await self._socket.recv()
                arrived = time.perf_counter()
                forward = ForwardMsg()
                forward.ParseFromString(raw)
                self._note(forward)
                if forward.WhichOneof("type") == "delta":
                    for text in _texts(forward.delta):
                        self.texts.append((arrived, text))
                for predicate, future in list(self._watchers):
                    if not future.done():
                        found = predicate(self, forward)
                        if found:
                            future.set_result((arrived, found))
                inbox.put_nowait(forward)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the connection dropped: everyone waiting hears it
            self.dropped = error
            for _, future in self._watchers:
                if not future.done():
                    future.set_exception(error)
            inbox.put_nowait(error)

    def _note(self, forward: ForwardMsg) -> None:
        """What a browser's page keeps of a message besides drawing it."""
        kind = forward.WhichOneof("type")
        if kind == "new_session":
            self.session_id = forward.new_session.initialize.session_id
            if not forward.metadata.run.fragment_ids:
                # a full run: the browser drops its fragments' timers; the run sets them again
                for _, timer in self._timers.values():
                    timer.cancel()
                self._timers.clear()
        elif kind == "page_info_changed":
            self.query = forward.page_info_changed.query_string
        elif kind == "navigation":
            # st.navigation's choice (a switch_page's too): the page every later run asks for
            self.page_script_hash = forward.navigation.page_script_hash
        elif kind == "file_urls_response":
            self._pending[forward.file_urls_response.response_id] = forward
        elif kind == "auto_rerun" and self._inbox is not None:
            fragment, interval = forward.auto_rerun.fragment_id, forward.auto_rerun.interval
            if fragment and self._timers.get(fragment, (None,))[0] != interval:
                if fragment in self._timers:
                    self._timers[fragment][1].cancel()
                self._timers[fragment] = (interval, asyncio.create_task(
                    self._every(fragment, interval)))
        elif kind == "stop_auto_rerun":
            for fragment in forward.stop_auto_rerun.fragment_ids:
                if fragment in self._timers:
                    self._timers.pop(fragment)[1].cancel()
        elif kind == "delta":
            self._note_widget(forward.delta)

    @property
    def timers(self) -> dict[str, float]:
        """The page's fragment timers now running: fragment id → interval in seconds."""
        return {fragment: interval for fragment, (interval, _) in self._timers.items()}

    async def tick(self, fragment_id: str) -> None:
        """Send one timer rerun of ``fragment_id`` now, as the page's timer does."""
        await self._send_rerun(fragment_id, auto=True)

    async def _every(self, fragment_id: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            with contextlib.suppress(Exception):  # a dropped connection ends the reader too
                await self._send_rerun(fragment_id, auto=True)

    # -- the protocol ---------------------------------------------------------------------------
    async def _send_rerun(self, fragment_id: str = "", auto: bool = False) -> None:
        message = BackMsg()
        message.rerun_script.query_string = self.query
        message.rerun_script.widget_states.widgets.extend(self._states.values())
        if not auto:
            message.rerun_script.widget_states.widgets.extend(self._triggers.values())
            self._triggers = {}
        if self.page_script_hash:
            message.rerun_script.page_script_hash = self.page_script_hash
        elif self.page:
            message.rerun_script.page_name = self.page
        message.rerun_script.fragment_id = fragment_id
        message.rerun_script.is_auto_rerun = auto
        await self._socket.send(message.SerializeToString())

    async def _run(self) -> Run:
        if self._inbox is not None:
            if self.dropped is not None:
                raise self.dropped
            while not self._inbox.empty():  # what came before this run is not its answer
                self._inbox.get_nowait()
        start = time.perf_counter()
        await self._send_rerun()
        run = Run(0.0)
        deadline = start + self.timeout_s
        while True:
            forward = await self._receive_one(run, deadline - time.perf_counter())
            # a run stopped early for another run (a link applied, a widget's rerun) goes on;
            # a fragment's own run (its timer) is not this run
            if (forward.WhichOneof("type") == "script_finished"
                    and forward.script_finished not in (
                        ForwardMsg.FINISHED_EARLY_FOR_RERUN,
                        ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)):
                run.seconds = time.perf_counter() - start
                return run

    async def _receive_one(self, run: Run, timeout_s: float | None = None) -> ForwardMsg:
        timeout_s = max(timeout_s or self.timeout_s, 0.01)
        if self._inbox is not None and self._reader is not None:
            # listening: the reader took the message (and noted it) already
            forward = await asyncio.wait_for(self._inbox.get(), timeout_s)
            if isinstance(forward, Exception):
                raise forward
        else:
            raw = await asyncio.wait_for(self._socket.recv(), timeout_s)
            forward = ForwardMsg()
            forward.ParseFromString(raw)
            # the app writing its state into the link (page_info_changed): a browser's address
            # bar now shows it, and every later run (a reconnect's first too) sends that query
            self._note(forward)
        if forward.WhichOneof("type") == "delta":
            self._read_delta(forward.delta, run)
        return forward

    def _note_widget(self, delta) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind in _WIDGETS:
            proto = getattr(element, kind)
            key = proto.id.rsplit("-", 1)[-1] if "-" in proto.id else proto.id
            self.widgets[key] = (proto.id, proto)

    def _read_delta(self, delta, run: Run) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        if element.WhichOneof("type") == "exception":
            run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        run.texts.extend(_texts(delta))


def _texts(delta) -> list[str]:
    """The text a delta shows: a Markdown element's or an alert's body, a code block's text."""
    if delta.WhichOneof("type") != "new_element":
        return []
    element = delta.new_element
    kind = element.WhichOneof("type")
    if kind in ("markdown", "alert"):
        return [getattr(element, kind).body]
    if kind == "code":
        return [element.code.code_text]
    return []


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _widget_state(widget_id: str, element, value):
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    state = WidgetState(id=widget_id)
    name = type(element).__name__
    if name == "NumberInput":
        if element.data_type == element.INT:
            state.int_value = int(value)
        else:
            state.double_value = float(value)
    elif name == "Checkbox":
        state.bool_value = bool(value)
    elif name in ("Selectbox", "Radio"):
        state.string_value = str(value)  # the option as the page words it (its label)
    elif name == "Slider":
        state.double_array_value.data.extend([float(value)])
    elif name == "TextInput":
        state.string_value = str(value)
    elif name == "Button":
        state.trigger_value = bool(value)
    else:
        raise ValueError(f"cannot set a {name} here")
    return state
