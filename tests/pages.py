"""Read built HTML in tests: a small element tree from the standard library's parser.

Enough to ask "the rows of the buyers table", "the text of the section with id X" or "every
href on the page", so that tests check what a reader sees rather than grep the markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def iter(self) -> Iterator[Element]:
        """This element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def text(self) -> str:
        """The text a reader sees, with runs of white space made one space."""
        parts: list[str] = []

        def collect(element: Element) -> None:
            for child in element.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    collect(child)
                    if child.tag == "br":
                        parts.append(" ")

        collect(self)
        return " ".join("".join(parts).split())

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Elements with this tag and attributes; ``class_="x"`` matches one class among many."""
        wanted = {name.rstrip("_"): value for name, value in attrs.items()}

        def matches(element: Element) -> bool:
            if tag is not None and element.tag != tag:
                return False
            for name, value in wanted.items():
                have = element.attrs.get(name)
                if have is None or (
                    value not in have.split() if name == "class" else have != value
                ):
                    return False
            return True

        return [element for element in self.iter() if matches(element)]

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'} {attrs}> on the page"
        return found[0]

    def rows(self, part: str = "tbody") -> list[list[str]]:
        """The cell texts of every row of a table part (thead, tbody or tfoot)."""
        return [
            [cell.text() for cell in row.children if isinstance(cell, Element)]
            for section in self.find_all(part)
            for row in section.find_all("tr")
        ]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(markup: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root


def read_page(path: Path) -> Element:
    return parse_html(path.read_text(encoding="utf-8"))


def links(page: Element) -> list[str]:
    """Every URL the page points to: links, stylesheets, scripts, images."""
    return [
        element.attrs[name]
        for element in page.iter()
        for name in ("href", "src")
        if name in element.attrs
    ]
