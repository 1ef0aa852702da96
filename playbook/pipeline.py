"""The build, one way: load → validate → analyse → render → write. ``check`` never writes.

Every stage appends diagnostics rather than raising, so one run reports every problem; the
pipeline raises ``BuildFailed`` with all of them, sorted by path and line, before anything is
swapped into the output folder.

``build`` and ``check`` run through ``builder.Builder``: each deal file's stages run as one unit
in worker processes, results are cached in ``.playbook-cache/``, and only what changed is
redone. ``load_project`` and ``make_site`` do the same stages in this process, all at once, for
tools and tests that want the whole validated playbook in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from playbook.analysis import analyse
from playbook.builder import Builder, BuildResult, load_methods
from playbook.config import load_settings, resolve_as_of
from playbook.diagnostics import Diagnostic
from playbook.progress import Progress
from playbook.render import DealView, Site, deal_url, method_url
from playbook.schema import DealDoc, MethodDoc, Settings
from playbook.sources import content_problems, iter_sources
from playbook.validate import check_unique_slugs, validate_deal

__all__ = ["BuildResult", "Project", "build", "check", "load_project", "make_site"]


@dataclass(slots=True)
class Project:
    """A loaded, validated playbook: what every later stage works from."""

    root: Path
    settings: Settings
    as_of: dt.date
    deals: list[DealDoc]
    methods: list[MethodDoc]
    problems: list[Diagnostic] = field(default_factory=list)


def load_project(root: Path, *, as_of: dt.date | None = None, drafts: bool = False) -> Project:
    """Load and validate every file of the playbook; problems are collected, not raised."""
    problems: list[Diagnostic] = []
    settings = load_settings(root, problems)
    problems += content_problems(root)
    deal_sources = list(iter_sources(root, "deals", problems))
    problems += check_unique_slugs(deal_sources)
    deals = []
    for source in deal_sources:
        doc, errors = validate_deal(source, settings)
        problems += errors
        if doc is not None and (drafts or not doc.deal.draft):
            deals.append(doc)
    methods = load_methods(root, problems)
    deals.sort(key=lambda d: d.slug)
    when = resolve_as_of(as_of, settings, problems)
    return Project(root, settings, when, deals, methods, problems)


def check(
    root: Path,
    *,
    as_of: dt.date | None = None,
    drafts: bool = True,
    jobs: int | None = None,
    use_cache: bool = True,
    notices: list[str] | None = None,
) -> list[Diagnostic]:
    """Validate without writing anything: errors, plus red flags as warnings when input is valid.

    The deal files are checked over ``jobs`` processes, reusing ``.playbook-cache/``; what
    there is to say about the cache (a damaged one was discarded) is added to ``notices``.
    """
    builder = Builder(root, as_of=as_of, drafts=drafts, jobs=jobs, use_cache=use_cache)
    try:
        return builder.check()
    finally:
        if notices is not None:
            notices += builder.notices
        builder.close()


def make_site(project: Project) -> Site:
    views = [
        DealView(doc, analyse(doc.deal, project.as_of, project.settings), deal_url(doc.slug))
        for doc in project.deals
    ]
    pages = {doc.path: deal_url(doc.slug) for doc in project.deals}
    pages.update({doc.path: method_url(doc.slug) for doc in project.methods})
    return Site(project.settings, project.as_of, views, project.methods, pages)


def build(
    root: Path,
    out: Path,
    *,
    as_of: dt.date | None = None,
    drafts: bool = False,
    jobs: int | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site into ``out``; raises BuildFailed (and leaves ``out`` untouched) on errors.

    The deals are built over ``jobs`` processes (default: one per core; 1: in this process),
    and what ``.playbook-cache/`` says is unchanged is reused (see ``builder.Builder``).
    """
    builder = Builder(
        root, out, as_of=as_of, drafts=drafts, jobs=jobs, use_cache=use_cache, progress=progress
    )
    try:
        return builder.build()
    finally:
        builder.close()
