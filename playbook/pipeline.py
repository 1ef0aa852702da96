"""The build, one way: load → validate → analyse → render → write. ``check`` stops before render.

Every stage appends diagnostics rather than raising, so one run reports every problem; the
pipeline raises ``BuildFailed`` with all of them, sorted by path and line, before anything is
swapped into the output folder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from playbook.analysis import analyse
from playbook.config import load_settings, resolve_as_of
from playbook.diagnostics import BuildFailed, Diagnostic, Severity, has_errors, sort_diagnostics
from playbook.markdown import Link, check_anchors
from playbook.render import (
    DEAL_SECTION_IDS,
    DealView,
    Page,
    Renderer,
    Site,
    data_files,
    deal_url,
    list_pages,
    method_url,
    static_files,
)
from playbook.schema import DealDoc, MethodDoc, Settings
from playbook.sources import iter_sources
from playbook.validate import check_unique_slugs, validate_deal, validate_method
from playbook.writer import SiteWriter


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
    deal_sources = list(iter_sources(root, "deals", problems))
    problems += check_unique_slugs(deal_sources)
    deals = []
    for source in deal_sources:
        doc, errors = validate_deal(source, settings)
        problems += errors
        if doc is not None and (drafts or not doc.deal.draft):
            deals.append(doc)
    methods = []
    for source in iter_sources(root, "method", problems):
        page, errors = validate_method(source)
        problems += errors
        if page is not None:
            methods.append(page)
    deals.sort(key=lambda d: d.slug)
    methods.sort(key=lambda m: (m.page.order, m.slug))
    when = resolve_as_of(as_of, settings, problems)
    return Project(root, settings, when, deals, methods, problems)


def red_flag_warnings(project: Project) -> list[Diagnostic]:
    """Red flags as warnings for ``check``: located at the deal file, never errors."""
    warnings = []
    for doc in project.deals:
        for flag in analyse(doc.deal, project.as_of, project.settings).flags:
            warnings.append(
                Diagnostic(doc.path, 1, None, flag.message, Severity.WARNING, code=flag.rule)
            )
    return warnings


def check(root: Path, *, as_of: dt.date | None = None, drafts: bool = True) -> list[Diagnostic]:
    """Validate without writing anything: errors, plus red flags as warnings when input is valid."""
    project = load_project(root, as_of=as_of, drafts=drafts)
    problems = list(project.problems)
    problems += red_flag_warnings(project)
    return sort_diagnostics(problems)


def make_site(project: Project) -> Site:
    views = [
        DealView(doc, analyse(doc.deal, project.as_of, project.settings), deal_url(doc.slug))
        for doc in project.deals
    ]
    pages = {doc.path: deal_url(doc.slug) for doc in project.deals}
    pages.update({doc.path: method_url(doc.slug) for doc in project.methods})
    return Site(project.settings, project.as_of, views, project.methods, pages)


@dataclass(slots=True)
class BuildResult:
    pages: int
    deals: int
    warnings: list[Diagnostic]


def build(
    root: Path, out: Path, *, as_of: dt.date | None = None, drafts: bool = False
) -> BuildResult:
    """Build the site into ``out``; raises BuildFailed (and leaves ``out`` untouched) on errors."""
    project = load_project(root, as_of=as_of, drafts=drafts)
    if has_errors(project.problems):
        raise BuildFailed(sort_diagnostics(project.problems))
    site = make_site(project)
    renderer = Renderer(root, site)
    problems: list[Diagnostic] = []
    links: list[Link] = []
    anchors: dict[str, frozenset[str]] = {}
    with SiteWriter(out) as writer:
        # Method pages first: deal pages link red flags to their headings.
        for index, method in enumerate(site.methods):
            path = method_url(method.slug)
            body = renderer.body(method.body, method.path, method.body_line, path)
            problems += [Diagnostic(method.path, line, None, msg) for line, msg in body.broken]
            links += body.links
            anchors[method.path] = body.anchors
            site.method_anchors[method.slug] = body.anchors
            neighbours = {
                "previous": site.methods[index - 1] if index > 0 else None,
                "next": site.methods[index + 1] if index + 1 < len(site.methods) else None,
            }
            page = Page(path, "method.html", {"method": method, "body": body.html, **neighbours})
            writer.write(path, renderer.render(page))
        for view in site.deals:
            body = renderer.body(view.doc.body, view.doc.path, view.doc.body_line, view.url)
            problems += [Diagnostic(view.doc.path, line, None, msg) for line, msg in body.broken]
            links += body.links
            anchors[view.doc.path] = body.anchors | DEAL_SECTION_IDS
            page = Page(view.url, "deal.html", {"view": view, "body": body.html})
            writer.write(view.url, renderer.render(page))
        problems += [
            Diagnostic(source, line, None, message)
            for source, line, message in check_anchors(links, anchors)
        ]
        if problems:
            raise BuildFailed(sort_diagnostics(problems))
        for page in list_pages(site):
            writer.write(page.path, renderer.render(page))
        writer.write_all(data_files(site))
        for path, source in static_files(root).items():
            writer.copy(path, source)
        writer.commit()
        written = writer.written
    return BuildResult(written, len(site.deals), red_flag_warnings(project))
