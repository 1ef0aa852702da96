"""Render stage: validated, analysed documents → the pages of the site, as bytes in memory.

The Jinja environment looks in the playbook's own ``templates/`` first and in the built-in
templates second, so a playbook overrides them file by file. Autoescape is on and undefined
names fail loudly. Every link is relative (``root`` is the way back to the site's top), so
the site works from ``file://`` and under any base path.
"""

from __future__ import annotations

import datetime as dt
import functools
import pickle
import traceback
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from playbook import __version__
from playbook.analysis import RULES, RULES_BY_ID, DealFigures, IndicatorTrend, ranked_alternatives
from playbook.buyer_map import buyer_map
from playbook.charts import indicator_chart
from playbook.diagnostics import BuildFailed, Diagnostic
from playbook.fastmd import render_fast
from playbook.formatting import FILTERS
from playbook.markdown import RenderedBody, make_markdown, render_body
from playbook.overview import (
    NamedGroup,
    flags_by_rule,
    listed,
    named_groups,
    open_totals,
    stage_groups,
    stage_named_groups,
)
from playbook.schema import DEFAULT_METHOD_PAGES, DealDoc, Indicator, MethodDoc, Settings
from playbook.slugs import assign_slugs
from playbook.urls import RED_FLAGS_URL, owner_url, relative, root_of, stage_url, tag_url
from playbook.urls import deal_url as deal_url  # re-exported: the pipeline names pages by it
from playbook.urls import method_url as method_url

STATIC = "static"

# The ids of the sections of a deal page (deal.html), so that links can point at them.
DEAL_SECTION_IDS = frozenset(
    {
        "summary",
        "red-flags",
        "buyers",
        "buyer-map",
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


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates compiled by an earlier run, kept in the build cache: each build process (and
    each of its workers) would otherwise compile them again, a tenth of a second of a rebuild.

    Jinja checks each against its template's source. One that cannot be read is compiled
    again, and one that cannot be written (the cache was just discarded) is not kept.
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # damaged: never trusted
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def make_environment(root: Path, compiled: Path | None = None) -> jinja2.Environment:
    """The Jinja environment of the playbook at ``root``; ``compiled``: where compiled
    templates are kept between runs (in the build cache), if anywhere."""
    env = jinja2.Environment(
        bytecode_cache=_CompiledTemplates(str(compiled)) if compiled is not None else None,
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


# What pages that list deals show of each: a view read back from a pickle has these at hand as
# a brief, without unpickling its whole document (buyers, plan, indicators) and figures.
DEAL_BRIEF = (
    "title",
    "customer",
    "owner",
    "stage",
    "objective",
    "value",
    "currency",
    "close_date",
    "updated",
    "position",
    "tags",
    "draft",
)
FIG_BRIEF = (
    "is_open",
    "is_won",
    "is_lost",
    "weighted_value",
    "chance",
    "overdue_actions",
    "days_to_close",
    "worst_severity",
    "flags",
)


class _Brief:
    """Some fields of a deal or its figures; any other is read from the whole, on demand.

    It refers to its view weakly: a cycle would outlive a build, whose objects the cycle
    collector is told to skip (``builder.collector_paused``).
    """

    __slots__ = ("_view",)
    _whole: Callable[[DealView], Any]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # pickle, copy and the like probe for these
            raise AttributeError(name)
        view = self._view()
        if view is None:
            raise AttributeError(f"{name} (the deal this brief was of is gone)")
        return getattr(type(self)._whole(view), name)


class DealBrief(_Brief):
    __slots__ = DEAL_BRIEF
    _whole = staticmethod(lambda view: view.whole()[0].deal)


class FigBrief(_Brief):
    __slots__ = FIG_BRIEF
    _whole = staticmethod(lambda view: view.whole()[1])


def _brief(cls: type[_Brief], view: DealView, values: tuple[Any, ...]) -> Any:
    brief = object.__new__(cls)
    brief._view = weakref.ref(view)
    for name, value in zip(cls.__slots__, values, strict=True):
        object.__setattr__(brief, name, value)
    return brief


class DealView:
    """A deal as the templates see it: the document and its derived figures, at its address.

    What pages are grouped by (path, owner, tags, stage) is at hand at once. A view read back
    from a pickle (the cache, another process) holds its document and figures as bytes until
    they are first asked for: a build after a change to one narrative lists no deal again, and
    never unpickles ten thousand documents to find that out. Until then ``deal`` and ``fig``
    are briefs (``DEAL_BRIEF``, ``FIG_BRIEF``) which hold what list pages show, so that the
    overview of ten thousand deals reads none of their documents, and a process forked to
    render it copies little of the memory it shares.
    """

    __slots__ = (
        "__weakref__",
        "_brief",
        "_data",
        "_doc",
        "_fig",
        "owner",
        "path",
        "stage",
        "tags",
        "url",
    )

    def __init__(self, doc: DealDoc, fig: DealFigures, url: str):
        self._doc: DealDoc | None = doc
        self._fig: DealFigures | None = fig
        self._data: bytes | None = None
        self._brief: tuple[DealBrief, FigBrief] | None = None
        self.url = url
        self.path = doc.path
        self.owner: str = doc.deal.owner
        self.tags: tuple[str, ...] = tuple(doc.deal.tags)
        self.stage: str = doc.deal.stage

    @property
    def loaded(self) -> bool:
        """Whether the document and figures are objects already, not bytes."""
        return self._data is None

    def load(self) -> None:
        """Read the document and figures now, if they are still bytes."""
        if self._data is not None:
            self._doc, self._fig = pickle.loads(self._data)
            self._data = self._brief = None

    def whole(self) -> tuple[DealDoc, DealFigures]:
        """The document and figures, read now if they are still bytes."""
        self.load()
        assert self._doc is not None and self._fig is not None
        return self._doc, self._fig

    def read(self) -> tuple[DealDoc, DealFigures]:
        """The document and figures, without keeping them here if they are still bytes.

        For code that reads each of many deals once (the search index): their documents need
        not all be in memory at the same time.
        """
        if self._data is not None:
            doc, fig = pickle.loads(self._data)
            return doc, fig
        assert self._doc is not None and self._fig is not None
        return self._doc, self._fig

    @property
    def doc(self) -> DealDoc:
        return self.whole()[0]

    @property
    def fig(self) -> Any:  # DealFigures, or its brief
        if self._brief is not None:
            return self._brief[1]
        return self.whole()[1]

    @property
    def deal(self) -> Any:  # schema.Deal, or its brief
        if self._brief is not None:
            return self._brief[0]
        return self.doc.deal

    @property
    def slug(self) -> str:
        return self.path.rsplit("/", 1)[-1].removesuffix(".md")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DealView):
            return NotImplemented
        return (self.url, self.doc, self.fig) == (other.url, other.doc, other.fig)

    __hash__ = None  # type: ignore[assignment]  # compared by value, like the dataclass it was

    def __reduce__(self) -> tuple[Any, ...]:
        data, deal, fig = self._data, self.deal, self.fig
        if data is None:
            data = pickle.dumps((self._doc, self._fig), pickle.HIGHEST_PROTOCOL)
        briefs = (
            tuple(getattr(deal, name) for name in DEAL_BRIEF),
            tuple(getattr(fig, name) for name in FIG_BRIEF),
        )
        head = (self.url, self.path, self.owner, self.tags, self.stage)
        return _stored_view, (*head, *briefs, data)


def _stored_view(
    url: str,
    path: str,
    owner: str,
    tags: tuple[str, ...],
    stage: str,
    deal: tuple[Any, ...],
    fig: tuple[Any, ...],
    data: bytes,
) -> DealView:
    view = object.__new__(DealView)
    view._doc = view._fig = None
    view._data = data
    view._brief = (_brief(DealBrief, view, deal), _brief(FigBrief, view, fig))
    view.url, view.path, view.owner, view.tags, view.stage = url, path, owner, tags, stage
    return view


@dataclass(slots=True)
class Site:
    """Everything known about the whole playbook that pages can refer to."""

    settings: Settings
    as_of: dt.date
    deals: list[DealView]
    methods: list[MethodDoc]
    content_pages: dict[str, str] = field(default_factory=dict)  # content path → site path
    # Heading ids of each method page by slug, once rendered: red-flag links use them.
    method_anchors: dict[str, frozenset[str]] = field(default_factory=dict)
    drafts: frozenset[str] = frozenset()  # content paths of the drafts left out of the site
    stage_slugs: dict[str, str] = field(init=False)
    owner_slugs: dict[str, str] = field(init=False)
    tag_slugs: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.stage_slugs = assign_slugs(self.settings.stages.order)
        self.owner_slugs = assign_slugs(view.owner for view in self.deals)
        self.tag_slugs = assign_slugs(tag for view in self.deals for tag in view.tags)

    def method_link(self, section: str) -> str | None:
        """Site path of the method page that explains a deal section, if the playbook has it."""
        slug = self.method_slug(section)
        return method_url(slug) if slug is not None else None

    def method_slug(self, section: str) -> str | None:
        slug = self.settings.method_pages.get(section, DEFAULT_METHOD_PAGES.get(section))
        return slug if slug and any(m.slug == slug for m in self.methods) else None

    def flag_link(self, rule_id: str) -> str | None:
        """Where the method explains how to fix a red flag: its section of the red-flags page.

        The page alone when its headings are known and none matches the rule (a playbook's own
        page may be organised differently); None when the playbook has no such page.
        """
        slug = self.method_slug("red_flags")
        if slug is None:
            return None
        anchor = RULES_BY_ID[rule_id].anchor
        known = self.method_anchors.get(slug)
        return method_url(slug) + (f"#{anchor}" if known is None or anchor in known else "")

    def stage_url(self, stage: str) -> str:
        return stage_url(self.stage_slugs[stage])

    def owner_url(self, owner: str) -> str:
        return owner_url(self.owner_slugs[owner])

    def tag_url(self, tag: str) -> str:
        return tag_url(self.tag_slugs[tag])


class SiteRecorder:
    """Stands for ``site`` in a template and notes which of its parts the template asks for."""

    def __init__(self, site: Site):
        object.__setattr__(self, "_site", site)
        object.__setattr__(self, "asked", set())

    def __getattr__(self, name: str) -> Any:
        self.asked.add(name)
        return getattr(self._site, name)


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    template: str
    context: dict[str, Any]
    root: str | None = None  # the way back to the top of the site, when not relative to ``path``


class Renderer:
    """Renders pages of one site; holds the Jinja environment and the Markdown renderer."""

    def __init__(self, root: Path, site: Site, env: jinja2.Environment | None = None):
        self.root = root
        self.env = env or make_environment(root)  # a Builder gives its own (Builder.environment)
        self.md = make_markdown()
        self.site = site
        self.globals = {
            "site": site,
            "settings": site.settings,
            "as_of": site.as_of,
            "version": __version__,
            "stages": site.settings.stages.order,
            "rules": RULES,
            "rules_by_id": RULES_BY_ID,
            "ranked_alternatives": ranked_alternatives,
            "buyer_map": buyer_map,
            "indicator_chart": chart,
            "deal_fragment": _fragment_function(weakref.ref(self)),
        }
        self.fragments: Any = None  # a fragments.Fragments, when fragments are kept

    def body(self, text: str, source: str, first_line: int, page: str) -> RenderedBody:
        def page_url(content_path: str) -> str | None:
            target = self.site.content_pages.get(content_path)
            return relative(target, page) if target is not None else None

        def missing(content_path: str) -> str:
            if content_path in self.site.drafts:
                return "a draft: drafts have no page unless the site is built with --drafts"
            return "which does not exist"

        # A deal's narrative sits under the page's "Narrative" heading (h2), so its headings
        # start at h3; a method page's body sits right under the page title (h1).
        top = 3 if page.startswith("deals/") else 2
        fast = render_fast(text, source=source, page_url=page_url, top_heading=top)
        if fast is not None:
            return fast
        return render_body(
            self.md,
            text,
            source=source,
            first_line=first_line,
            page_url=page_url,
            top_heading=top,
            missing=missing,
        )

    def deal_fragment(self, context: Any, name: str, view: DealView, **values: Any) -> Markup:
        """A partial template that shows one deal (see ``fragments``), kept while it can be."""
        root, url, site = context["root"], context["url"], context["site"]
        asked: set[str] = site.asked if isinstance(site, SiteRecorder) else set()

        def render() -> tuple[str, frozenset[str]]:
            recorder = SiteRecorder(self.site)
            given = {**self.globals, "site": recorder, "root": root, "url": url}
            html = self.env.get_template(name).render(**given, view=view, **values)
            return html, frozenset(recorder.asked)

        if self.fragments is None:
            html, parts = render()
            asked |= parts
            return Markup(html)
        return self.fragments.get(name, root, view.path, values, render, asked)

    def render(self, page: Page) -> bytes:
        root = page.root if page.root is not None else root_of(page.path)

        def url(target: str) -> str:
            return root + target

        try:
            template = self.env.get_template(page.template)
            html = template.render(
                **self.globals, **page.context, page_path=page.path, root=root, url=url
            )
        except Exception as exc:  # any mistake in a template: 1/0, a loop of includes, bad bytes
            raise BuildFailed([template_problem(exc, self.root, page)]) from None
        return html.encode("utf-8")


def _fragment_function(renderer: Callable[[], Renderer | None]) -> Callable[..., Markup]:
    """``deal_fragment`` for templates. It holds its renderer weakly: a renderer that held itself
    through its globals would outlive its build, with every deal of the site it renders."""

    @jinja2.pass_context
    def deal_fragment(context: Any, name: str, view: DealView, **values: Any) -> Markup:
        owner = renderer()
        assert owner is not None  # a template renders only while its renderer does
        return owner.deal_fragment(context, name, view, **values)

    return deal_fragment


def chart(indicator: Indicator, trend: IndicatorTrend) -> Markup:
    """The indicator's SVG chart, marked safe: charts.py escapes every text it puts in."""
    return Markup(indicator_chart(indicator, trend.words))


def template_problem(exc: Exception, root: Path, page: Page) -> Diagnostic:
    """A mistake in a template as a located problem (template file and line), not a traceback."""
    filename, line = None, None
    if isinstance(exc, jinja2.TemplateSyntaxError):
        filename, line = exc.filename, exc.lineno
    else:  # raised while rendering: the innermost frame that runs a template file
        dirs = [d.resolve() for d in template_dirs(root)]
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            name = Path(frame.f_code.co_filename)
            if name.is_absolute() and any(name.is_relative_to(d) for d in dirs):
                filename, line = str(name), lineno
    path = f"templates/{page.template}"
    if filename is not None:
        name = Path(filename).resolve()
        own = root.resolve()
        builtin = builtin_templates().resolve()
        if name.is_relative_to(own):
            path = name.relative_to(own).as_posix()
        elif name.is_relative_to(builtin):
            path = f"(built-in templates)/{name.relative_to(builtin).as_posix()}"
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"there is no template '{exc.name}'"
    elif isinstance(exc, jinja2.TemplateError):
        message = exc.message or type(exc).__name__
    elif isinstance(exc, RecursionError):
        message = "templates include or extend each other in a loop"
    elif isinstance(exc, UnicodeDecodeError):
        message = "a template file is not UTF-8 text"
    else:
        message = f"{type(exc).__name__}: {exc}"
    return Diagnostic(path, line, None, f"template error while making {page.path}: {message}")


@dataclass(frozen=True, slots=True)
class ListPage:
    """A page made from some of the deals, whose context is built only if it is rendered.

    ``members`` are the content paths of the deals it shows, in order. What lets a build keep
    the page on disk instead (``listcache``): its context is a function of those deals' views
    and of its path alone, and whatever else it reads of the site goes through ``site``.
    """

    path: str
    template: str
    members: tuple[str, ...]
    make: Callable[[], dict[str, Any]]
    root: str | None = None  # as ``Page.root``
    rows: int | None = None  # the rows it shows, when not one per member: what it costs

    def page(self) -> Page:
        return Page(self.path, self.template, self.make(), self.root)


def _paths(views: list[DealView]) -> tuple[str, ...]:
    return tuple(view.path for view in views)


def list_pages(site: Site) -> Iterator[ListPage]:
    """The pages that list deals or method pages.

    Like ``products``, they are computed from ``site.deals`` (DealViews) only. Grouping is
    cheap; the figures of a page (totals, red flags by rule) are computed when it is rendered.
    """
    owners = named_groups(site.deals, lambda v: [v.owner], site.owner_slugs, owner_url)
    tags = named_groups(site.deals, lambda v: v.tags, site.tag_slugs, tag_url)
    stages = stage_named_groups(site.deals, site.settings, site.stage_slugs, stage_url)
    every = _paths(site.deals)
    rule_hits = functools.cache(lambda: flags_by_rule(site.deals, site.settings))

    def overview() -> dict[str, Any]:
        groups = stage_groups(site.deals, site.settings)
        return {
            "groups": groups,
            "open_totals": open_totals(listed(groups)),
            "owners": owners,
            "tags": tags,
            "rule_hits": rule_hits(),
        }

    def group_page(kind: str, group: NamedGroup) -> dict[str, Any]:
        groups = stage_groups(group.deals, site.settings)
        if kind == "stage":  # one stage: its own row of totals, not every stage's
            groups = [g for g in groups if g.stage == group.name]
        context = {"kind": kind, "group": group, "groups": groups}
        return {**context, "open_totals": open_totals(listed(groups))}

    yield ListPage("index.html", "index.html", every, overview)
    for kind, groups in (("stage", stages), ("owner", owners), ("tag", tags)):
        index = {"kind": kind, "groups": groups}
        yield ListPage(f"{kind}s/index.html", "groups_index.html", every, lambda c=index: c)
        for group in groups:
            make = functools.partial(group_page, kind, group)
            yield ListPage(group.url, "group.html", _paths(group.deals), make)
    flags = sum(len(view.fig.flags) for view in site.deals)  # a row each
    yield ListPage(
        RED_FLAGS_URL, "red_flags.html", every, lambda: {"rule_hits": rule_hits()}, rows=flags
    )
    yield ListPage("method/index.html", "method_index.html", (), dict)
    # A web server shows 404.html at any depth, so relative links would miss: with a base URL
    # its links are absolute.
    base = site.settings.base_url
    root = base.rstrip("/") + "/" if base else None
    yield ListPage("404.html", "404.html", (), dict, root=root)
