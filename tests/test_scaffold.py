"""``playbook init`` and ``playbook new deal``: a new playbook, a new deal, nothing overwritten."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from playbook import __version__
from playbook.scaffolding import slugify_title
from playbook.schema import RECORD_OF_LIST, Deal, Indicator, IndicatorValue

from conftest import REPO, VALID_DEAL, run_playbook, snapshot

SCAFFOLD = REPO / "playbook" / "scaffold" / "project"

INIT_FILES = [
    "content/deals/acme-data-platform.md",
    "content/method/alternatives.md",
    "content/method/buyer-roles.md",
    "content/method/choice-and-plan.md",
    "content/method/execution.md",
    "content/method/red-flags.md",
    "content/method/situation.md",
    "content/method/writing-a-deal.md",
    ".github/workflows/playbook.yml",
    ".gitignore",
    "playbook.toml",
]


def test_method_guidance_of_a_new_playbook_is_the_sample_playbooks() -> None:
    """The package keeps a copy of content/method/; this test keeps the two from drifting."""
    sample = snapshot(REPO / "content" / "method")
    shipped = snapshot(SCAFFOLD / "content" / "method")
    assert sorted(shipped) == sorted(sample)
    for name, data in sample.items():
        assert shipped[name] == data, f"playbook/scaffold/project/content/method/{name} differs"


def test_init_creates_a_playbook_that_checks_and_builds(tmp_path: Path) -> None:
    target = tmp_path / "northwind"
    result = run_playbook("init", target)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"created a new playbook in {target}:\n"
        + "".join(f"  {path}\n" for path in INIT_FILES)
        + f"next: cd {target} && playbook serve\n"
    )
    assert sorted(snapshot(target)) == sorted(INIT_FILES)
    assert (target / ".gitignore").read_text() == "site/\n.playbook-cache/\n"

    checked = run_playbook("check", target, "--as-of", "2026-11-15")
    assert checked.returncode == 0, checked.stdout
    assert "error" not in checked.stderr.replace("0 errors", "")

    built = run_playbook("build", target, "--as-of", "2026-11-15")
    assert built.returncode == 0, built.stderr
    deal = (target / "site" / "deals" / "acme-data-platform" / "index.html").read_text()
    assert "<h1>Data platform renewal" in deal
    assert 'href="../../method/buyer-roles/index.html#coach"' in deal
    assert (target / "site" / "method" / "writing-a-deal" / "index.html").is_file()


def test_the_ci_workflow_checks_with_annotations_then_builds(tmp_path: Path) -> None:
    target = tmp_path / "pb"
    assert run_playbook("init", target).returncode == 0
    workflow = yaml.safe_load((target / ".github" / "workflows" / "playbook.yml").read_text())
    (job,) = workflow["jobs"].values()
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert runs == [
        f'pip install "playbook=={__version__}"',
        "playbook check --format github",
        "playbook build",
    ]
    assert "pull_request" in workflow[True]  # YAML reads the key `on` as true


def test_init_into_an_existing_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    assert run_playbook("init", target).returncode == 0
    assert (target / "playbook.toml").is_file()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    result = run_playbook("init", target)
    assert result.returncode == 1
    assert result.stderr == (
        f"playbook: {target} is not empty; choose a new folder, so that no file of yours is "
        "replaced\n"
    )
    assert snapshot(target) == {"notes.txt": b"mine\n"}


# ----------------------------------------------------------------------------- new deal


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Acme Corp - Data platform renewal", "acme-corp-data-platform-renewal"),
        ("Société Générale \u2013 Crédit 2027", "societe-generale-credit-2027"),
        ("  O'Brien & Sons: phase #2  ", "o-brien-sons-phase-2"),
        ("日本", ""),
    ],
)
def test_slug_of_a_title(title: str, slug: str) -> None:
    assert slugify_title(title) == slug


def front_matter(path: Path) -> tuple[dict[str, object], str]:
    """The parsed front-matter (dates kept as text) and its raw text, comments included."""
    text = path.read_text(encoding="utf-8")
    raw = text.split("---\n")[1]
    return yaml.load(raw, Loader=yaml.BaseLoader), raw


CUSTOM_STAGES = 'as_of = 2026-11-15\n[stages]\norder = ["lead", "best-few", "won", "lost"]\n'


def test_new_deal_is_valid_as_written_and_named_by_its_title(
    make_playbook: Callable[..., Path],
) -> None:
    root = make_playbook({"playbook.toml": CUSTOM_STAGES})
    result = run_playbook("new", "deal", "Acme Corp - Data platform: phase 2", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "wrote content/deals/acme-corp-data-platform-phase-2.md: fill it in, then run "
        "playbook check\n"
    )
    path = root / "content" / "deals" / "acme-corp-data-platform-phase-2.md"
    data, raw = front_matter(path)
    assert data["title"] == "Data platform: phase 2"
    assert data["customer"] == "Acme Corp"
    assert data["stage"] == "lead"  # the playbook's first stage, marked as a placeholder
    assert re.search(r"^stage: \"lead\"  # TODO: .*lead, best-few, won, lost$", raw, re.M)

    checked = run_playbook("check", root)
    assert checked.returncode == 0, checked.stdout
    assert all(": warning: " in line for line in checked.stdout.splitlines())
    assert run_playbook("build", root).returncode == 0


def commented_fields(block: str) -> set[str]:
    return set(re.findall(r"(?:^#\s+(?:- )?|[{,] *)([a-z_]+):", block, re.M))


def test_new_deal_shows_every_field_of_the_format(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook()
    assert run_playbook("new", "deal", "Acme - Renewal", "--project", root).returncode == 0
    _, raw = front_matter(root / "content" / "deals" / "acme-renewal.md")
    keys = set(re.findall(r"^#? ?([a-z_]+):", raw, re.M))
    assert keys >= set(Deal.model_fields), set(Deal.model_fields) - keys
    # Each list is preceded by a commented example that names every field of its items.
    blocks = dict(
        (key, block) for block, key in re.findall(r"((?:^#.*\n)+)([a-z_]+): \[\]$", raw, re.M)
    )
    for key, record in RECORD_OF_LIST.items():
        if key == "values":
            continue
        expected = set(record.model_fields)
        if record is Indicator:
            expected |= set(IndicatorValue.model_fields)
        assert commented_fields(blocks[key]) >= expected, (key, expected)


def test_new_deal_never_overwrites(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook({"content/deals/2025/acme-renewal.md": VALID_DEAL})
    before = snapshot(root)
    result = run_playbook("new", "deal", "Acme - Renewal", "--project", root)
    assert result.returncode == 1
    assert result.stderr == (
        "playbook: content/deals/2025/acme-renewal.md already exists; edit that file, or choose "
        "another title for a new deal\n"
    )
    assert snapshot(root) == before


def test_new_deal_twice_keeps_the_first_file(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook()
    assert run_playbook("new", "deal", "Acme - Renewal", cwd=root).returncode == 0
    path = root / "content" / "deals" / "acme-renewal.md"
    path.write_text(path.read_text() + "My notes.\n")
    edited = path.read_bytes()
    assert run_playbook("new", "deal", "ACME \u2013 renewal", cwd=root).returncode == 1
    assert path.read_bytes() == edited


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "deal", "日本"], "playbook: '日本' gives no file name"),
        (["new", "deal", "Acme", "--project", "elsewhere"], "elsewhere is not a folder"),
        (["new", "deal", "Acme", "--project", "."], ". is not a playbook"),
        (["new", "opportunity", "Acme"], "invalid choice: 'opportunity'"),
    ],
)
def test_new_usage_errors_exit_with_2(tmp_path: Path, args: list[str], message: str) -> None:
    if "日本" in args:
        (tmp_path / "content").mkdir()
    result = run_playbook(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert sorted(p.name for p in tmp_path.rglob("*.md")) == []
