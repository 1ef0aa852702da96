"""``playbook serve``: build, serve on loopback, rebuild on every change, reload the open page.

One ``builder.Builder`` lives as long as the server and is told which files the watcher saw
change, so a saved deal re-renders its page and the pages that list it, and a template or settings
change rebuilds everything. It patches one site folder in a temporary place: every changed file
is staged first, then renamed in. A request reads under a shared lock (``SiteLock``) that the
rename phase takes alone, so a request never sees a half-written site, and a long build never
holds up a request. A failed build leaves the folder untouched: the last good site stays served
and its errors are published, which the page shows in an overlay. The page learns both through a
small script that the server adds to the HTML it serves (never to the files of a build). Output
goes through the ``say``/``warn`` callbacks: only the CLI prints.
"""

from __future__ import annotations

import datetime as dt
import errno
import ipaddress
import json
import mimetypes
import re
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from html import escape as html_escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import watchfiles

from playbook.builder import Builder
from playbook.config import CONFIG_FILE
from playbook.diagnostics import BuildFailed, Diagnostic, as_json, format_text
from playbook.formatting import counted
from playbook.sources import content_problems

EVENTS = "/__playbook/events"  # Server-Sent Events: the state, each time it changes
STATUS = "/__playbook/status"  # the state now, as JSON
ERRORS = "/__playbook/errors"  # the errors of the latest build, as JSON (empty when it succeeded)

STEP_MS = 50  # a change is acted on once no other change has come for this long ...
DEBOUNCE_MS = 1600  # ... or after this long at most, so a burst of saves makes one rebuild
KEEPALIVE_S = 15.0  # an idle event stream sends a comment this often, to notice closed pages

Log = Callable[[str], None]


class ServeError(Exception):
    """The server cannot start (the port is taken, the host is unknown)."""


# ----------------------------------------------------------------------------- state


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the server serves, replaced whole after every build attempt."""

    generation: int  # successful builds so far: the page reloads when this grows
    folder: Path | None  # the last good site; None until a build has succeeded
    errors: tuple[Diagnostic, ...]  # of the latest attempt; empty when it succeeded
    version: int  # every attempt, so that the pages hear about failed ones too
    pages: int = 0  # files in the last good site
    pages_written: int = 0  # of them, written by the last good build (the rest were kept)
    # The site paths each recent generation wrote or removed (None: the whole site), so that
    # a page reloads only when it changed itself, or a style sheet or script did.
    changes: tuple[tuple[int, tuple[str, ...] | None], ...] = ()


HISTORY = 32  # generations whose changes the pages are told of; an older page just reloads


class SiteState:
    """The one pointer to the served site; readers take a snapshot, waiters wake on a change."""

    def __init__(self, server_id: str):
        self.server_id = server_id
        self._snapshot = Snapshot(0, None, (), 0)
        self._changed = threading.Condition()
        self.closed = False

    @property
    def current(self) -> Snapshot:
        return self._snapshot

    def publish(
        self,
        folder: Path | None,
        errors: tuple[Diagnostic, ...],
        *,
        pages: int = 0,
        pages_written: int = 0,
        changed: tuple[str, ...] | None = None,
    ) -> None:
        """A new build attempt: a good site (``folder``) or errors, keeping the last good site.

        ``changed``: the site paths written or removed since the last generation (None: all).
        """
        with self._changed:
            old = self._snapshot
            if folder is None:
                self._snapshot = replace(old, errors=errors, version=old.version + 1)
            else:
                generation = old.generation + 1
                changes = (*old.changes, (generation, changed))[-HISTORY:]
                self._snapshot = Snapshot(
                    generation, folder, (), old.version + 1, pages, pages_written, changes
                )
            self._changed.notify_all()

    def wait_for_change(self, version: int | None, timeout: float) -> Snapshot:
        with self._changed:
            self._changed.wait_for(
                lambda: self.closed or self._snapshot.version != version, timeout
            )
            return self._snapshot

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def payload(self, snapshot: Snapshot) -> dict[str, Any]:
        return {
            "generation": snapshot.generation,
            "server": self.server_id,
            "errors": [as_json(d) for d in snapshot.errors],
            "pages": snapshot.pages,
            "pages_written": snapshot.pages_written,
            "changes": {
                str(generation): None if paths is None else list(paths)
                for generation, paths in snapshot.changes
            },
        }


class SiteLock:
    """Requests read the site together; a build's rename phase changes it alone.

    A waiting build goes before requests that arrive after it, so a busy page cannot starve it.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writing = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._writing)
            self._readers += 1
        try:
            yield
        finally:
            with self._changed:
                self._readers -= 1
                self._changed.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._writing)
            self._writing = True
            self._changed.wait_for(lambda: self._readers == 0)
        try:
            yield
        finally:
            with self._changed:
                self._writing = False
                self._changed.notify_all()


# ----------------------------------------------------------------------------- building


class ServeBuilds:
    """Rebuilds the playbook into one site folder, only what changed, and publishes each result."""

    def __init__(
        self,
        root: Path,
        state: SiteState,
        lock: SiteLock,
        *,
        as_of: dt.date | None,
        drafts: bool,
        say: Log,
        warn: Log,
    ):
        self.root = root
        self.state = state
        self.say = say
        self.warn = warn
        self.lock = lock
        self.base = Path(tempfile.mkdtemp(prefix="playbook-serve-"))
        self.builder = Builder(
            root, self.base / "site", as_of=as_of, drafts=drafts, committing=self.lock.writing
        )
        self._trusted = False  # whether the builder's memory matches the files (else: look at all)
        self._busy = threading.Lock()

    def rebuild(self, reason: str, changed: Iterable[Path] | None = None) -> None:
        """Build again; ``changed``: the files saved since the last build (None: look at all).

        A saved deal's own page goes live first (``Builder.preview``), so the page being
        edited reloads at once; the pages that list the deal follow with the whole build.
        """
        with self._busy:
            started = time.perf_counter()
            if changed is not None and self._trusted:
                changed = list(changed)
                try:
                    first = self.builder.preview(changed)
                except Exception:  # the build below runs it again, and reports what is wrong
                    first = ()
                if first:
                    pages = self.state.current.pages
                    self.state.publish(
                        self.builder.out, (), pages=pages, pages_written=len(first), changed=first
                    )
                    seconds = time.perf_counter() - started
                    self.say(
                        f"updated {', '.join(first)} after {reason} ({seconds:.2f} s); "
                        "now the pages that list it"
                    )
            try:
                result = self.builder.build(changed if self._trusted else None)
            except BuildFailed as failed:
                self._trusted = True
                self.state.publish(None, tuple(failed.diagnostics))
                self.warn(
                    f"{format_text(failed.diagnostics)}{counted(len(failed.diagnostics), 'error')} "
                    f"after {reason}; still serving the last good site"
                )
                return
            except Exception:  # a bug in playbook: say so, and keep serving
                self._trusted = False
                self.warn(f"playbook failed unexpectedly after {reason}:\n{traceback.format_exc()}")
                return
            self._trusted = True
            written = result.stats.pages_written
            self.state.publish(
                self.builder.out,
                (),
                pages=result.pages,
                pages_written=written,
                changed=result.changed,
            )
            seconds = time.perf_counter() - started
            self.say(
                f"built {counted(result.deals, 'deal')} after {reason} "
                f"({seconds:.2f} s, {counted(written, 'page')} written)"
            )

    def close(self) -> None:
        with self._busy:
            self.builder.close()
            shutil.rmtree(self.base, ignore_errors=True)


# ----------------------------------------------------------------------------- watching

# Files that editors write beside the one being saved: backups (x~, #x#), swap files (.x.swp),
# lock files (.#x), vim's write test (4913), JetBrains' safe-write copies, sed -i's work file.
_TEMPORARY = re.compile(r"^\.|~$|^#.*#$|\.sw[a-p]$|^4913$|___jb_\w+___$|\.tmp$|^sed\w{6}$")


def is_temporary(name: str) -> bool:
    return bool(_TEMPORARY.search(name))


class ProjectChanges:
    """A watchfiles filter: changes under content/ and templates/, to either folder itself
    (moved away or back: no event names the files in it), or to playbook.toml."""

    def __init__(self, root: Path):
        self.root = root.resolve()

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        try:
            parts = Path(path).relative_to(self.root).parts
        except ValueError:
            return False
        if parts in ((CONFIG_FILE,), ("content",), ("templates",)):
            return True
        if len(parts) < 2 or parts[0] not in ("content", "templates"):
            return False
        return not any(is_temporary(part) for part in parts[1:])


def describe(changes: set[tuple[watchfiles.Change, str]], root: Path) -> str:
    names = sorted({Path(path).relative_to(root).as_posix() for _, path in changes})
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"a change to {shown}"


def watch(builder: ServeBuilds, stop: threading.Event, ready: threading.Event) -> None:
    """Rebuild once per batch of changes until ``stop`` is set; ``ready`` once watching."""
    root = builder.root.resolve()
    try:
        for changes in watchfiles.watch(
            root,
            watch_filter=ProjectChanges(root),
            step=STEP_MS,
            debounce=DEBOUNCE_MS,
            stop_event=stop,
            rust_timeout=500,
            yield_on_timeout=True,  # an empty batch first: proof that the watch is in place
            raise_interrupt=False,
        ):
            ready.set()
            if changes:
                paths = [Path(path) for _, path in changes]
                # A folder moved in names none of its files, which may differ from those that
                # were there before under the same names: then every file is looked at.
                whole = any(path.is_dir() for path in paths)
                builder.rebuild(describe(changes, root), None if whole else paths)
    except Exception as exc:  # e.g. the system's limit of watched folders
        builder.warn(f"playbook: cannot watch for changes ({exc}); restart to see them")
    finally:
        ready.set()


# ----------------------------------------------------------------------------- serving


def site_path(url_path: str) -> str | None:
    """The path inside the site that a request names, or None when it would leave the site."""
    path = unquote(url_path)
    if "\x00" in path or "\\" in path:
        return None
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None
    return "/".join(parts)


def inject(html: bytes, script: bytes) -> bytes:
    """Put the script just before ``</body>`` (or at the end when there is none)."""
    at = html.lower().rfind(b"</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]


def content_type(path: str) -> str:
    kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
        kind += "; charset=utf-8"
    return kind


WAITING_PAGE = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>playbook serve</title></head>
<body><h1>No site yet</h1><p>The playbook has errors, so nothing could be built yet.
Fix them and save: this page updates by itself.</p></body></html>
"""


@dataclass(frozen=True, slots=True)
class Reply:
    status: HTTPStatus
    body: bytes = b""
    kind: str = "text/plain; charset=utf-8"
    location: str | None = None
    html: bool = False  # gets the live-reload script
    page: str | None = None  # the site path of the page (None: it stands for another address)


def find(folder: Path, url_path: str, query: str) -> Reply:
    """The reply for one request, from the site in ``folder``."""
    path = site_path(url_path)
    if path is None:
        return Reply(HTTPStatus.FORBIDDEN, b"403: this address is outside the site\n")
    target = folder / path
    if not target.resolve().is_relative_to(folder.resolve()):
        return Reply(HTTPStatus.FORBIDDEN, b"403: this address is outside the site\n")
    if target.is_dir():
        if not url_path.endswith("/"):  # so that the page's relative links resolve
            location = f"/{path}/" if path else "/"
            location += f"?{query}" if query else ""
            return Reply(HTTPStatus.MOVED_PERMANENTLY, location=location)
        target = target / "index.html"
    if target.is_file():
        kind = content_type(target.name)
        page = target.relative_to(folder).as_posix()
        html = kind.startswith("text/html")
        return Reply(HTTPStatus.OK, target.read_bytes(), kind, html=html, page=page)
    missing = folder / "404.html"
    if missing.is_file():
        kind = content_type(missing.name)
        return Reply(HTTPStatus.NOT_FOUND, missing.read_bytes(), kind, html=True)
    return Reply(HTTPStatus.NOT_FOUND, b"404: no such page\n")


class DevServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: SiteState, lock: SiteLock):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, Handler)
        self.state = state
        self.lock = lock
        self.script = resources.files("playbook").joinpath("live_reload.js").read_bytes()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A page closed in the middle of an answer is normal; anything else is a bug."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def script_for(self, snapshot: Snapshot, page: str | None) -> bytes:
        shown = f' data-page="{html_escape(page)}"' if page is not None else ""
        return (
            f'<script id="playbook-live-reload" data-generation="{snapshot.generation}" '
            f'data-server="{self.state.server_id}"{shown}>\n'.encode()
            + self.script
            + b"</script>\n"
        )


class Handler(BaseHTTPRequestHandler):
    server: DevServer
    server_version = "playbook-serve"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal is for build results and errors."""

    def do_GET(self) -> None:
        self.respond(head=False)

    def do_HEAD(self) -> None:
        self.respond(head=True)

    def respond(self, *, head: bool) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        if url.path == EVENTS:
            self.events(head)
            return
        if url.path in (STATUS, ERRORS):
            payload = state.payload(state.current)
            data = payload if url.path == STATUS else payload["errors"]
            body = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
            self.send(Reply(HTTPStatus.OK, body, "application/json"), head)
            return
        with self.server.lock.reading():
            snapshot = state.current
            if snapshot.folder is None:
                reply = Reply(HTTPStatus.SERVICE_UNAVAILABLE, WAITING_PAGE, "text/html", html=True)
            else:
                reply = find(snapshot.folder, url.path, url.query)
        if reply.html:
            body = inject(reply.body, self.server.script_for(snapshot, reply.page))
            reply = Reply(reply.status, body, reply.kind, reply.location)
        self.send(reply, head)

    def send(self, reply: Reply, head: bool) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.kind)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "no-store")
        if reply.location is not None:
            self.send_header("Location", reply.location)
        self.end_headers()
        if not head:
            self.wfile.write(reply.body)

    def events(self, head: bool) -> None:
        """Send the state now and after every build attempt, until the page or server goes."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if head:
            return
        state = self.server.state
        version: int | None = None
        try:
            while not state.closed:
                snapshot = state.wait_for_change(version, KEEPALIVE_S)
                if state.closed:
                    break
                if snapshot.version != version:
                    version = snapshot.version
                    data = json.dumps(state.payload(snapshot), ensure_ascii=False)
                    self.wfile.write(f"data: {data}\n\n".encode())
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except OSError:  # the page was closed or reloaded
            return


# ----------------------------------------------------------------------------- running


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Stop on SIGTERM as on Ctrl-C, so that both shut down cleanly."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    as_of: dt.date | None = None,
    drafts: bool = False,
    say: Log,
    warn: Log,
) -> None:
    """Serve the playbook at ``root`` until Ctrl-C; returns after a clean shutdown.

    Raises BuildFailed, before anything starts, when ``root`` has no content folder: that is
    the wrong folder, not a playbook with a mistake to show over its pages.
    """
    problems = content_problems(root)
    if problems:
        raise BuildFailed(problems)
    state = SiteState(secrets.token_hex(8))
    lock = SiteLock()
    try:
        httpd = DevServer((host, port), state, lock)
    except OSError as exc:
        why = "it is in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
        raise ServeError(
            f"cannot serve on {host} port {port}: {why}; choose another with --port "
            "(--port 0 takes any free port)"
        ) from None
    address = f"http://{f'[{host}]' if ':' in host else host}:{httpd.server_address[1]}/"
    builder = ServeBuilds(root, state, lock, as_of=as_of, drafts=drafts, say=say, warn=warn)
    stop, ready = threading.Event(), threading.Event()
    watcher = threading.Thread(
        target=watch, args=(builder, stop, ready), name="playbook-watch", daemon=True
    )
    try:
        with sigterm_as_interrupt():
            watcher.start()
            builder.rebuild("starting")
            ready.wait(timeout=10)
            if not is_loopback(host):
                warn(f"playbook: serving on {host}: anyone who can reach this computer can read it")
            say(f"serving {root.resolve()} at {address} (Ctrl-C to stop)")
            httpd.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        state.close()
        httpd.server_close()
        watcher.join(timeout=10)
        builder.close()
    say("stopped")
