"""Load stage: content files → raw front-matter with a line for every key, plus the body.

Front-matter is split with python-frontmatter's YAML handler and parsed on PyYAML's C loader
where present (values built by ``yamlfast``). Every key path (``("buyers", 1, "role")``) can be
mapped to its line in the file, so that later stages can point at it: the parsed YAML nodes are
kept with the file, and a line is looked up along its path only when an error or a red flag
asks for it (mapping every key of every file cost a tenth of a build, parsing it again more).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from playbook.diagnostics import Diagnostic
from playbook.schema import KeyPath
from playbook.yamlfast import construct_plain, fast_resolve

try:
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that leaves dates as text, so the schema can say what is wrong with a bad one."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.resolve = fast_resolve(_Loader)  # type: ignore[method-assign]


@dataclass(slots=True)
class SourceFile:
    """A content file with its parsed front-matter (``data``) and where each key stands."""

    path: Path
    rel: str
    data: dict[str, Any]
    body: str
    body_line: int
    # Given for a file that is not YAML (playbook.toml); else made from ``node`` when asked for.
    line_map: dict[KeyPath, int] | None = None
    start_line: int = 1
    text: str = ""
    node: yaml.Node | None = None  # the front-matter as parsed, its lines counted from 0

    @property
    def head(self) -> str:
        """The file up to its body: the front-matter and its fences."""
        return self.text[: len(self.text) - len(self.body)]

    @property
    def lines(self) -> dict[KeyPath, int]:
        """Every key path of the front-matter and its line."""
        if self.line_map is None:
            self.line_map = {}
            if self.node is not None:
                _walk(self.node, (), self.line_map, self.start_line)
        return self.line_map

    @property
    def slug(self) -> str:
        return self.path.stem

    def line_of(self, key_path: KeyPath) -> int:
        """The line of a key path, or of its nearest parent that has one, else the opening line."""
        if self.line_map is None and self.node is not None:
            return _node_line(self.node, key_path, self.start_line) or self.start_line
        lines = self.lines
        path = tuple(key_path)
        while path:
            if path in lines:
                return lines[path]
            path = path[:-1]
        return self.start_line


class _Handler(YAMLHandler):
    """python-frontmatter's YAML handler, told to keep offsets so we know each part's first line."""

    def split_located(self, text: str) -> tuple[str, int, str, int] | None:
        assert self.FM_BOUNDARY is not None
        matches = []
        for match in self.FM_BOUNDARY.finditer(text):
            if not matches and match.start() != 0:
                return None
            matches.append(match)
            if len(matches) == 2:
                break
        if len(matches) < 2:
            return None
        opening, closing = matches
        front = text[opening.end() : closing.start()]
        front_line = text.count("\n", 0, opening.end()) + 1
        body_line = text.count("\n", 0, closing.end()) + 1
        return front, front_line, text[closing.end() :], body_line


_HANDLER = _Handler()


def find_files(folder: Path) -> list[Path]:
    """Markdown files in ``folder`` and its sub-folders, in a stable order (hidden ones skipped).

    The order is that of sorted paths (part by part). Walked with ``os.scandir``: pathlib's
    ``rglob`` took 0.12 s for 10,000 files, 0.02 s this way.
    """
    if not folder.is_dir():
        return []
    found: list[tuple[str, ...]] = []
    stack: list[tuple[str, ...]] = [()]
    while stack:
        parts = stack.pop()
        with os.scandir(os.path.join(folder, *parts)) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append((*parts, entry.name))
                elif entry.name.endswith(".md") and _listed_file(entry):
                    found.append((*parts, entry.name))
    return [folder.joinpath(*parts) for parts in sorted(found)]


def _listed_file(entry: os.DirEntry[str]) -> bool:
    """A file to read; a link that cannot be followed (a loop) is listed, and reading it says why.

    Linked folders are not walked (see ``find_files``), so a link cannot lead the walk in circles.
    """
    try:
        return entry.is_file()
    except OSError:
        return True


def unreadable(rel: str, exc: OSError) -> Diagnostic:
    """A deal or settings file that the operating system refuses to read, in plain words."""
    why = exc.strerror or type(exc).__name__
    message = f"the file cannot be read ({why}); check that it is a plain file"
    return Diagnostic(rel, 1, None, message)


def read_text(
    path: Path, rel: str, problems: list[Diagnostic], raw: bytes | None = None
) -> str | None:
    """The file as text (from ``raw`` when already read), or a located problem if not UTF-8."""
    if raw is None:
        raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.append(
            Diagnostic(
                rel,
                line,
                None,
                f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read); "
                "save it with UTF-8 encoding",
            )
        )
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def load_source(
    path: Path, root: Path, problems: list[Diagnostic], raw: bytes | None = None
) -> SourceFile | None:
    """Read one content file (or use its ``raw`` bytes); on failure, append why, return None."""
    rel = path.relative_to(root).as_posix()
    text = read_text(path, rel, problems, raw)
    if text is None:
        return None
    if not text.strip():
        problems.append(
            Diagnostic(
                rel,
                1,
                None,
                "the file is empty; it must start with a front-matter block: a line '---', "
                "the fields, then another '---'",
            )
        )
        return None
    parts = _HANDLER.split_located(text)
    if parts is None:
        problems.append(_missing_front_matter(rel, text))
        return None
    front, front_line, body, body_line = parts
    try:
        data, node = parse_front(front, front_line)
    except _YAMLProblem as problem:
        field = problem.field or field_at_line(text, problem.line)
        problems.append(Diagnostic(rel, problem.line, field, problem.message))
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(
            Diagnostic(
                rel,
                front_line,
                None,
                f"the front-matter must be 'field: value' lines, not {_yaml_kind(data)}",
            )
        )
        return None
    return SourceFile(path, rel, data, body, body_line, None, front_line, text, node)


def _missing_front_matter(rel: str, text: str) -> Diagnostic:
    first = text.lstrip("\n").split("\n", 1)[0]
    line = len(text) - len(text.lstrip("\n"))
    if re.match(r"^-{3,}\s*$", first):
        return Diagnostic(
            rel,
            line + 1,
            None,
            "the front-matter block is never closed; add a line with '---' after the last field",
        )
    return Diagnostic(
        rel,
        1,
        None,
        "no front-matter block: the file must start with a line '---', "
        "then the fields, then another '---'",
    )


_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def field_at_line(text: str, line: int) -> str | None:
    """The top-level field that a line of broken YAML belongs to, to name it in the message."""
    lines = text.split("\n")[: max(line, 0)]
    for candidate in reversed(lines[1:]):
        if match := _TOP_KEY.match(candidate):
            return match.group(1)
        if re.match(r"^-{3,}\s*$", candidate):
            break
    return None


class _YAMLProblem(Exception):
    def __init__(self, line: int, message: str, field: str | None = None):
        super().__init__(message)
        self.line = line
        self.message = message
        self.field = field


MAX_NODES = 100_000  # far above any real deal (a full one has a few hundred values)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: yaml.Node, first_line: int) -> None:
    """Refuse front-matter whose aliases (*name) expand to more values than any deal has.

    Counts the values each node stands for once per node, so shared aliases cost nothing; an
    alias inside its own block is left to the walk that reports it with its field.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_NODES:
                raise _YAMLProblem(
                    node.start_mark.line + first_line,
                    f"YAML error: the aliases (*name) here expand to more than {MAX_NODES:,} "
                    "values; write the values out instead",
                )
        elif key in on_path:
            return
        elif key not in sizes:
            on_path.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))


def parse_yaml(text: str, first_line: int = 1) -> tuple[Any, dict[KeyPath, int]]:
    """Parse YAML and map every key path to its 1-based line (offset by ``first_line - 1``)."""
    data, node = parse_front(text, first_line)
    lines: dict[KeyPath, int] = {}
    if node is not None:
        _walk(node, (), lines, first_line)
    return data, lines


def parse_front(text: str, first_line: int = 1) -> tuple[Any, yaml.Node | None]:
    """Parse YAML into its value and its node (which knows the line of every key).

    Raises _YAMLProblem with a located, plain-language message for broken YAML or a key that
    appears twice (which YAML would otherwise resolve silently by dropping one).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        if "&" in text:  # only anchors (&name) can make a small text expand to a huge value
            _check_expansion(node, first_line)
        plain, data = construct_plain(loader, node)
        if not plain:
            # Finds a repeated key, and says where: before construction, which would silently
            # keep the last one.
            _walk(node, (), None, first_line)
            data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_problem(exc, text, first_line) from None
    except yaml.reader.ReaderError as exc:
        # The C reader counts bytes, the Python one characters: find the character instead.
        line = first_line + text.count("\n", 0, max(text.find(chr(exc.character)), 0))
        raise _YAMLProblem(
            line, f"a control character (#x{exc.character:04x}) that cannot be used; remove it"
        ) from None
    except yaml.YAMLError as exc:  # unmarked: rare, but never a traceback
        raise _YAMLProblem(first_line, f"YAML syntax error: {exc}") from None
    finally:
        loader.dispose()
    return data, node


def _walk(
    node: yaml.Node,
    path: KeyPath,
    lines: dict[KeyPath, int] | None,
    offset: int,
    inside: frozenset[int] = frozenset(),
) -> None:
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        if id(node) in inside:  # an alias (*name) that refers to a block containing itself
            raise _YAMLProblem(
                node.start_mark.line + offset,
                "YAML error: an alias (*name) refers to the block it stands in, which never ends; "
                "write the values out instead",
                field_name(path) or None,
            )
        inside = inside | {id(node)}
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            line = key_node.start_mark.line + offset
            if key in seen:
                raise _YAMLProblem(
                    line,
                    f"'{key}' appears twice (first on line {seen[key]}); keep one of them",
                    field_name((*path, key)),
                )
            seen[key] = line
            if lines is not None:
                lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines, offset, inside)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            if lines is not None:
                lines[(*path, index)] = item.start_mark.line + offset
            _walk(item, (*path, index), lines, offset, inside)


def _node_line(node: yaml.Node, path: KeyPath, offset: int) -> int | None:
    """The line of ``path`` in ``node``, or of its nearest parent there; None if not even the
    first key is: what ``_walk`` would map, found by following the one path."""
    line = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            pair = next((pair for pair in node.value if pair[0].value == part), None)
            if pair is None:
                break
            line = pair[0].start_mark.line + offset
            node = pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + offset
        else:
            break
    return line


def field_name(path: KeyPath) -> str:
    """``("buyers", 1, "role")`` → ``buyers[1].role``, as people read it."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_CLOSERS = {"flow sequence": ("[", "]"), "flow mapping": ("{", "}")}

# Characters that YAML reserves at the start of a value: `notes: @john` or `notes: *urgent*`.
_RESERVED_START = "@`%*!&"
_VALUE_START = re.compile(r"^\s*(?:-\s+)*(?:[^\s#:][^:]*:\s+)?(?P<value>\S.*?)\s*$")


def _quoting(line: str) -> str:
    """``key: value`` with the value in quotes, to show how to mend a line; "" if no clean way."""
    key, sep, value = line.strip().partition(": ")
    if not sep or not value:
        return ""
    for quote in "\"'":
        if quote not in value:
            return f", like this: {key}: {quote}{value}{quote}"
    return ""


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str, offset: int) -> _YAMLProblem:
    """A YAML parser error in words a salesperson can act on, at the line where it starts.

    PyYAML's C and pure-Python loaders word their errors differently, so the cause is read from
    the text at the place the parser points to wherever that is more reliable than the wording.
    """
    context = exc.context or ""
    problem = exc.problem or "the text cannot be read"
    mark = exc.problem_mark
    row = mark.line if mark else 0
    problem_line = row + offset
    rows = text.split("\n")
    source_line = rows[row] if row < len(rows) else ""
    for kind, (opener, closer) in _CLOSERS.items():
        if kind in context and exc.context_mark is not None:
            line = exc.context_mark.line + offset
            return _YAMLProblem(
                line,
                f"YAML syntax error: the '{opener}' on this line is never closed with '{closer}' "
                f"(the parser noticed on line {problem_line})",
            )
    if "\t" in source_line[: len(source_line) - len(source_line.lstrip())]:
        return _YAMLProblem(
            problem_line, "YAML syntax error: this line is indented with a tab; use spaces only"
        )
    if "mapping values are not allowed" in problem:
        if mark is not None and ":" not in source_line[: mark.column]:
            return _YAMLProblem(
                problem_line,
                "YAML syntax error: this line is indented further than the field above it; "
                "line it up with the other fields",
            )
        return _YAMLProblem(
            problem_line,
            f"YAML syntax error: a ':' inside a value; put the value in quotes"
            f"{_quoting(source_line)}",
        )
    start = _VALUE_START.match(source_line)
    if start and start.group("value")[0] in _RESERVED_START:
        return _YAMLProblem(
            problem_line,
            f"YAML syntax error: a value that starts with '{start.group('value')[0]}' must be "
            f"in quotes{_quoting(source_line)}",
        )
    if "quoted scalar" in context and exc.context_mark is not None:
        return _YAMLProblem(
            exc.context_mark.line + offset,
            "YAML syntax error: a quoted value on this line has no closing quote",
        )
    where = f" {context}" if context else ""
    return _YAMLProblem(problem_line, f"YAML syntax error{where}: {problem}; check the indentation")


def _yaml_kind(value: Any) -> str:
    return "a list" if isinstance(value, list) else "a single value"


# The folders of a playbook's content, and what each holds (to say so when one is a file).
CONTENT = "content"
CONTENT_FOLDERS = {
    CONTENT: "the folder that holds deals/ and method/",
    f"{CONTENT}/deals": "a folder of deal files (*.md)",
    f"{CONTENT}/method": "a folder of method pages (*.md)",
}


def content_problems(root: Path) -> list[Diagnostic]:
    """A missing ``content/``, or a file where it or one of its folders should be.

    Without this a wrong project folder, or a content folder lost in a checkout, built an empty
    site without a word; in CI that replaces a published playbook with nothing. An empty
    ``content/deals/`` (or none, inside an existing ``content/``) is still a playbook, on purpose.
    """
    if not (root / CONTENT).is_dir() and not _is_there(root / CONTENT):
        message = (
            "the folder does not exist: a playbook keeps its deals in content/deals/ (an empty "
            "folder will do); check that this is the playbook's folder, or start a new playbook "
            "with 'playbook init DIR'"
        )
        return [Diagnostic(CONTENT, None, None, message)]
    problems = []
    for rel, holds in CONTENT_FOLDERS.items():
        path = root / rel
        if not path.is_dir() and _is_there(path):
            what = "a file" if path.exists() else "a link to nothing"
            message = (
                f"this is {what}, but it must be {holds}; move it away and make {rel}/ a folder"
            )
            problems.append(Diagnostic(rel, None, None, message))
    return problems


def _is_there(path: Path) -> bool:
    """Whether anything at all has this name, a link to nothing included."""
    return path.is_symlink() or path.exists()


def iter_sources(root: Path, folder: str, problems: list[Diagnostic]) -> Iterator[SourceFile]:
    """Every loadable ``*.md`` in ``root/content/<folder>``."""
    for path in find_files(root / CONTENT / folder):
        source = load_source(path, root, problems)
        if source is not None:
            yield source
