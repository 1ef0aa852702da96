"""Links between content files: rewritten to the built pages, and checked by build and check."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from playbook.pipeline import build, check

from conftest import VALID_DEAL, run_playbook, snapshot

OTHER_DEAL = VALID_DEAL.replace("title: Data platform renewal", "title: CRM renewal").replace(
    "customer: Acme Corp", "customer: Globex"
)


class Links(HTMLParser):
    """The ``href`` of every link, by the link's text."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: dict[str, str] = {}
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", ""

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.hrefs[self._text.strip()] = self._href
            self._href = None


def hrefs(page: Path) -> dict[str, str]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.hrefs


def deal_with(body: str) -> str:
    return VALID_DEAL + body


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the file that holds ``needle`` (where the error must point)."""
    (number,) = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return number


GOOD_BODY = """
See [the Globex deal](globex.md), its [buyers](globex.md#buyers), our
[coach guidance](../method/buyer-roles.md#coach), [where we stand](#where-we-stand),
[the vendor site](https://example.com/pricing.md), [mail us](mailto:sales@example.com)
and [a page elsewhere](/intranet/deals.md).
"""


def test_links_to_content_files_become_links_to_their_pages(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    method = "---\ntitle: Buyer roles\n---\n\n## Coach\n\nBack to [Acme](../deals/acme.md).\n"
    root = make_playbook(
        {
            "content/deals/acme.md": deal_with(GOOD_BODY),
            "content/deals/globex.md": OTHER_DEAL,
            "content/method/buyer-roles.md": method,
        }
    )
    build(root, tmp_path / "site")
    links = hrefs(tmp_path / "site" / "deals" / "acme" / "index.html")
    assert links["the Globex deal"] == "../globex/index.html"
    assert links["buyers"] == "../globex/index.html#buyers"
    assert links["coach guidance"] == "../../method/buyer-roles/index.html#coach"
    assert links["where we stand"] == "#where-we-stand"
    assert links["the vendor site"] == "https://example.com/pricing.md"
    assert links["mail us"] == "mailto:sales@example.com"
    assert links["a page elsewhere"] == "/intranet/deals.md"
    back = hrefs(tmp_path / "site" / "method" / "buyer-roles" / "index.html")
    assert back["Acme"] == "../../deals/acme/index.html"
    assert [d for d in check(root) if d.severity == "error"] == []


def test_links_in_sub_folders_resolve_from_the_file_that_holds_them(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_playbook(
        {
            "content/deals/2026/acme.md": deal_with("\n[up](../globex.md#competition)\n"),
            "content/deals/globex.md": OTHER_DEAL,
        }
    )
    build(root, tmp_path / "site")
    assert hrefs(tmp_path / "site" / "deals" / "acme" / "index.html")["up"] == (
        "../globex/index.html#competition"
    )


BROKEN_BODY = """
A paragraph that runs
over two lines: [the Initech deal](initech.md).

| buyer | notes |
|---|---|
| Tom | see [the coach page](../method/buyer-roles.md#champion) |

Also [below](#nowhere).
"""


def broken_playbook(make: Callable[..., Path]) -> tuple[Path, str]:
    text = deal_with(BROKEN_BODY)
    return make({"content/deals/acme.md": text}), text


def expected_link_errors(text: str) -> str:
    path = "content/deals/acme.md"
    return (
        f"{path}:{line_of(text, '[the Initech deal]')}: the link 'initech.md' points to "
        "content/deals/initech.md, which does not exist\n"
        f"{path}:{line_of(text, '[the coach page]')}: the link "
        "'../method/buyer-roles.md#champion' names the anchor '#champion', which is not on "
        "content/method/buyer-roles.md\n"
        f"{path}:{line_of(text, '[below]')}: the link '#nowhere' names the anchor '#nowhere', "
        "which is not on content/deals/acme.md\n"
    )


def test_build_reports_a_missing_file_and_missing_anchors_with_their_lines(
    make_playbook: Callable[..., Path],
) -> None:
    root, text = broken_playbook(make_playbook)
    (root / "site").mkdir()
    (root / "site" / ".playbook-site").write_text("old\n")
    before = snapshot(root / "site")
    result = run_playbook("build", root)
    assert result.returncode == 1
    written = "playbook: 3 errors; nothing was written\n"
    assert result.stderr == expected_link_errors(text) + written
    assert snapshot(root / "site") == before


def test_check_reports_the_same_link_errors_and_writes_nothing(
    make_playbook: Callable[..., Path],
) -> None:
    root, text = broken_playbook(make_playbook)
    before = snapshot(root)
    result = run_playbook("check", root)
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines(keepends=True) if "warning:" not in line]
    assert "".join(errors) == expected_link_errors(text)
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[x](../method/missing.md)", "points to content/method/missing.md, which does not exist"),
        ("[x](acme.md#no-such-heading)", "names the anchor '#no-such-heading'"),
    ],
)
def test_check_finds_each_kind_of_broken_link(
    make_playbook: Callable[..., Path], body: str, message: str
) -> None:
    root = make_playbook({"content/deals/acme.md": deal_with("\n" + body + "\n")})
    errors = [d for d in check(root) if d.severity == "error"]
    assert [(d.path, d.line) for d in errors] == [
        ("content/deals/acme.md", VALID_DEAL.count("\n") + 2)
    ]
    assert message in errors[0].message


def test_a_link_to_a_draft_fails_the_build_and_is_a_warning_in_check(
    make_playbook: Callable[..., Path],
) -> None:
    """``check`` counts drafts, so the link is good there; it says what the build will say."""
    text = deal_with("\nThe [pilot](pilot.md) comes first.\n")
    draft = OTHER_DEAL.replace("tags:", "draft: true\ntags:")
    root = make_playbook({"content/deals/acme.md": text, "content/deals/pilot.md": draft})
    where = f"content/deals/acme.md:{line_of(text, '[pilot]')}:"
    message = (
        "the link 'pilot.md' points to content/deals/pilot.md, a draft: drafts have no page "
        "unless the site is built with --drafts"
    )
    built = run_playbook("build", root)
    assert built.returncode == 1
    assert built.stderr == f"{where} {message}\nplaybook: 1 error; nothing was written\n"
    assert not (root / "site").exists()
    assert run_playbook("build", root, "--drafts").returncode == 0

    checked = run_playbook("check", root)
    assert checked.returncode == 0
    assert f"{where} warning: {message}\n" in checked.stdout
    assert run_playbook("check", root, "--strict").returncode == 1
