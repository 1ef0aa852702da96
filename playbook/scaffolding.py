"""A new playbook (``playbook init``) and a new deal file (``playbook new deal``).

The files come from ``playbook/scaffold/``, shipped in the package: ``project/`` is copied as it
is (its method pages are the repository's own ``content/method/``), ``new-deal.md`` is filled in.
These write a writer's files, never the site; they refuse to replace anything that exists.
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from playbook import __version__
from playbook.config import CONFIG_FILE, load_settings
from playbook.diagnostics import Diagnostic

# Names that cannot sit in the package as they are (git would read a .gitignore there).
_DOT_NAMES = {"gitignore": ".gitignore", "github": ".github"}
_VERSION = "@PLAYBOOK_VERSION@"


class ScaffoldRefused(Exception):
    """A file or folder is in the way; nothing was written."""


class BadTitle(ScaffoldRefused):
    """The title of a new deal gives no file name."""


def _scaffold() -> Traversable:
    return resources.files("playbook") / "scaffold"


def _walk(folder: Traversable, prefix: tuple[str, ...] = ()) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        name = _DOT_NAMES.get(entry.name, entry.name) if not prefix else entry.name
        if entry.is_dir():
            files.update(_walk(entry, (*prefix, name)))
        elif entry.is_file():
            files["/".join((*prefix, name))] = entry.read_bytes()
    return files


def project_files() -> dict[str, bytes]:
    """Every file of a new playbook, by its path inside the playbook."""
    return {
        path: data.replace(_VERSION.encode(), __version__.encode())
        for path, data in _walk(_scaffold() / "project").items()
    }


def init(folder: Path) -> list[str]:
    """Create a new playbook in ``folder`` (new or empty); the paths written, in order."""
    if folder.exists() and not folder.is_dir():
        raise ScaffoldRefused(f"{folder} is a file; choose a new folder for the playbook")
    if folder.is_dir() and any(folder.iterdir()):
        raise ScaffoldRefused(
            f"{folder} is not empty; choose a new folder, so that no file of yours is replaced"
        )
    files = project_files()
    for path, data in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return list(files)


def slugify_title(title: str) -> str:
    """'Acme Corp - Data platform' → 'acme-corp-data-platform': ASCII, the same on every system."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@dataclass(frozen=True, slots=True)
class NewDeal:
    rel: str  # the file written, by its path inside the playbook
    settings_problems: list[Diagnostic]  # problems of playbook.toml (the defaults were used)


def is_playbook(folder: Path) -> bool:
    return (folder / CONFIG_FILE).is_file() or (folder / "content").is_dir()


def new_deal_text(title: str, stages: list[str], currency: str) -> str:
    """The text of a new deal file: every field present and explained, valid as written.

    "Customer - Opportunity" gives the customer and the deal's title; the first stage is the
    placeholder stage.
    """
    parts = re.split(r"\s+[-\u2013\u2014]\s+", title.strip(), maxsplit=1)
    customer, opportunity = parts if len(parts) == 2 else ("TODO: the customer", title)
    template = string.Template((_scaffold() / "new-deal.md").read_text(encoding="utf-8"))
    return template.substitute(
        title=_yaml_text(opportunity.strip()),
        customer=_yaml_text(customer.strip()),
        stage=_yaml_text(stages[0]),
        stages=", ".join(stages),
        currency=currency,
    )


def _yaml_text(value: str) -> str:
    """A YAML double-quoted string: safe whatever the text holds (colons, quotes, #)."""
    return json.dumps(value, ensure_ascii=False)


def new_deal(root: Path, title: str) -> NewDeal:
    """Write ``content/deals/<slug>.md`` for a new deal; refuses when the slug is taken."""
    slug = slugify_title(title)
    if not slug:
        raise BadTitle(f"'{title}' gives no file name; use a title with Latin letters or digits")
    deals = root / "content" / "deals"
    taken = sorted(deals.rglob(f"{slug}.md")) if deals.is_dir() else []
    if taken:
        rel = taken[0].relative_to(root).as_posix()
        raise ScaffoldRefused(
            f"{rel} already exists; edit that file, or choose another title for a new deal"
        )
    problems: list[Diagnostic] = []
    settings = load_settings(root, problems)
    text = new_deal_text(title, list(settings.stages.order), settings.currency)
    deals.mkdir(parents=True, exist_ok=True)
    path = deals / f"{slug}.md"
    with path.open("x", encoding="utf-8") as file:  # "x": never replace a file
        file.write(text)
    return NewDeal(path.relative_to(root).as_posix(), problems)
