"""Render stage: validated, analysed documents → the pages of the site, as bytes in memory.

The Jinja environment looks in the playbook's own ``templates/`` first and in the built-in
templates second, so a playbook overrides them file by file. Autoescape is on and undefined
names fail loudly. Every link is relative (``root`` is the way back to the site's top), so
the site works from ``file://`` and under any base path.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from playbook import __version__
from playbook.analysis import RULES, SEVERITY_ORDER, DealFigures
from playbook.fastmd import render_fast
from playbook.formatting import FILTERS
from playbook.markdown import RenderedBody, make_markdown, render_body
from playbook.schema import DEFAULT_METHOD_PAGES, DealDoc, MethodDoc, Settings

STATIC = "static"

# The ids of the sections of a deal page (deal.html), so that links can point at them.
DEAL_SECTION_IDS = frozenset(
    {
        "summary",
        "red-flags",
        "buyers",
        "competition",
        "alternatives",
        "actions",
        "indicators",
        "strengths-and-risks",
        "reviews",
        "narrative",
    }
)


def builtin_templates() -> Path:
    """The default templates: shipped in the wheel, or the repository's ``templates/`` folder."""
    packaged = resources.files("playbook") / "_default_templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "templates"


def template_dirs(root: Path) -> list[Path]:
    """Where templates are looked up, first match wins: the playbook's own, then the built-in."""
    own = root / "templates"
    builtin = builtin_templates()
    dirs = [own] if own.is_dir() and own.resolve() != builtin.resolve() else []
    return [*dirs, builtin]


def make_environment(root: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(root)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def static_files(root: Path) -> dict[str, Path]:
    """Static assets by site path (``static/style.css``); the playbook's own override by name."""
    found: dict[str, Path] = {}
    for folder in reversed(template_dirs(root)):
        base = folder / STATIC
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    found[f"{STATIC}/{path.relative_to(base).as_posix()}"] = path
    return dict(sorted(found.items()))


def deal_url(slug: str) -> str:
    return f"deals/{slug}/index.html"


def method_url(slug: str) -> str:
    return f"method/{slug}/index.html"


def relative(target: str, page: str) -> str:
    """The URL of site path ``target`` as seen from site path ``page``."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def root_of(page: str) -> str:
    depth = page.count("/")
    return "../" * depth


@dataclass(frozen=True, slots=True)
class DealView:
    """A deal as the templates see it: the document, its derived figures, its rendered body."""

    doc: DealDoc
    fig: DealFigures
    url: str

    @property
    def deal(self) -> Any:
        return self.doc.deal

    @property
    def slug(self) -> str:
        return self.doc.slug


@dataclass(slots=True)
class Site:
    """Everything known about the whole playbook that pages can refer to."""

    settings: Settings
    as_of: dt.date
    deals: list[DealView]
    methods: list[MethodDoc]
    content_pages: dict[str, str] = field(default_factory=dict)  # content path → site path

    def method_link(self, section: str) -> str | None:
        """Site path of the method page that explains a deal section, if the playbook has it."""
        slug = self.settings.method_pages.get(section, DEFAULT_METHOD_PAGES.get(section))
        if slug and any(m.slug == slug for m in self.methods):
            return method_url(slug)
        return None


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    template: str
    context: dict[str, Any]


class Renderer:
    """Renders pages of one site; holds the Jinja environment and the Markdown renderer."""

    def __init__(self, root: Path, site: Site):
        self.env = make_environment(root)
        self.md = make_markdown()
        self.site = site
        self.globals = {
            "site": site,
            "settings": site.settings,
            "as_of": site.as_of,
            "version": __version__,
            "stages": site.settings.stages.order,
            "rules": RULES,
        }

    def body(self, text: str, source: str, first_line: int, page: str) -> RenderedBody:
        def page_url(content_path: str) -> str | None:
            target = self.site.content_pages.get(content_path)
            return relative(target, page) if target is not None else None

        fast = render_fast(text, source=source, page_url=page_url)
        if fast is not None:
            return fast
        return render_body(self.md, text, source=source, first_line=first_line, page_url=page_url)

    def render(self, page: Page) -> bytes:
        root = root_of(page.path)

        def url(target: str) -> str:
            return root + target

        template = self.env.get_template(page.template)
        html = template.render(
            **self.globals, **page.context, page_path=page.path, root=root, url=url
        )
        return html.encode("utf-8")


def severity_rank(view: DealView) -> int:
    worst = view.fig.worst_severity
    return SEVERITY_ORDER[worst] if worst is not None else len(SEVERITY_ORDER)


def list_pages(site: Site) -> Iterator[Page]:
    """The pages that list deals or method pages (they change when any deal changes)."""
    yield Page("index.html", "index.html", {"groups": stage_groups(site)})
    yield Page("method/index.html", "method_index.html", {})
    yield Page("404.html", "404.html", {})


def stage_groups(site: Site) -> list[dict[str, Any]]:
    """Deals per stage, in the playbook's stage order, with their totals per currency."""
    groups = []
    for stage in site.settings.stages.order:
        deals = [v for v in site.deals if v.deal.stage == stage]
        groups.append({"stage": stage, "deals": deals, "totals": currency_totals(deals)})
    return groups


def currency_totals(deals: list[DealView]) -> list[dict[str, Any]]:
    """Total and weighted value per currency: amounts in different currencies are never added."""
    totals: dict[str, dict[str, Any]] = {}
    for view in deals:
        deal = view.deal
        if deal.value is None:
            continue
        row = totals.setdefault(
            deal.currency, {"currency": deal.currency, "value": 0, "weighted": 0}
        )
        row["value"] += deal.value
        weighted = view.fig.weighted_value
        row["weighted"] += weighted if weighted is not None else deal.value
    return [totals[c] for c in sorted(totals)]
