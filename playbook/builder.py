"""Incremental builds: what did not change since the last build is neither redone nor rewritten.

``Builder`` keeps its state between builds (for a dev server) and in ``.playbook-cache/`` (for
the next command). Each deal file's result is keyed by the file's content hash and by everything
pages depend on (``keys.render_digest``). A build then:

1. runs the per-deal unit (``workers``) for every deal whose key is new, over several processes;
2. reuses the stored result of every other deal, and its page, when the site on disk is exactly
   the one the last build left (same files, same stat);
3. makes the files that list many deals (list pages, ``deals.json``, the search index) from
   the per-deal results, never by re-reading files, except those whose deals and site parts
   are unchanged (``derived``); only files whose bytes changed are written.

A settings, template, method page or code change changes every key: everything is rebuilt.
The output is the same bytes as a build without cache and in one process.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from playbook import fanout
from playbook.cache import (
    CACHE_DIR,
    BuildCache,
    CacheCorrupt,
    SiteState,
    Warnings,
    site_is_intact,
    stat_entry,
)
from playbook.config import load_settings, resolve_as_of
from playbook.dealsjson import entry_text
from playbook.derived import make_derived
from playbook.diagnostics import (
    BuildFailed,
    Diagnostic,
    Severity,
    flag_warnings,
    has_errors,
    sort_diagnostics,
)
from playbook.keys import deal_key, render_digest, unchanged
from playbook.markdown import Link, check_anchors
from playbook.progress import STAGES, Progress, Stats
from playbook.render import (
    DEAL_SECTION_IDS,
    DealView,
    Page,
    Renderer,
    Site,
    deal_url,
    make_environment,
    method_url,
    static_files,
)
from playbook.schema import MethodDoc, Settings
from playbook.sources import content_problems, find_files, iter_sources
from playbook.validate import validate_method
from playbook.workers import (
    DealResult,
    Unit,
    UnitContext,
    default_jobs,
    file_digest,
    run_units,
    site_answer,
)
from playbook.writer import MARKER, SitePatch, SiteWriter, stage_parts


@contextmanager
def collector_paused(
    collect: Callable[[], bool] = lambda: False, young: bool = False
) -> Iterator[None]:
    """Keep Python's cycle collector off while a build holds ten thousand deals in memory.

    Every collection walks all live objects; with the deals of a large playbook alive that cost
    more than the parsing itself. Afterwards what is still alive (the results a Builder keeps
    for the next build) is frozen, so later collections skip it too: a collection right after
    a build otherwise took 0.7 s. Frozen garbage is never freed, though, and rendering leaves
    reference loops (Jinja's contexts and macros, which hold the site). So a Builder that builds
    again (``young``: a dev server) first collects what this build made, which is little after
    the first build; and when ``collect()`` says the build replaced the Jinja environment (new
    templates, settings or dates: every page was rendered again anyway), everything is
    collected once, so that the old compiled templates are freed.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collect():
            gc.unfreeze()
            gc.collect()
        elif young:
            gc.collect(0)  # what was made since the last freeze: this build's objects
        gc.freeze()
        if was_enabled:
            gc.enable()


@dataclass(slots=True)
class BuildResult:
    """What a build made: the same with or without cache; ``stats`` says what it cost."""

    pages: int  # files in the site
    deals: int
    flags: Warnings  # the red flags, as the cache keeps them (see ``warnings``)
    stats: Stats = field(default_factory=Stats)
    notices: list[str] = field(default_factory=list)  # about the cache, for stderr
    # The site paths this build wrote or removed; None when it wrote a whole new site.
    changed: tuple[str, ...] | None = None

    @property
    def warnings(self) -> list[Diagnostic]:
        """The red flags, as warnings at the lines of their fields."""
        return flag_warnings(self.flags)


@dataclass(slots=True)
class _Inputs:
    """What this build reads besides the deal files."""

    settings: Settings
    as_of: dt.date
    methods: list[MethodDoc]
    problems: list[Diagnostic]
    render: bytes
    rels: list[str]  # deal files in find_files order
    pages: dict[str, str]  # every content file that may become a page → its site path
    method_anchors: dict[str, frozenset[str]]  # heading ids of each method page, by slug


def unique_slug_problems(results: list[DealResult]) -> list[Diagnostic]:
    """Deals in different sub-folders must still have different file names: the slug is the URL."""
    first: dict[str, str] = {}
    problems = []
    for result in results:
        if not result.loaded:
            continue
        if result.slug in first:
            problems.append(
                Diagnostic(
                    result.rel,
                    1,
                    None,
                    f"the slug '{result.slug}' is already used by {first[result.slug]}; "
                    "every deal needs its own file name",
                )
            )
        else:
            first[result.slug] = result.rel
    return problems


def load_methods(root: Path, problems: list[Diagnostic]) -> list[MethodDoc]:
    """The valid method pages in reading order (``order``, then file name); problems appended."""
    methods = []
    for source in iter_sources(root, "method", problems):
        page, errors = validate_method(source)
        problems += errors
        if page is not None:
            methods.append(page)
    return sorted(methods, key=lambda m: (m.page.order, m.slug))


class Builder:
    """Builds the playbook at ``root`` into ``out``, again and again, redoing only what changed.

    ``build(changed)`` takes the paths a watcher saw change (None: look at everything); files
    not in it are taken as unchanged since the previous ``build`` of this object.
    ``committing`` is held while the built files move into ``out``, and only then: a dev server
    keeps its requests out of the site for that short while (``serve.SiteLock``).
    """

    def __init__(
        self,
        root: Path,
        out: Path | None = None,
        *,
        as_of: dt.date | None = None,
        drafts: bool = False,
        jobs: int | None = None,
        use_cache: bool = True,
        progress: Progress | None = None,
        committing: Callable[[], AbstractContextManager[object]] = nullcontext,
    ):
        self.root = root
        self.committing = committing
        self.out = out if out is not None else root / "site"
        self.as_of = as_of
        self.drafts = drafts
        self.jobs = jobs if jobs is not None else default_jobs()
        self.use_cache = use_cache
        self.progress = progress
        self._cache: BuildCache | None = None
        self._known: dict[str, tuple[bytes, DealResult]] = {}  # rel → (key, result)
        self._digests: dict[str, bytes] = {}
        self._state: SiteState | None = None
        self._flags: Warnings | None = None  # the red flags of the site ``_state`` describes
        self._compiled = root / CACHE_DIR / "templates" if use_cache else None
        self._env: tuple[bytes, jinja2.Environment] | None = None  # render digest, environment
        self._replaced = False  # whether this build replaced the environment of the last
        # What the last build succeeded with, for ``preview``; None after a failed build.
        self._last: _Last | None = None
        # Whether the site on disk is the one this object's last build or preview left: then
        # it need not be checked file by file (a crash halfway through a commit clears it).
        self._intact = False

    # ---------------------------------------------------------------------------- inputs

    def _inputs(self) -> _Inputs:
        root = self.root
        problems: list[Diagnostic] = []
        settings = load_settings(root, problems)
        problems += content_problems(root)
        as_of = resolve_as_of(self.as_of, settings, problems)
        method_files = find_files(root / "content" / "method")
        methods = load_methods(root, problems)
        deals = root / "content" / "deals"
        cut = len(str(deals)) + 1  # find_files joins onto ``deals``: plain text, pathlib is slow
        rels = [f"content/deals/{str(p)[cut:]}" for p in find_files(deals)]
        pages = {rel: deal_url(_slug(rel)) for rel in rels}
        pages.update({p.relative_to(root).as_posix(): method_url(p.stem) for p in method_files})
        render = render_digest(root, settings, as_of, method_files)
        # Deal pages link red flags to the method page's headings: known before any deal is.
        renderer = Renderer(root, Site(settings, as_of, [], methods, pages))
        anchors = {
            m.slug: renderer.body(m.body, m.path, m.body_line, method_url(m.slug)).anchors
            for m in methods
        }
        return _Inputs(settings, as_of, methods, problems, render, rels, pages, anchors)

    def _keys(
        self, inputs: _Inputs, changed: set[Path] | None, cache: BuildCache
    ) -> dict[str, bytes]:
        """The key of every deal file, to look up; none when there is nothing to look in.

        A file is hashed unless this object saw it and ``changed`` does not name it, or the
        cache holds its hash and its stat says it was not touched since (``keys.unchanged``).
        """
        stored = {} if self._known and changed is not None else cache.digests()
        if not self._known and not stored:
            return {}  # the units hash the files they read anyway
        keys = {}
        top = self.root.resolve()
        edited = {p.relative_to(top).as_posix() for p in changed or () if p.is_relative_to(top)}
        folder = str(self.root)
        for rel in inputs.rels:
            digest = self._digests.get(rel)
            if digest is None or changed is None or rel in edited:
                path = os.path.join(folder, rel)  # not a Path: 10,000 of them add up
                known = stored.get(rel)
                try:
                    if known is not None and unchanged(known[1], os.stat(path)):
                        digest = known[0]
                    else:
                        with open(path, "rb") as file:
                            digest = file_digest(file.read())
                except OSError:  # unreadable: its unit reports why, and nothing is reused
                    digest = file_digest(b"")
                self._digests[rel] = digest
            keys[rel] = deal_key(inputs.render, rel, digest)
        return keys

    def environment(self, render: bytes) -> jinja2.Environment:
        """The Jinja environment of this render digest (templates, settings, dates, method
        pages), made once for every build of them: a Builder serves many, and compiling the
        templates is not free."""
        if self._env is None or self._env[0] != render:
            self._replaced = self._env is not None
            self._env = (render, make_environment(self.root, self._compiled))
        return self._env[1]

    def _key(self, inputs: _Inputs, rel: str, result: DealResult, probe: dict[str, bytes]) -> bytes:
        """The key of what ``result`` was made from: the probe's, if it read the file hashed."""
        key = probe.get(rel)
        if key is not None and result.digest == self._digests.get(rel):
            return key
        return deal_key(inputs.render, rel, result.digest)

    def _cache_open(self) -> BuildCache:
        if self._cache is None:
            self._cache = BuildCache(self.root, enabled=self.use_cache)
        return self._cache

    def _stored(self, keys: dict[str, bytes], cache: BuildCache) -> dict[str, DealResult]:
        """Results whose key still matches: from this object's memory, else from the cache."""
        found = {
            rel: self._known[rel][1]
            for rel, key in keys.items()
            if self._known.get(rel, (b"",))[0] == key
        }
        missing = keys.keys() - found.keys()
        if missing and cache.db is not None:
            stored = cache.stored_keys()
            wanted = [rel for rel in missing if stored.get(rel) == keys[rel]]
            if wanted:
                try:
                    found.update(cache.results(wanted))
                except CacheCorrupt as exc:
                    cache.fail(str(exc))
        return found

    # ------------------------------------------------------------------------------ build

    def build(self, changed: Iterable[Path] | None = None) -> BuildResult:
        """Build the site; raises BuildFailed (leaving ``out`` untouched) on errors."""
        stats = Stats(jobs=self.jobs)
        changed_set = None if changed is None else {Path(p).resolve() for p in changed}
        cache = self._cache_open()
        trusted, self._intact = self._intact, False
        self._replaced = False
        with collector_paused(lambda: self._replaced, young=self._state is not None):
            cache.begin()
            try:
                result = self._build(changed_set, cache, stats, trusted)
            except BaseException:
                self._last = None
                cache.rollback()
                raise
            finally:
                if self.progress is not None:
                    self.progress.finish()
            with stats.timed("cache"):
                cache.commit()
            return result

    def _build(
        self, changed: set[Path] | None, cache: BuildCache, stats: Stats, trusted: bool
    ) -> BuildResult:
        out, drafts = self.out, self.drafts
        with stats.timed("inputs"):
            inputs = self._inputs()
            probe = self._keys(inputs, changed, cache)
        with stats.timed("cache"):
            state = self._state
            if state is None and cache.db is not None:
                try:
                    state = cache.site_state(out.resolve())
                except CacheCorrupt as exc:
                    cache.fail(str(exc))
                    state = None
        same_out = state is not None and state.out == str(out.resolve())

        def intact_now() -> bool:
            return same_out and (trusted or site_is_intact(out, state, MARKER))

        # Whether the site on disk is what the state says (16,000 files to stat): found out by
        # another process while this one reads the stored results.
        with fanout.meanwhile(intact_now, worth=same_out and not trusted) as intact:
            if (
                same_out
                and state is not None
                and probe
                and state.digest == _site_digest(inputs, probe, drafts)
                and not inputs.problems
                and intact()
            ):
                # Nothing changed: the site on disk is already this build's output.
                stats.cache_hits = len(inputs.rels)
                stats.pages_kept = len(state.files)
                try:
                    # This object's own last build's, else (a new process) the cache's.
                    found = self._flags if state is self._state else None
                    if found is None:
                        found = cache.site_warnings(out.resolve())
                except CacheCorrupt as exc:  # then they are found again, by a whole build
                    cache.fail(str(exc))
                    self._state = None
                    return self._build(changed, cache, stats, trusted=False)
                self._state, self._flags, self._intact = state, found, True
                return BuildResult(len(state.files), state.deals, found, stats, cache.notices, ())

            with stats.timed("cache"):
                stored = self._stored(probe, cache)
            patch = intact()
        if not patch:
            state = None
        writer: SiteWriter = SitePatch(out) if patch else SiteWriter(out)
        with writer:
            results = self._run(inputs, probe, stored, state, writer, stats, cache)
            # The key of what each unit read (a file may have changed since it was hashed).
            keys = {rel: self._key(inputs, rel, results[rel], probe) for rel in inputs.rels}
            self._digests.update({rel: results[rel].digest for rel in inputs.rels})
            self._known.update({rel: (keys[rel], results[rel]) for rel in inputs.rels})
            for rel in set(self._known) - set(inputs.rels):
                del self._known[rel]
            ordered = [results[rel] for rel in inputs.rels]
            problems = _file_problems(inputs, ordered)
            if has_errors(problems):
                raise BuildFailed(sort_diagnostics(problems))
            digest = _site_digest(inputs, keys, drafts)
            ran = [rel for rel in inputs.rels if results[rel] is not stored.get(rel)]
            return self._finish(inputs, keys, results, ran, state, writer, stats, digest, cache)

    def _run(
        self,
        inputs: _Inputs,
        keys: dict[str, bytes],
        stored: dict[str, DealResult],
        state: SiteState | None,
        writer: SiteWriter,
        stats: Stats,
        cache: BuildCache,
    ) -> dict[str, DealResult]:
        """Results of every deal file: stored ones whose page is in place, the rest run now."""
        reuse = {}
        for rel, result in stored.items():
            if state is None or not _page_in_place(result, keys[rel], state, self.drafts):
                continue
            reuse[rel] = result
        todo = [rel for rel in inputs.rels if rel not in reuse]
        stats.cache_hits = len(reuse)
        stats.cache_misses = len(todo)
        ctx = UnitContext(
            self.root,
            inputs.settings,
            inputs.as_of,
            inputs.methods,
            inputs.pages,
            self.drafts,
            writer.staging,
            method_anchors=inputs.method_anchors,
            compiled=self._compiled,
        )
        if self.progress is not None:
            self.progress.begin(len(todo))

        def arrived(result: DealResult, data: bytes | None) -> None:
            key = deal_key(inputs.render, result.rel, result.digest)
            cache.put(result.rel, key, result, data)

        progress = self.progress.advance if self.progress else None
        env = self.environment(inputs.render)
        ran = run_units(ctx, todo, self.jobs, progress, arrived, env)
        for result in ran.values():
            for stage, seconds in zip(STAGES, result.times, strict=True):
                stats.add(stage, seconds)
            if result.page and result.view is not None:
                writer.adopt(result.view.url)
        return {**reuse, **ran}

    def _site_context(self, inputs: _Inputs, site: Site, staging: Path) -> UnitContext:
        """What a unit needs to render a deal page once every deal of ``site`` is known."""
        return UnitContext(
            self.root,
            inputs.settings,
            inputs.as_of,
            inputs.methods,
            site.content_pages,
            self.drafts,
            staging,
            method_anchors=inputs.method_anchors,
            compiled=self._compiled,
            owner_slugs=site.owner_slugs,
            tag_slugs=site.tag_slugs,
            left_out=site.drafts,
        )

    def _finish(
        self,
        inputs: _Inputs,
        keys: dict[str, bytes],
        results: dict[str, DealResult],
        ran: list[str],
        state: SiteState | None,
        writer: SiteWriter,
        stats: Stats,
        site_digest: bytes,
        cache: BuildCache,
    ) -> BuildResult:
        """Check links, render the pages of the whole site, commit; then store to the cache.

        ``ran``: the deals whose results were made by this build, not read from the cache.

        Nothing reaches the cache or the site unless the whole build succeeds: a failed build
        leaves the playbook's folder as it was.
        """
        root, drafts = self.root, self.drafts
        included = _included(results, drafts)
        views = [r.view for r in included if r.view is not None]
        site = _whole_site(inputs, views, _left_out(results.values(), drafts))
        # A page whose question to the site has another answer now that every deal is known
        # (a link to a draft, an owner's address taken twice): rendered again, and stored.
        again = [r.rel for r in included if _answered_otherwise(r, site)]
        if again:
            env = self.environment(inputs.render)
            redone = run_units(self._site_context(inputs, site, writer.staging), again, 1, env=env)
            for rel, result in redone.items():
                results[rel] = result
                self._known[rel] = (keys[rel], result)
                cache.put(rel, keys[rel], result)
                if result.page and result.view is not None:
                    writer.adopt(result.view.url)
            included = [results[r.rel] for r in included]
        renderer = Renderer(root, site, self.environment(inputs.render))
        # Which files the site has now, and what each was made from.
        tags: dict[str, bytes] = {r.view.url: keys[r.rel] for r in included if r.page and r.view}

        def old_tag(path: str) -> bytes | None:
            old = state.files.get(path) if state is not None else None
            return old[-1] if old is not None else None

        def stage(path: str, parts: Iterable[bytes]) -> tuple[bytes, bool]:
            """Stage a file unless the site has its bytes already: its hash, and if staged."""
            with stats.timed("write"):  # in this process: a forked one's stats are its own
                tag = stage_parts(writer.staging, path, parts, old_tag(path))
            return tag, tag != old_tag(path)

        def emit(path: str, data: bytes) -> None:
            """Stage a file the main process made: noted as written when it was staged."""
            tags[path], staged = stage(path, (data,))
            if staged:
                writer.adopt(path)

        with stats.timed("render"):
            method_bodies = _method_bodies(site, renderer)
            problems = _link_problems(included, method_bodies)
            if problems:
                raise BuildFailed(sort_diagnostics(problems))
            for r in included:
                if r.body is not None and r.view is not None:  # waited for the whole site
                    page = Page(r.view.url, "deal.html", {"view": r.view, "body": r.body})
                    emit(r.view.url, renderer.render(page))
            for index, method in enumerate(site.methods):
                neighbours = {
                    "previous": site.methods[index - 1] if index > 0 else None,
                    "next": site.methods[index + 1] if index + 1 < len(site.methods) else None,
                }
                context = {"method": method, "body": method_bodies.html[method.path], **neighbours}
                path = method_url(method.slug)
                emit(path, renderer.render(Page(path, "method.html", context)))
            shown = {r.rel: r.shown for r in included}
            corrupt: list[str] = []
            derived = make_derived(
                site,
                renderer,
                inputs.render,
                shown,
                functools.partial(_entries, included, keys, cache, corrupt),
                state,
                stage,
                self.jobs,
                functools.partial(cache.fragments, inputs.render),
            )
            if derived.corrupt:
                corrupt.append("a fragment of a list page does not match its checksum")
            if corrupt:
                cache.fail(corrupt[0])
            tags.update(derived.tags)
            for path in derived.staged:
                writer.adopt(path)
        for path, source in static_files(root).items():
            emit(path, source.read_bytes())

        with stats.timed("write"):
            for r in included:
                if r.view is not None and r.view.url not in tags:  # reused from the last build
                    tags[r.view.url] = keys[r.rel]
            patched = writer if isinstance(writer, SitePatch) else None
            if patched is not None and state is not None:
                for path in state.files.keys() - tags.keys():
                    patched.remove(path)
            staged = set(patched.staged) if patched is not None else None
            with self.committing():
                writer.commit()
        stats.pages_written = writer.written
        stats.pages_kept = len(tags) - writer.written
        new_state = SiteState(str(self.out.resolve()), digest=site_digest, deals=len(views))
        new_state.lists = derived.lists
        new_state.products = derived.products
        for path, tag in tags.items():
            if state is not None and staged is not None and path not in staged:
                new_state.files[path] = state.files[path]
            else:
                new_state.files[path] = stat_entry(self.out / path, tag)
        flags = [(r.rel, *warned) for r in included for warned in r.warned]
        with stats.timed("cache"):
            cache.forget([rel for rel in cache.stored_keys() if rel not in keys])
            cache.forget_fragments(inputs.render, {rel: results[rel].shown for rel in ran})
            cache.put_fragments(inputs.render, derived.fragments, shown)
            cache.put_site(new_state, flags)
        self._state, self._flags, self._intact = new_state, flags, True
        self._last = _Last(inputs, site, method_bodies)
        changed = None if patched is None else tuple(sorted({*patched.staged, *patched.removed}))
        return BuildResult(len(tags), len(views), flags, stats, cache.notices, changed)

    # ---------------------------------------------------------------------------- preview

    def preview(self, changed: Iterable[Path]) -> tuple[str, ...]:
        """Put the pages of saved deals in place at once, before ``build`` does the rest.

        For a dev server: the page being edited shows the change in a moment, and the next
        ``build(changed)`` brings the pages that list the deal, ``deals.json`` and the search
        index in line (it finds these deal pages in place and leaves them). Only a plain edit
        qualifies: deal files that the last build, which succeeded, built into pages, still
        valid and still pages, whose links and answers from the site are still good. For
        anything else nothing is written, and ``build`` does it all. Returns the site paths
        written.
        """
        last, state = self._last, self._state
        if last is None or state is None or self._env is None or not self._intact:
            return ()
        top = self.root.resolve()
        rels = []
        for path in {Path(p).resolve() for p in changed}:
            rel = path.relative_to(top).as_posix() if path.is_relative_to(top) else ""
            known = self._known.get(rel)
            if known is None or known[1].view is None or not known[1].page:
                return ()  # not a deal page of the last build: a template, a new file, ...
            rels.append(rel)
        self._intact = False  # until this preview has finished, whatever happens
        inputs, site = last.inputs, last.site
        with SitePatch(self.out) as writer:
            unit = Unit(self._site_context(inputs, site, writer.staging), self._env[1])
            results = {rel: unit.run(rel) for rel in sorted(rels)}
            results = {
                rel: r for rel, r in results.items() if r.digest != self._known[rel][1].digest
            }
            if not results or not all(
                self._previewable(r, last, results) for r in results.values()
            ):
                writer.abort()
                self._intact = True
                return ()
            for result in results.values():
                assert result.view is not None
                writer.adopt(result.view.url)
            with self.committing():
                writer.commit()
        cache = self._cache_open()
        cache.begin()
        for rel, result in results.items():
            assert result.view is not None
            key = deal_key(inputs.render, rel, result.digest)
            self._known[rel] = (key, result)
            self._digests[rel] = result.digest
            state.files[result.view.url] = stat_entry(self.out / result.view.url, key)
            cache.put(rel, key, result)
        cache.commit()
        self._intact = True
        return tuple(sorted(r.view.url for r in results.values() if r.view is not None))

    def _previewable(self, result: DealResult, last: _Last, edited: dict[str, DealResult]) -> bool:
        """Whether a saved deal's new page can go live before the rest of the site is built."""
        if result.problems or result.broken or not result.page or result.view is None:
            return False  # not a page of its own (a draft, say), or one with errors
        if _answered_otherwise(result, last.site):
            return False
        # Its links, and the links of other pages to it, still land on an anchor.
        known = {rel: r for rel, (_, r) in self._known.items() if r.view is not None}
        known.update(edited)
        anchors = dict(last.methods.anchors)
        anchors.update({rel: _deal_anchors(r) for rel, r in known.items()})
        links = [
            link
            for r in (*known.values(), last.methods)
            for link in r.links
            if link.target in edited or link.source in edited
        ]
        return not check_anchors(links, anchors)

    # ------------------------------------------------------------------------------ check

    def check(self) -> list[Diagnostic]:
        """Errors (fields, then links), then red flags as warnings; writes nothing but the cache.

        Links are checked once the files are valid, since a link to an invalid deal cannot be
        told from a broken one.
        """
        cache = self._cache_open()
        with collector_paused():
            inputs = self._inputs()
            probe = self._keys(inputs, None, cache)
            stored = self._stored(probe, cache)
            todo = [rel for rel in inputs.rels if rel not in stored]
            ctx = UnitContext(
                self.root,
                inputs.settings,
                inputs.as_of,
                inputs.methods,
                inputs.pages,
                self.drafts,
                None,
                views=cache.db is not None,  # only a stored result needs its view
                method_anchors=inputs.method_anchors,
            )
            if self.progress is not None:
                self.progress.begin(len(todo))

            def arrived(result: DealResult, data: bytes | None) -> None:
                key = deal_key(inputs.render, result.rel, result.digest)
                cache.put(result.rel, key, result, data)

            cache.begin()
            progress = self.progress.advance if self.progress else None
            ran = run_units(ctx, todo, self.jobs, progress, arrived)
            if self.progress is not None:
                self.progress.finish()
            results = {**stored, **ran}
            ordered = [results[rel] for rel in inputs.rels]
            problems = _file_problems(inputs, ordered)
            included = [
                r for r in ordered if not r.problems and r.loaded and (self.drafts or not r.draft)
            ]
            if not has_errors(problems):
                drafts = _left_out(ordered, self.drafts)
                site = Site(inputs.settings, inputs.as_of, [], inputs.methods, {}, drafts=drafts)
                site.content_pages = {r.rel: deal_url(r.slug) for r in included}
                site.content_pages.update({m.path: method_url(m.slug) for m in inputs.methods})
                again = [r.rel for r in included if _answered_otherwise(r, site, ("page",))]
                if again:  # a link to a draft that is no page: its line, from markdown-it-py
                    ctx = replace(ctx, pages=site.content_pages, views=False, left_out=drafts)
                    reran = run_units(ctx, again, 1)
                    included = [reran.get(r.rel, r) for r in included]
                methods = _method_bodies(site, Renderer(self.root, site))
                problems += _link_problems(sorted(included, key=_by_slug), methods)
                if self.drafts and not has_errors(problems):
                    problems += _links_to_drafts(ctx, ordered)
            problems += [flag for r in ordered if self.drafts or not r.draft for flag in r.flags]
            if has_errors(problems):  # like a build: a failed check leaves no trace
                cache.rollback()
            else:
                cache.commit()
            return sort_diagnostics(problems)

    @property
    def notices(self) -> list[str]:
        return self._cache.notices if self._cache is not None else []

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()


def _file_problems(inputs: _Inputs, ordered: list[DealResult]) -> list[Diagnostic]:
    """What is wrong with the files themselves: settings, method pages, deals, their slugs."""
    problems = list(inputs.problems)
    for result in ordered:
        problems += result.problems
    return problems + unique_slug_problems(ordered)


def _entries(
    included: list[DealResult], keys: dict[str, bytes], cache: BuildCache, corrupt: list[str]
) -> Iterator[bytes]:
    """Each deal's entry of ``deals.json``, in order: kept with its result, else in the cache,
    else (a result ``check`` made, a cache that failed) made now. Adds to ``corrupt`` why an
    entry of the cache was not used."""
    for r in included:
        entry = r.entry
        if entry is None:
            try:
                entry = cache.entry(r.rel, keys[r.rel])
            except CacheCorrupt as exc:
                corrupt.append(f"deals.json: {exc}")
        if entry is None:
            assert r.view is not None
            entry = entry_text(r.view).encode("utf-8")
        yield entry


def _by_slug(result: DealResult) -> str:
    return result.slug


def _included(results: dict[str, DealResult], drafts: bool) -> list[DealResult]:
    """The deals that are pages of the site, in the site's order (by slug)."""
    return sorted(
        (r for r in results.values() if r.view is not None and (drafts or not r.draft)),
        key=_by_slug,
    )


def _whole_site(inputs: _Inputs, views: list[DealView], drafts: frozenset[str]) -> Site:
    pages = {view.path: view.url for view in views}
    pages.update({m.path: method_url(m.slug) for m in inputs.methods})
    site = Site(inputs.settings, inputs.as_of, views, inputs.methods, pages, drafts=drafts)
    site.method_anchors = dict(inputs.method_anchors)
    return site


def _left_out(results: Iterable[DealResult], drafts: bool) -> frozenset[str]:
    """The drafts that have no page in this build (to say so when a link points at one)."""
    return frozenset() if drafts else frozenset(r.rel for r in results if r.loaded and r.draft)


def _links_to_drafts(ctx: UnitContext, ordered: list[DealResult]) -> list[Diagnostic]:
    """Warnings for links from a deal to a draft: good where drafts count, as in ``check``, but
    errors for a build without ``--drafts``, which leaves the drafts out. Their lines come from
    rendering those deals again without the drafts' pages."""
    drafts = frozenset(r.rel for r in ordered if r.loaded and r.draft)
    linking = [
        r.rel
        for r in ordered
        if not r.draft and any(kind == "page" and key in drafts for kind, key, _ in r.answers)
    ]
    if not linking:
        return []
    pages = {path: url for path, url in ctx.pages.items() if path not in drafts}
    reran = run_units(replace(ctx, pages=pages, views=False, left_out=drafts), linking, 1)
    return [
        Diagnostic(rel, line, None, message, Severity.WARNING)
        for rel, result in reran.items()
        for line, message in result.broken
    ]


def _answered_otherwise(
    result: DealResult, site: Site, kinds: tuple[str, ...] = ("page", "owner", "tag")
) -> bool:
    return any(
        site_answer(site, kind, key) != answer
        for kind, key, answer in result.answers
        if kind in kinds
    )


@dataclass(frozen=True, slots=True)
class _Last:
    """What the last successful build was made of: a preview renders against it."""

    inputs: _Inputs
    site: Site
    methods: _MethodBodies


@dataclass(slots=True)
class _MethodBodies:
    """The method pages' bodies, rendered once every page is known, and what their links need."""

    html: dict[str, str]  # by content path
    links: list[Link]
    anchors: dict[str, frozenset[str]]  # by content path
    problems: list[Diagnostic]


def _method_bodies(site: Site, renderer: Renderer) -> _MethodBodies:
    bodies = _MethodBodies({}, [], {}, [])
    for method in site.methods:
        body = renderer.body(method.body, method.path, method.body_line, method_url(method.slug))
        bodies.problems += [Diagnostic(method.path, ln, None, msg) for ln, msg in body.broken]
        bodies.links += body.links
        bodies.anchors[method.path] = body.anchors
        bodies.html[method.path] = body.html
    return bodies


def _deal_anchors(result: DealResult) -> frozenset[str]:
    return result.anchors | DEAL_SECTION_IDS


def _link_problems(included: list[DealResult], methods: _MethodBodies) -> list[Diagnostic]:
    """The one link check: a target page must exist, an ``#anchor`` must be on it.

    Deal bodies were rendered by their units, method bodies by ``_method_bodies``.
    """
    problems: list[Diagnostic] = list(methods.problems)
    links: list[Link] = list(methods.links)
    anchors = dict(methods.anchors)
    for r in included:
        problems += [Diagnostic(r.rel, line, None, message) for line, message in r.broken]
        links += r.links
        anchors[r.rel] = _deal_anchors(r)
    problems += [
        Diagnostic(source, line, None, message)
        for source, line, message in check_anchors(links, anchors)
    ]
    return problems


def _slug(rel: str) -> str:
    return rel.rsplit("/", 1)[-1].removesuffix(".md")


def _site_digest(inputs: _Inputs, keys: dict[str, bytes], drafts: bool) -> bytes:
    """Of everything a site is built from: equal digests, equal sites."""
    parts = b"".join(rel.encode() + b"\0" + keys[rel] for rel in inputs.rels)
    flag = b"drafts" if drafts else b""
    return hashlib.blake2b(inputs.render + flag + parts, digest_size=16).digest()


def _page_in_place(result: DealResult, key: bytes, state: SiteState, drafts: bool) -> bool:
    """Whether a stored result can stand for a unit run: its page (if it has one) is on disk."""
    view = result.view
    if view is None or not (drafts or not result.draft):
        return True  # no page to show for it
    if not result.for_site:
        return False  # made by ``check``: no body, no links
    if result.body is not None:
        return True  # rendered by the main process every time
    entry = state.files.get(view.url)
    return entry is not None and entry[-1] == key
