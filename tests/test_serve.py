"""``playbook serve`` for real: a subprocess on a free port, pages fetched over HTTP.

Every wait polls against a deadline; nothing here asserts how long anything takes.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import watchfiles

from playbook.pipeline import build
from playbook.serve import ProjectChanges, ServeBuilds, SiteLock, SiteState, inject, site_path
from playbook.writer import SitePatch

from conftest import REPO, VALID_DEAL, playbook_env, run_playbook, snapshot

WAIT = 60.0  # seconds: the most any single step may take before the test fails (a ceiling)
T = TypeVar("T")

STAGE_ERROR = {
    "path": "content/deals/acme.md",
    "line": 5,
    "column": None,
    "field": "stage",
    "message": "'nowhere' is not one of prospect, qualify, develop, propose, negotiate, won, lost",
    "severity": "error",
    "code": None,
}


def until(condition: Callable[[], T | None], what: str) -> T:
    """Poll ``condition`` until it gives a true value; fail after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def save(path: Path, text: str) -> None:
    """Save as editors do: write a hidden temporary file, then rename it over the old one."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


class Server:
    """A running ``playbook serve`` and what it printed."""

    def __init__(self, root: Path, scratch: Path):
        self.tmp = scratch / "tmp"  # the server's temporary folders go here, to see them go
        self.tmp.mkdir()
        self.stderr_path = scratch / "serve.err"
        with self.stderr_path.open("w") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "playbook", "serve", str(root), "--port", "0"],
                env=playbook_env({"TMPDIR": str(self.tmp)}),
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.printed: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.wait_for_output(r"at (http://127\.0\.0\.1:\d+/) ").group(1)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for_output(self, pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                pytest.fail(f"serve ended: {self.stderr_path.read_text()}")
            self.printed.append(line)
            if match := re.search(pattern, line):
                return match
        pytest.fail(f"serve did not print {pattern!r}; printed {self.printed}")

    def get(self, path: str) -> tuple[int, str, str]:
        """(status, content type, body) of a GET, following redirects."""
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=WAIT) as response:
                return response.status, response.headers["Content-Type"], response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read().decode()

    def raw(self, path: str) -> http.client.HTTPResponse:
        """A GET of exactly ``path``, not normalised and not redirected."""
        host, port = self.url.removeprefix("http://").rstrip("/").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=WAIT)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        connection.close()
        return response

    def json(self, path: str) -> Any:
        status, kind, body = self.get(path)
        assert (status, kind) == (200, "application/json")
        return json.loads(body)

    def stop(self) -> str:
        """Ctrl-C; the server must end by itself with status 0. Returns what it printed."""
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail("serve did not stop on Ctrl-C")
        assert code == 0
        while (line := self.lines.get(timeout=WAIT)) is not None:
            self.printed.append(line)
        stderr = self.stderr_path.read_text()
        assert "Traceback" not in stderr
        assert self.printed[-1] == "stopped\n"
        assert list(self.tmp.iterdir()) == []  # every temporary site removed
        return stderr


class Events:
    """The server's event stream, read in the background: one dict per event."""

    def __init__(self, url: str):
        self.response = urllib.request.urlopen(url + "__playbook/events", timeout=WAIT)
        assert self.response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
        self.received: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.response:
                line = raw.decode()
                if line.startswith("data: "):
                    self.received.put(json.loads(line.removeprefix("data: ")))
        except OSError:
            return

    def next_where(self, check: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                event = self.received.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if check(event):
                return event
        pytest.fail(f"no event with {what}")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[Path], Server]]:
    servers: list[Server] = []

    def start(root: Path) -> Server:
        servers.append(Server(root, tmp_path))
        return servers[-1]

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=WAIT)


def generation(html: str) -> int:
    match = re.search(r'<script id="playbook-live-reload" data-generation="(\d+)"', html)
    assert match, "no live-reload script in the page"
    return int(match.group(1))


def test_serves_the_site_and_rebuilds_and_reloads_on_change(
    make_playbook: Callable[..., Path], serve: Callable[[Path], Server]
) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    server = serve(root)
    status, kind, page = server.get("deals/acme/index.html")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert "<h1>Data platform renewal" in page
    assert generation(page) == 1
    assert page.index("playbook-live-reload") < page.rindex("</body>")
    status, kind, css = server.get("static/style.css")
    assert (status, kind) == (200, "text/css; charset=utf-8")
    assert css == (REPO / "templates" / "static" / "style.css").read_text()  # nothing injected

    events = Events(server.url)
    first = events.next_where(lambda e: True, "the current state")
    assert (first["generation"], first["errors"]) == (1, [])

    save(
        root / "content/deals/acme.md", VALID_DEAL.replace("platform renewal", "platform expansion")
    )
    # First the deal's own page goes live, then the pages that list it.
    landed = events.next_where(lambda e: e["generation"] == 2, "generation 2")
    assert landed["errors"] == []
    assert landed["changes"]["2"] == ["deals/acme/index.html"]
    assert landed["pages_written"] == 1
    listed = events.next_where(lambda e: e["generation"] == 3, "generation 3")
    assert "deals/acme/index.html" not in listed["changes"]["3"]
    assert {"index.html", "deals.json", "owners/jan-peeters/index.html"} <= set(
        listed["changes"]["3"]
    )
    page = server.get("deals/acme/index.html")[2]
    assert "<h1>Data platform expansion" in page
    assert generation(page) == 3
    assert 'data-page="deals/acme/index.html"' in page
    assert "Data platform expansion" in server.get("index.html")[2]

    save(root / "playbook.toml", 'title = "Renamed playbook"\nas_of = 2026-11-15\n')
    events.next_where(lambda e: e["generation"] == 4, "generation 4 after playbook.toml")
    overview = server.get("index.html")[2]
    assert "Renamed playbook" in overview and "Test playbook" not in overview
    status = server.json("__playbook/status")
    assert status["generation"] == 4
    assert "index.html" in status["changes"]["4"]

    server.stop()
    said = [re.sub(r" \(.*\)", "", line) for line in server.printed]
    assert [line for line in said if line.startswith(("built ", "updated "))] == [
        "built 1 deal after starting\n",
        "updated deals/acme/index.html after a change to content/deals/acme.md; "
        "now the pages that list it\n",
        "built 1 deal after a change to content/deals/acme.md\n",
        "built 1 deal after a change to playbook.toml\n",
    ]


def test_a_broken_deal_keeps_the_last_good_site_and_shows_its_errors(
    make_playbook: Callable[..., Path], serve: Callable[[Path], Server]
) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    server = serve(root)
    events = Events(server.url)
    events.next_where(lambda e: e["generation"] == 1, "the first build")

    save(root / "content/deals/acme.md", VALID_DEAL.replace("stage: develop", "stage: nowhere"))
    failed = events.next_where(lambda e: e["errors"], "errors")
    assert failed["errors"] == [STAGE_ERROR]
    assert failed["generation"] == 1
    assert server.json("__playbook/errors") == [STAGE_ERROR]
    status, _, page = server.get("deals/acme/index.html")  # the last good site, still served
    assert status == 200
    assert "<h1>Data platform renewal" in page
    assert generation(page) == 1

    save(root / "content/deals/acme.md", VALID_DEAL.replace("platform renewal", "platform fixed"))
    fixed = events.next_where(lambda e: e["generation"] == 2, "the fixed build")
    assert fixed["errors"] == []
    assert server.json("__playbook/errors") == []
    assert "<h1>Data platform fixed" in server.get("deals/acme/index.html")[2]

    stderr = server.stop()
    assert stderr == (
        f"content/deals/acme.md:5: stage: {STAGE_ERROR['message']}\n"
        "1 error after a change to content/deals/acme.md; still serving the last good site\n"
    )


def test_starts_with_errors_and_recovers(
    make_playbook: Callable[..., Path], serve: Callable[[Path], Server]
) -> None:
    broken = VALID_DEAL.replace("stage: develop", "stage: nowhere")
    root = make_playbook({"content/deals/acme.md": broken})
    server = serve(root)
    status, _, page = server.get("index.html")
    assert status == 503
    assert generation(page) == 0
    assert server.json("__playbook/errors") == [STAGE_ERROR]

    save(root / "content/deals/acme.md", VALID_DEAL)
    until(lambda: server.json("__playbook/status")["generation"] == 1, "the first good build")
    status, _, page = server.get("index.html")
    assert (status, generation(page)) == (200, 1)
    server.stop()


def test_a_content_folder_that_goes_away_is_an_error_and_the_last_good_site_stays(
    make_playbook: Callable[..., Path], serve: Callable[[Path], Server], tmp_path: Path
) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    server = serve(root)
    events = Events(server.url)
    events.next_where(lambda e: e["generation"] == 1, "the first build")

    (root / "content").rename(tmp_path / "content-aside")
    failed = events.next_where(lambda e: e["errors"], "errors")
    assert [(e["path"], e["line"]) for e in failed["errors"]] == [("content", None)]
    assert failed["errors"][0]["message"].startswith("the folder does not exist: ")
    assert failed["generation"] == 1
    assert "<h1>Data platform renewal" in server.get("deals/acme/index.html")[2]

    (tmp_path / "content-aside").rename(root / "content")
    back = events.next_where(lambda e: e["generation"] == 2, "the build with content/ back")
    assert back["errors"] == []
    server.stop()


def test_editor_temporary_files_cause_no_rebuild(
    make_playbook: Callable[..., Path], serve: Callable[[Path], Server]
) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    server = serve(root)
    deals = root / "content" / "deals"
    for name in (".#acme.md", "acme.md~", "4913", ".acme.md.swp", "#acme.md#"):
        (deals / name).write_text("not a deal\n")
    save(deals / "acme.md", VALID_DEAL.replace("platform renewal", "platform expansion"))
    until(lambda: "expansion" in server.get("deals/acme/index.html")[2], "the rebuilt page")
    server.stop()
    built = [re.sub(r" \(.*\)\n", "", line) for line in server.printed if "built" in line]
    assert built == [
        "built 1 deal after starting",
        "built 1 deal after a change to content/deals/acme.md",
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/../playbook.toml",
        "/%2e%2e/%2e%2e/playbook.toml",
        "/deals/..%2F..%2F..%2Fplaybook.toml",
        "/static/%2E%2E/%2e%2e/%2e%2e/etc/passwd",
        "/deals/acme/..\\..\\..\\playbook.toml",
    ],
)
def test_addresses_outside_the_site_are_refused(path: str) -> None:
    assert site_path(path.split("?")[0]) is None


def test_the_running_server_refuses_traversal_and_serves_404_html(
    make_playbook: Callable[..., Path], serve: Callable[[Path], Server]
) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    server = serve(root)
    for path in ("/../playbook.toml", "/%2e%2e/%2e%2e/playbook.toml", "/deals/..%2f..%2fx"):
        assert server.raw(path).status == 403, path
    assert server.raw("//etc/passwd").status == 404  # an absolute path stays inside the site
    redirect = server.raw("/deals/acme")
    assert (redirect.status, redirect.headers["Location"]) == (301, "/deals/acme/")
    redirect = server.raw("//deals")  # not "//deals/": a browser would read a host name
    assert (redirect.status, redirect.headers["Location"]) == (301, "/deals/")
    assert server.raw("/deals/acme/").status == 200
    status, _, page = server.get("no/such/page.html")
    assert status == 404
    assert "<h1>Page not found</h1>" in page
    assert generation(page) == 1
    server.stop()


# ----------------------------------------------------------------------------- the parts


@pytest.mark.parametrize(
    ("path", "rebuilds"),
    [
        ("content/deals/acme.md", True),
        ("content/method/buyer-roles.md", True),
        ("templates/deal.html", True),
        ("templates/static/style.css", True),
        ("playbook.toml", True),
        ("content", True),
        ("templates", True),
        ("content/deals/.#acme.md", False),
        ("content/deals/acme.md~", False),
        ("content/deals/.acme.md.swp", False),
        ("content/deals/4913", False),
        ("content/deals/#acme.md#", False),
        ("templates/deal.html___jb_tmp___", False),
        ("content/deals/sedOJWgpI", False),
        ("site/index.html", False),
        (".git/index", False),
        ("README.md", False),
        ("playbook.toml~", False),
    ],
)
def test_which_changes_cause_a_rebuild(tmp_path: Path, path: str, rebuilds: bool) -> None:
    changes = ProjectChanges(tmp_path)
    assert changes(watchfiles.Change.modified, str(tmp_path / path)) is rebuilds


def test_script_goes_before_the_end_of_the_body() -> None:
    assert inject(b"<p>x</p></BODY></html>", b"<s>") == b"<p>x</p><s></BODY></html>"
    assert inject(b"<p>x</p>", b"<s>") == b"<p>x</p><s>"


def test_a_normal_build_has_nothing_of_the_dev_server(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    assert run_playbook("build", root, "--out", tmp_path / "site").returncode == 0
    pages = sorted((tmp_path / "site").rglob("*.html"))
    names = {page.relative_to(tmp_path / "site").as_posix() for page in pages}
    assert names >= {"index.html", "deals/acme/index.html", "404.html"}
    for page in pages:
        text = page.read_text()
        assert "__playbook" not in text and "live-reload" not in text


def test_a_rebuild_changes_the_site_only_while_no_request_reads_it(
    make_playbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    state, lock = SiteState("test"), SiteLock()
    printed: list[str] = []
    builds = ServeBuilds(
        root, state, lock, as_of=None, drafts=False, say=printed.append, warn=printed.append
    )
    builds.rebuild("starting")
    site = state.current.folder
    assert site is not None
    page = site / "deals/acme/index.html"

    # While the staged files are renamed in, a request waits.
    real_commit = SitePatch.commit
    reader_waited: list[bool] = []

    def read() -> None:
        with lock.reading():
            pass

    def commit_and_try_to_read(self: SitePatch) -> None:
        reader = threading.Thread(target=read)
        reader.start()
        reader.join(timeout=0.5)
        reader_waited.append(reader.is_alive())
        real_commit(self)

    monkeypatch.setattr(SitePatch, "commit", commit_and_try_to_read)
    path = root / "content/deals/acme.md"
    with lock.reading():  # a request reading the site: the build renders, but waits to commit
        save(path, VALID_DEAL.replace("platform renewal", "platform v2"))
        rebuild = threading.Thread(target=builds.rebuild, args=("a change", [path]))
        rebuild.start()
        rebuild.join(timeout=2.0)
        assert rebuild.is_alive()
        assert "platform renewal" in page.read_text()
        assert state.current.generation == 1
    rebuild.join(timeout=WAIT)
    assert not rebuild.is_alive()
    assert reader_waited == [True, True]  # the deal's page went in, then those listing it
    assert "platform v2" in page.read_text()
    assert (state.current.generation, state.current.folder) == (3, site)
    (_, first), (_, then) = state.current.changes[-2:]
    assert first == ("deals/acme/index.html",)
    assert then is not None and "index.html" in then and "deals/acme/index.html" not in then
    written = state.current.pages_written
    assert written == len(then) < state.current.pages  # the pages listing it, not the site
    assert printed[-1].endswith(f", {written} pages written)")
    builds.close()
    assert not builds.base.exists()


def _titled(title: str) -> str:
    return VALID_DEAL.replace("title: Data platform renewal", f"title: {title}")


def _reference(root: Path, out: Path) -> dict[str, bytes]:
    """The site as a build from nothing, without cache, in one process, makes it."""
    build(root, out, jobs=1, use_cache=False)
    return snapshot(out)


def _written(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """The files a patch from ``before`` to ``after`` writes: new ones and changed ones."""
    return sorted(path for path, data in after.items() if before.get(path) != data)


def test_saving_one_deal_writes_its_page_and_the_pages_listing_it_and_a_template_every_page(
    make_playbook: Callable[..., Path], serve: Callable[[Path], Server], tmp_path: Path
) -> None:
    root = make_playbook({f"content/deals/deal-{i}.md": _titled(f"Deal {i}") for i in range(4)})
    # Watched from the start: a file saved the instant its folder is made can come before the
    # watcher has added the folder (seen on a loaded machine), which no editor does.
    (root / "templates").mkdir()
    server = serve(root)
    events = Events(server.url)
    status = events.next_where(lambda e: e["generation"] == 1, "the first build")
    site = _reference(root, tmp_path / "site-1")
    assert status["pages"] == status["pages_written"] == len(site) - 1  # all but the marker

    # The narrative of one deal: its page only, which goes live before the build confirms
    # that no list page shows it.
    save(
        root / "content/deals/deal-2.md",
        _titled("Deal 2").replace("likes the lineage", "loves the lineage"),
    )
    status = events.next_where(lambda e: e["generation"] == 2, "the page after the narrative")
    assert (status["pages"], status["pages_written"]) == (len(site) - 1, 1)
    assert status["changes"]["2"] == ["deals/deal-2/index.html"]
    assert "loves the lineage" in server.get("deals/deal-2/")[2]
    status = events.next_where(lambda e: e["generation"] == 3, "the build after the narrative")
    assert (status["pages"], status["pages_written"], status["changes"]["3"]) == (
        len(site) - 1,
        0,
        [],
    )

    # The title of one deal: its page, then the pages that list it, no other deal's page.
    before = _reference(root, tmp_path / "site-2")
    save(root / "content/deals/deal-1.md", _titled("Deal one, renamed"))
    status = events.next_where(lambda e: e["generation"] == 5, "the build after the title")
    site = _reference(root, tmp_path / "site-3")
    changed = _written(before, site)
    assert "deals/deal-1/index.html" in changed and "index.html" in changed
    assert not [p for p in changed if p.startswith("deals/deal-") and "deal-1/" not in p]
    assert status["changes"]["4"] == ["deals/deal-1/index.html"]
    gone = sorted(before.keys() - site.keys())  # e.g. a search shard of words no longer used
    assert status["changes"]["5"] == sorted({*changed, *gone} - {"deals/deal-1/index.html"})
    assert status["pages_written"] == len(changed) - 1 < status["pages"]
    for path in gone:
        assert server.get(path)[0] == 404
    assert "Deal one, renamed" in server.get("index.html")[2]

    # A template every page uses: every page written again.
    base = (REPO / "templates" / "base.html").read_text("utf-8")
    assert "<body" in base
    save(root / "templates/base.html", base.replace("<body", "<body data-edited", 1))
    status = events.next_where(lambda e: e["generation"] == 6, "the build after base.html")
    after = _reference(root, tmp_path / "site-4")
    pages = [p for p in after if p.endswith(".html")]
    changed = _written(site, after)
    assert len(pages) > 10 and set(pages) <= set(changed)
    assert status["pages_written"] == len(changed)
    assert "<body data-edited" in server.get("deals/deal-3/")[2]
    server.stop()


def test_in_a_browser_a_save_reloads_the_pages_it_changed_and_no_other(
    make_playbook: Callable[..., Path], serve: Callable[[Path], Server], browser: Any
) -> None:
    root = make_playbook({f"content/deals/deal-{i}.md": _titled(f"Deal {i}") for i in range(2)})
    server = serve(root)
    context = browser.new_context()
    deal, overview = context.new_page(), context.new_page()
    deal.goto(server.url + "deals/deal-1/")
    overview.goto(server.url)
    for page in (deal, overview):  # gone once the page reloads
        page.evaluate("window.notReloaded = true")

    def up_to(page: Any, generation: int) -> None:
        script = "document.getElementById('playbook-live-reload')"
        page.wait_for_function(
            f"{script}.dataset.generation === '{generation}'", timeout=WAIT * 1000
        )

    # A new narrative: the deal's page reloads; the overview hears of it and stays.
    save(
        root / "content/deals/deal-1.md",
        _titled("Deal 1").replace("likes the lineage", "loves the lineage"),
    )
    until(lambda: server.json("__playbook/status")["generation"] == 3, "both generations")
    up_to(deal, 3)
    up_to(overview, 3)
    assert "loves the lineage" in deal.text_content("main")
    assert deal.evaluate("window.notReloaded") is None
    assert overview.evaluate("window.notReloaded") is True

    # A new title: the overview lists it, so it reloads too.
    deal.evaluate("window.notReloaded = true")
    save(root / "content/deals/deal-1.md", _titled("Deal one, renamed"))
    until(lambda: server.json("__playbook/status")["generation"] == 5, "both generations")
    up_to(deal, 5)
    up_to(overview, 5)
    assert "Deal one, renamed" in overview.text_content("main")
    assert deal.evaluate("window.notReloaded") is None
    assert overview.evaluate("window.notReloaded") is None
    context.close()
    server.stop()
