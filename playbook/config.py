"""``playbook.toml`` → typed Settings, with located errors; and the build's "today".

A missing file means defaults. A broken one is reported like a broken deal: path, line, key;
one that is not a file at all (a folder) is reported at ``playbook.toml``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from playbook.analysis import RULE_IDS
from playbook.diagnostics import Diagnostic, did_you_mean
from playbook.schema import Settings
from playbook.sources import SourceFile, field_name, unreadable
from playbook.validate import decode

CONFIG_FILE = "playbook.toml"


# Only an absent playbook.toml means the defaults: one that is there but cannot be read as a
# file is a mistake to point out, not to build past with settings nobody chose.
_FOLDER = (
    "this is a folder, but the settings must be a text file (lines such as "
    'title = "Sales playbook"); remove the folder, or put the settings file in its place'
)
_NOT_A_FILE = (
    "this is not a plain file (a link to nothing, or a device); replace it with a text file "
    "of settings, or remove it to use the defaults"
)


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of every ``key =`` and ``[table]`` of a TOML file, by dotted path."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if header := re.match(r"^\s*\[\s*([A-Za-z0-9_.\- ]+?)\s*\]\s*(#.*)?$", line):
            table = tuple(part.strip() for part in header.group(1).split("."))
            lines.setdefault(table, number)
        elif key := re.match(r"^\s*([A-Za-z0-9_\-.]+)\s*=", line):
            path = (*table, *key.group(1).split("."))
            lines.setdefault(path, number)
    return lines


def load_settings(root: Path, problems: list[Diagnostic]) -> Settings:
    """Settings of the playbook at ``root``; defaults where the file or a key is absent.

    On any problem, appends located diagnostics and returns the defaults so that the rest of the
    run can still report the problems of the deals.
    """
    path = root / CONFIG_FILE
    if not path.is_file():
        if path.is_dir():
            problems.append(Diagnostic(CONFIG_FILE, None, None, _FOLDER))
        elif path.is_symlink() or path.exists():  # a link to nothing, a device, a pipe
            problems.append(Diagnostic(CONFIG_FILE, None, None, _NOT_A_FILE))
        return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(Diagnostic(CONFIG_FILE, 1, None, "the file is not UTF-8 text"))
        return Settings()
    except OSError as exc:
        problems.append(unreadable(CONFIG_FILE, exc))
        return Settings()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, message = _toml_problem(str(exc), text)
        problems.append(Diagnostic(CONFIG_FILE, line, None, f"TOML syntax error: {message}"))
        return Settings()
    source = SourceFile(path, CONFIG_FILE, _plain(data), "", 0, _key_lines(text))
    settings, errors = decode(source, Settings)
    problems += errors
    if settings is None:
        return Settings()
    assert isinstance(settings, Settings)
    meaning = check_settings(settings, source)
    problems += meaning
    return Settings() if meaning else settings


# tomllib's words for the mistakes people make most, and what to do about them.
_TOML_HINTS = {
    "Illegal character '\\n'": "a quoted value on this line has no closing quote",
    "Invalid value": "the value is not valid; put text in quotes "
    '(title = "Northwind playbook"), write numbers as digits and dates as 2026-11-15',
    "Cannot overwrite a value": "this key is already set above; keep one of them",
    "Cannot declare": "this table is already declared above; keep one of them",
    "Invalid date or datetime": "not a valid date; write it as YYYY-MM-DD, for example 2026-11-15",
    "Unclosed array": "a '[' list is never closed with ']'",
}


def _toml_problem(error: str, text: str) -> tuple[int, str]:
    """The line and plain words of a tomllib error (which says "at line 3, column 9")."""
    where = re.search(r"\(at line (\d+), column \d+\)", error)
    if where:
        line = int(where.group(1))
    elif "at end of document" in error:
        line = max(text.count("\n"), 1)
    else:
        line = 1
    message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", error)
    for start, hint in _TOML_HINTS.items():
        if message.startswith(start):
            return line, hint
    return line, message or "not valid TOML"


def _plain(data: Any) -> Any:
    """TOML dates become text, so the settings are checked by the same date rule as deals."""
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_plain(value) for value in data]
    if isinstance(data, dt.date) and not isinstance(data, dt.datetime):
        return data.isoformat()
    return data


def check_settings(settings: Settings, source: SourceFile) -> list[Diagnostic]:
    problems: list[Diagnostic] = []

    def add(loc: tuple[str | int, ...], message: str) -> None:
        problems.append(Diagnostic(source.rel, source.line_of(loc), field_name(loc), message))

    stages = settings.stages
    order = stages.order
    for index, name in enumerate(order):
        if name in order[:index]:
            add(("stages", "order"), f"the stage '{name}' is listed twice")
    for key, names in (("won", stages.won or []), ("lost", stages.lost or [])):
        for name in names:
            if name not in order:
                add(
                    ("stages", key),
                    f"'{name}' is not one of the stages ({', '.join(order)})"
                    f"{did_you_mean(name, order)}",
                )
    if stages.select_alternative_from is not None and stages.select_alternative_from not in order:
        name = stages.select_alternative_from
        add(
            ("stages", "select_alternative_from"),
            f"'{name}' is not one of the stages ({', '.join(order)}){did_you_mean(name, order)}",
        )
    for rule in settings.red_flags.disable:
        if rule not in RULE_IDS:
            hint = did_you_mean(rule, RULE_IDS) or f"; the rules are {', '.join(RULE_IDS)}"
            add(("red_flags", "disable"), f"'{rule}' is not a red-flag rule{hint}")
    return problems


def resolve_as_of(
    cli_value: dt.date | None, settings: Settings, problems: list[Diagnostic] | None = None
) -> dt.date:
    """The build's "today": --as-of, else playbook.toml, else SOURCE_DATE_EPOCH, else the clock.

    A SOURCE_DATE_EPOCH that is not a whole number of seconds is reported (when it is the value
    in use) rather than ignored: a build that silently falls back to the clock is not reproducible.
    """
    if cli_value is not None:
        return cli_value
    if settings.as_of is not None:
        return settings.as_of
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            if problems is not None:
                problems.append(
                    Diagnostic(
                        "environment",
                        None,
                        "SOURCE_DATE_EPOCH",
                        f"'{epoch}' is not a number of seconds since 1970-01-01 "
                        "(for example 1794700800 for 2026-11-15); fix or unset it, or give --as-of",
                    )
                )
    return dt.date.today()
