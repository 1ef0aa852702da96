"""The build, one way: load → validate → analyse → render → write. ``check`` never writes.

Every stage appends diagnostics rather than raising, so one run reports every problem; the
pipeline raises ``BuildFailed`` with all of them, sorted by path and line, before anything is
swapped into the output folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
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
    """Validate without writing anything: errors (fields, then links), red flags as warnings.

    Links are checked by rendering the bodies in memory, the same step ``build`` takes; it runs
    once the files are valid, since a link to an invalid deal cannot be told from a broken one.
    """
    project = load_project(root, as_of=as_of, drafts=drafts)
    problems = list(project.problems)
    if not has_errors(problems):
        site = make_site(project)
        problems += render_bodies(site, Renderer(root, site)).problems
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
class Bodies:
    """Every page's Markdown, rendered in memory, and the problems of its links."""

    html: dict[str, str]  # content path → body HTML
    problems: list[Diagnostic]


def render_bodies(site: Site, renderer: Renderer) -> Bodies:
    """Render the body of every deal and method page, and check the links between them.

    The one link check of ``build`` and ``check``: a link's target page must exist while the
    body is rendered, its ``#anchor`` once every page is (a page's anchors are known only then).
    """
    # (content path, Markdown, its first line, page URL, anchors the template adds to the page)
    pages = [(v.doc.path, v.doc.body, v.doc.body_line, v.url, DEAL_SECTION_IDS) for v in site.deals]
    pages += [(m.path, m.body, m.body_line, method_url(m.slug), frozenset()) for m in site.methods]
    html: dict[str, str] = {}
    problems: list[Diagnostic] = []
    links: list[Link] = []
    anchors: dict[str, frozenset[str]] = {}
    for path, text, first_line, url, sections in pages:
        body = renderer.body(text, path, first_line, url)
        html[path] = body.html
        problems += [Diagnostic(path, line, None, message) for line, message in body.broken]
        links += body.links
        anchors[path] = body.anchors | sections
    # Deal pages link each red flag to its heading on the method page, where there is one.
    for method in site.methods:
        site.method_anchors[method.slug] = anchors[method.path]
    problems += [
        Diagnostic(source, line, None, message)
        for source, line, message in check_anchors(links, anchors)
    ]
    return Bodies(html, sort_diagnostics(problems))


def site_pages(site: Site, bodies: Bodies) -> Iterator[Page]:
    """Every page of the site: one per deal and method page, then the pages that list them."""
    for view in site.deals:
        yield Page(view.url, "deal.html", {"view": view, "body": bodies.html[view.doc.path]})
    for index, method in enumerate(site.methods):
        neighbours = {
            "previous": site.methods[index - 1] if index > 0 else None,
            "next": site.methods[index + 1] if index + 1 < len(site.methods) else None,
        }
        context = {"method": method, "body": bodies.html[method.path], **neighbours}
        yield Page(method_url(method.slug), "method.html", context)
    yield from list_pages(site)


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
    bodies = render_bodies(site, renderer)
    if bodies.problems:
        raise BuildFailed(bodies.problems)
    with SiteWriter(out) as writer:
        for page in site_pages(site, bodies):
            writer.write(page.path, renderer.render(page))
        writer.write_all(data_files(site))
        for path, source in static_files(root).items():
            writer.copy(path, source)
        writer.commit()
        written = writer.written
    return BuildResult(written, len(site.deals), red_flag_warnings(project))
