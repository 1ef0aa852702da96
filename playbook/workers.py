"""The per-deal unit of work, and the processes that run it side by side.

One unit takes one deal file through load → validate → analyse → render its body and its page,
and writes the page straight into the staging folder: only the per-deal data (``DealResult``:
the DealView without its body, the problems, the links to check) travels back to the main
process, which then builds the pages that list deals. The work is CPU-bound Python, so it runs
in processes; results are put back in file order, so the output does not depend on how many
there are.

A deal page may only use what is known before the other deals are: the settings, ``as_of``,
the method pages and their headings, which pages exist, the address of an owner's or a tag's
page. ``DealSite`` gives exactly that, and notes every answer that other deals could change (a
link's target page, an owner's address, which gets ``-2`` when two owners' names fold to the
same one): the main process checks those answers against the whole site and renders the page
again where one differs. A template that asks for anything else (``site.deals``, say), or
fails, gets its page rendered by the main process once every deal is known, as in one process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import multiprocessing
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from playbook import pickling
from playbook.analysis import analyse
from playbook.dealsjson import entry_text
from playbook.diagnostics import Diagnostic, flag_warnings
from playbook.keys import file_stat
from playbook.markdown import Link
from playbook.progress import STAGES
from playbook.render import DealView, Page, Renderer, Site, deal_url, make_environment
from playbook.schema import MethodDoc, Settings
from playbook.slugs import assign_slugs
from playbook.sources import field_name, load_source, unreadable
from playbook.urls import owner_url, tag_url
from playbook.validate import validate_deal
from playbook.writer import write_file


def file_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class NeedsWholeSite(Exception):
    """A deal page asked for something only known once every deal is built."""


# What a deal page asked of the site that other deals could change: (kind, key, answer).
Answer = tuple[str, str, str | None]


class _Lookups(dict[str, str]):
    """The content pages, noting which ones a body asked for (its links) and what it got."""

    def __init__(self, pages: dict[str, str], answers: list[Answer]):
        super().__init__(pages)
        self.answers = answers

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        value = super().get(key, default)
        self.answers.append(("page", key, value))
        return value


class DealSite:
    """The part of ``Site`` that a deal page can see while other deals are being built."""

    __slots__ = (
        "_owners",
        "_site",
        "_tags",
        "answers",
        "as_of",
        "content_pages",
        "drafts",
        "methods",
        "settings",
    )

    def __init__(self, ctx: UnitContext):
        self.answers: list[Answer] = []
        self._site = Site(ctx.settings, ctx.as_of, [], ctx.methods, ctx.pages)
        self._site.method_anchors = dict(ctx.method_anchors)
        self._owners = ctx.owner_slugs
        self._tags = ctx.tag_slugs
        self.settings = ctx.settings
        self.as_of = ctx.as_of
        self.methods = ctx.methods
        self.content_pages = _Lookups(ctx.pages, self.answers)
        self.drafts = ctx.left_out

    def method_link(self, section: str) -> str | None:
        return self._site.method_link(section)

    def flag_link(self, rule_id: str) -> str | None:
        return self._site.flag_link(rule_id)

    def stage_url(self, stage: str) -> str:
        return self._site.stage_url(stage)

    def owner_url(self, owner: str) -> str:
        url = owner_url(_slug_of(owner, self._owners))
        self.answers.append(("owner", owner, url))
        return url

    def tag_url(self, tag: str) -> str:
        url = tag_url(_slug_of(tag, self._tags))
        self.answers.append(("tag", tag, url))
        return url

    def __getattr__(self, name: str) -> Any:
        raise NeedsWholeSite(name)


def _slug_of(name: str, known: dict[str, str] | None) -> str:
    """The slug from the whole site when known, else the one a name has when no other collides."""
    return known[name] if known is not None else assign_slugs([name])[name]


def site_answer(site: Site, kind: str, key: str) -> str | None:
    """What the whole site answers to a question a deal page asked (see ``DealSite``)."""
    if kind == "page":
        return site.content_pages.get(key)
    slugs = site.owner_slugs if kind == "owner" else site.tag_slugs
    slug = slugs.get(key)
    if slug is None:
        return None
    return owner_url(slug) if kind == "owner" else tag_url(slug)


@dataclass(frozen=True, slots=True)
class UnitContext:
    """Everything a unit needs besides its file; sent once to each worker process."""

    root: Path
    settings: Settings
    as_of: dt.date
    methods: list[MethodDoc]
    pages: dict[str, str]  # content path → site path of every content file that may be a page
    drafts: bool
    staging: Path | None  # where deal pages are written; None for ``check`` (no pages)
    views: bool = True  # send the DealView back (``check`` without a cache needs only flags)
    method_anchors: dict[str, frozenset[str]] = field(default_factory=dict)  # by method slug
    compiled: Path | None = None  # where compiled templates are kept (render.make_environment)
    owner_slugs: dict[str, str] | None = None  # of the whole site, when known
    tag_slugs: dict[str, str] | None = None
    left_out: frozenset[str] = frozenset()  # content paths of the drafts without a page


@dataclass(slots=True)
class DealResult:
    """What one unit found out about one deal file: all that later stages need of it."""

    rel: str
    digest: bytes
    loaded: bool
    problems: list[Diagnostic]
    view: DealView | None = None  # None when the file has errors; the doc's body is dropped
    draft: bool = False
    # The red flags (see ``flags``): line, field, message, rule; plain tuples, which a warm
    # build of ten thousand deals reads back from the cache far faster than Diagnostics.
    warned: tuple[tuple[int, str, str, str], ...] = ()
    for_site: bool = False  # made by a build (body, links, page), not by ``check``
    anchors: frozenset[str] = frozenset()
    links: list[Link] = field(default_factory=list)
    broken: list[tuple[int, str]] = field(default_factory=list)
    answers: tuple[Answer, ...] = ()  # what its body and page asked that other deals decide
    page: bool = False  # its page is in the staging folder
    body: str | None = None  # body HTML, kept only when the page waits for the whole site
    # Its entry of deals.json (see dealsjson) as UTF-8, made by a build. Not pickled with the
    # rest: a build moves it into the cache (``BuildCache.put``), where ``deals.json`` is made
    # from, so that 90 MB of entries need not sit in the main process's memory.
    entry: bytes | None = None
    # Of what its view is made from (its path and front-matter, not its body): the key of its
    # part in the pages that list it, which a change to the narrative alone leaves as it was.
    shown: bytes = b""
    times: tuple[float, ...] = (0.0,) * len(STAGES)
    stat: tuple[int, ...] = ()  # see keys.file_stat

    @property
    def slug(self) -> str:
        return self.rel.rsplit("/", 1)[-1].removesuffix(".md")

    @property
    def flags(self) -> list[Diagnostic]:
        """The red flags, as warnings at the lines of their fields."""
        return flag_warnings((self.rel, *warned) for warned in self.warned)


pickling.register(DealResult, leave_out=("entry",))


class Unit:
    """Runs units in one process: the Jinja environment and Markdown renderer are made once."""

    def __init__(self, ctx: UnitContext, env: jinja2.Environment | None = None):
        self.ctx = ctx
        self.site = DealSite(ctx)
        env = env or make_environment(ctx.root, ctx.compiled)
        self.renderer = Renderer(ctx.root, self.site, env)  # type: ignore[arg-type]
        self.made: set[Path] = set()

    def run(self, rel: str) -> DealResult:
        ctx = self.ctx
        start = time.perf_counter()
        read_ns = time.time_ns()
        try:
            with open(ctx.root / rel, "rb") as file:
                st = os.fstat(file.fileno())
                raw = file.read()
        except OSError as exc:  # a link in a loop, a file without read permission, ...
            return DealResult(rel, file_digest(b""), False, [unreadable(rel, exc)])
        problems: list[Diagnostic] = []
        source = load_source(ctx.root / rel, ctx.root, problems, raw)
        result = DealResult(rel, file_digest(raw), source is not None, problems)
        result.stat = file_stat(st, read_ns)
        loaded = time.perf_counter()
        if source is None:
            result.times = (loaded - start, 0.0, 0.0, 0.0, 0.0)
            return result
        result.shown = file_digest(f"{rel}\0{source.head}".encode())
        doc, errors = validate_deal(source, ctx.settings)
        validated = time.perf_counter()
        problems += errors
        if doc is None:
            result.times = (loaded - start, validated - loaded, 0.0, 0.0, 0.0)
            return result
        fig = analyse(doc.deal, ctx.as_of, ctx.settings)
        view = DealView(doc, fig, deal_url(doc.slug))
        result.draft = doc.deal.draft
        result.warned = tuple(
            (source.line_of(flag.field), field_name(flag.field), flag.message, flag.rule)
            for flag in fig.flags
        )
        if ctx.views:
            result.view = DealView(dataclasses.replace(doc, body=""), fig, view.url)
        analysed = time.perf_counter()
        self.site.answers.clear()
        body = self.renderer.body(doc.body, doc.path, doc.body_line, view.url)
        result.anchors = body.anchors
        result.links = body.links
        result.broken = body.broken
        html = None
        result.for_site = ctx.staging is not None
        if ctx.staging is not None:
            result.entry = entry_text(view).encode("utf-8")
        if ctx.staging is not None and (ctx.drafts or not doc.deal.draft):
            try:
                html = self.renderer.render(
                    Page(view.url, "deal.html", {"view": view, "body": body.html})
                )
            except Exception:  # NeedsWholeSite, a template mistake: see the module's docstring
                result.body = body.html
        result.answers = tuple(dict.fromkeys(self.site.answers))
        rendered = time.perf_counter()
        if html is not None and ctx.staging is not None:
            write_file(ctx.staging, view.url, html, self.made)
            result.page = True
        written = time.perf_counter()
        result.times = (
            loaded - start,
            validated - loaded,
            analysed - validated,
            rendered - analysed,
            written - rendered,
        )
        return result


_WORKER: Unit | None = None


def _start_worker(ctx: UnitContext) -> None:
    global _WORKER
    _WORKER = Unit(ctx)
    # Modules and templates live as long as the process: the collector need never walk them.
    # It runs once per chunk instead of whenever allocations pile up (see builder.py).
    gc.freeze()
    gc.disable()


@dataclass(frozen=True, slots=True)
class _Failed:
    """A unit raised (a template mistake, say): the main process runs it again to raise it."""

    rel: str


def _run_chunk(rels: Sequence[str]) -> list[tuple[bytes, bytes | None]]:
    """Pickled here, so that the main process stores these very bytes in the cache; each with
    its entry of deals.json, which the pickle leaves out."""
    assert _WORKER is not None
    results = []
    for rel in rels:
        try:
            result: DealResult | _Failed = _WORKER.run(rel)
        except Exception:  # not every exception survives pickling: raised again in main
            result = _Failed(rel)
        entry = result.entry if isinstance(result, DealResult) else None
        results.append((pickle.dumps(result, pickle.HIGHEST_PROTOCOL), entry))
    gc.collect()
    return results


def default_jobs() -> int:
    return os.cpu_count() or 1


def _pool(jobs: int, ctx: UnitContext) -> Executor:
    method = "fork" if sys.platform == "linux" else "spawn"
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context(method),
        initializer=_start_worker,
        initargs=(ctx,),
    )


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Below this many files a pool costs more than it saves.
IN_PROCESS_BELOW = 64


Progress = Callable[[int], None]
# Told of each result as it arrives, with its pickle when it came from another process.
OnResult = Callable[[DealResult, bytes | None], None]


def run_units(
    ctx: UnitContext,
    rels: Sequence[str],
    jobs: int,
    progress: Progress | None = None,
    on_result: OnResult | None = None,
    env: jinja2.Environment | None = None,
) -> dict[str, DealResult]:
    """Run the unit of every file in ``rels``: in this process, or over ``jobs`` processes.

    ``env``: the Jinja environment of these templates, for units run in this process: its
    compiled templates are kept for the next build (see ``Builder.environment``).
    """
    if jobs <= 1 or len(rels) < IN_PROCESS_BELOW:
        return _in_process(ctx, rels, progress, on_result, env)
    results: dict[str, DealResult] = {}
    # Small chunks keep both processes busy to the end; large ones cost less to send.
    size = max(8, min(64, len(rels) // (jobs * 8) or 1))
    failed = []
    with _pool(jobs, ctx) as pool:
        for chunk in pool.map(_run_chunk, _chunks(rels, size)):
            for data, entry in chunk:
                result = pickle.loads(data)
                if isinstance(result, _Failed):
                    failed.append(result.rel)
                    continue
                result.entry = entry
                results[result.rel] = result
                if on_result is not None:
                    on_result(result, data)
            if progress is not None:
                progress(len(chunk))
    if failed:
        # The first in file order raises here, with its own exception, as in one process.
        results.update(_in_process(ctx, failed, None, on_result, env))
    return results


def _in_process(
    ctx: UnitContext,
    rels: Sequence[str],
    progress: Progress | None,
    on_result: OnResult | None,
    env: jinja2.Environment | None,
) -> dict[str, DealResult]:
    results: dict[str, DealResult] = {}
    unit = Unit(ctx, env)
    for rel in rels:
        results[rel] = result = unit.run(rel)
        if on_result is not None:
            on_result(result, None)
        if progress is not None:
            progress(1)
    return results
