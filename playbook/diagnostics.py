"""Located problems, and the three ways they are shown (text, JSON, GitHub annotations).

Every stage appends diagnostics instead of raising, so one run reports every problem.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem: where it is (path relative to the playbook, 1-based line), which field, what."""

    path: str
    line: int | None
    field: str | None
    message: str
    severity: Severity = Severity.ERROR
    column: int | None = None
    code: str | None = None

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path, self.line or 0, self.field or "", self.message)

    def as_text(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{where}:{field} {prefix}{self.message}"


class BuildFailed(Exception):
    """Raised by the pipeline when the input has errors; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} problem(s)")
        self.diagnostics = diagnostics


# A red flag as builds keep it: path, line, field, message, rule. Plain tuples: ten thousand
# deals' flags load from the cache far faster than Diagnostics.
Flag = tuple[str, int, str | None, str, str | None]


def flag_warnings(flags: Iterable[Flag]) -> list[Diagnostic]:
    """Red flags as the warnings ``check`` and ``build`` report."""
    return [
        Diagnostic(path, line, field, message, Severity.WARNING, code=rule)
        for path, line, field, message, rule in flags
    ]


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=Diagnostic.sort_key)


def format_text(diagnostics: Iterable[Diagnostic]) -> str:
    return "".join(d.as_text() + "\n" for d in diagnostics)


def as_json(diagnostic: Diagnostic) -> dict[str, object]:
    """One problem as a JSON object (``check --format json`` and the dev server's overlay)."""
    d = diagnostic
    return {
        "path": d.path,
        "line": d.line,
        "column": d.column,
        "field": d.field,
        "message": d.message,
        "severity": str(d.severity),
        "code": d.code,
    }


def format_json(diagnostics: Iterable[Diagnostic]) -> str:
    rows = [as_json(d) for d in diagnostics]
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(diagnostics: Iterable[Diagnostic]) -> str:
    """Workflow commands (``::error file=…,line=…::message``) that annotate a pull request."""
    lines = []
    for d in diagnostics:
        props = [f"file={_github_escape(d.path, prop=True)}"]
        if d.line is not None:
            props.append(f"line={d.line}")
        if d.column is not None:
            props.append(f"col={d.column}")
        if title := d.code or d.field:
            props.append(f"title={_github_escape(title, prop=True)}")
        message = f"{d.field}: {d.message}" if d.field else d.message
        lines.append(f"::{d.severity} {','.join(props)}::{_github_escape(message)}\n")
    return "".join(lines)


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}


def closest(word: object, choices: Iterable[str]) -> str | None:
    """The one of ``choices`` that ``word`` is most likely a misspelling of, if any is close."""
    if not isinstance(word, str):
        return None
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when one of ``choices`` is close to ``word``, else ``""``."""
    match = closest(word, choices)
    return f" (did you mean '{match}'?)" if match is not None and match != word else ""
