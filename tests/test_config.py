"""Settings from ``playbook.toml`` and the build's "today"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from playbook.analysis import RULE_IDS
from playbook.config import load_settings, resolve_as_of
from playbook.diagnostics import Diagnostic
from playbook.schema import DEFAULT_STAGES, Settings


def settings_of(root: Path, toml: str | None) -> tuple[Settings, list[tuple[int | None, str]]]:
    if toml is not None:
        (root / "playbook.toml").write_text(toml, encoding="utf-8")
    problems: list[Diagnostic] = []
    settings = load_settings(root, problems)
    return settings, [(p.line, p.as_text()) for p in problems]


def test_no_file_means_defaults(tmp_path: Path) -> None:
    settings, problems = settings_of(tmp_path, None)
    assert problems == []
    assert settings == Settings()
    assert (settings.title, settings.language, settings.currency) == ("Sales playbook", "en", "EUR")
    assert settings.stale_after_days == 30
    assert settings.as_of is None
    assert tuple(settings.stages.order) == DEFAULT_STAGES
    assert settings.stages.won_stages == ("won",)
    assert settings.stages.lost_stages == ("lost",)
    assert settings.stages.selection_stage == "propose"


def test_reads_every_setting(tmp_path: Path) -> None:
    settings, problems = settings_of(
        tmp_path,
        'title = "Northwind"\nlanguage = "nl"\nbase_url = "https://sales.example/"\n'
        'currency = "USD"\nstale_after_days = 14\nas_of = 2026-11-15\n',
    )
    assert problems == []
    assert settings.title == "Northwind"
    assert settings.language == "nl"
    assert settings.base_url == "https://sales.example/"
    assert settings.currency == "USD"
    assert settings.stale_after_days == 14
    assert settings.as_of == dt.date(2026, 11, 15)


def test_custom_stages_say_which_close_a_deal(tmp_path: Path) -> None:
    settings, problems = settings_of(
        tmp_path,
        "[stages]\n"
        'order = ["above-funnel", "in-funnel", "best-few", "signed", "gone"]\n'
        'won = ["signed"]\n'
        'lost = ["gone"]\n'
        'select_alternative_from = "best-few"\n',
    )
    assert problems == []
    assert settings.stages.order == ["above-funnel", "in-funnel", "best-few", "signed", "gone"]
    assert settings.stages.won_stages == ("signed",)
    assert settings.stages.lost_stages == ("gone",)
    assert settings.stages.closed_stages == ("signed", "gone")
    assert settings.stages.selection_stage == "best-few"


def test_custom_stages_without_won_or_lost_close_nothing(tmp_path: Path) -> None:
    settings, problems = settings_of(tmp_path, '[stages]\norder = ["lead", "pitch"]\n')
    assert problems == []
    assert settings.stages.closed_stages == ()
    assert settings.stages.selection_stage is None


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        pytest.param(
            '[red_flags]\ndisable = ["no-coach", "singel-threaded"]\n',
            [
                (
                    2,
                    "playbook.toml:2: red_flags.disable: 'singel-threaded' is not a red-flag "
                    "rule (did you mean 'single-threaded'?)",
                )
            ],
            id="unknown-rule-with-suggestion",
        ),
        pytest.param(
            '[red_flags]\ndisable = ["gut-feeling"]\n',
            [
                (
                    2,
                    "playbook.toml:2: red_flags.disable: 'gut-feeling' is not a red-flag rule; "
                    f"the rules are {', '.join(RULE_IDS)}",
                )
            ],
            id="unknown-rule-lists-the-rules",
        ),
        pytest.param(
            '[stages]\norder = ["lead", "pitch", "lead"]\n',
            [(2, "playbook.toml:2: stages.order: the stage 'lead' is listed twice")],
            id="stage-listed-twice",
        ),
        pytest.param(
            '[stages]\norder = ["lead", "pitch"]\nselect_alternative_from = "pich"\n',
            [
                (
                    3,
                    "playbook.toml:3: stages.select_alternative_from: 'pich' is not one of the "
                    "stages (lead, pitch) (did you mean 'pitch'?)",
                )
            ],
            id="selection-stage-unknown",
        ),
        pytest.param(
            'currency = "dollar"\n',
            [
                (
                    1,
                    "playbook.toml:1: currency: 'dollar' is not a currency code; use three "
                    "capital letters (ISO 4217), for example EUR",
                )
            ],
            id="bad-currency",
        ),
        pytest.param(
            "as_of = 2026-02-30\n",
            [
                (
                    1,
                    "playbook.toml:1: TOML syntax error: not a valid date; write it as "
                    "YYYY-MM-DD, for example 2026-11-15",
                )
            ],
            id="impossible-as-of",
        ),
        pytest.param(
            'title = "A"\ntitle = "B"\n',
            [
                (
                    2,
                    "playbook.toml:2: TOML syntax error: this key is already set above; "
                    "keep one of them",
                )
            ],
            id="key-set-twice",
        ),
        pytest.param(
            "title = Northwind playbook\n",
            [
                (
                    1,
                    "playbook.toml:1: TOML syntax error: the value is not valid; put text in "
                    'quotes (title = "Northwind playbook"), write numbers as digits and dates '
                    "as 2026-11-15",
                )
            ],
            id="text-without-quotes",
        ),
        pytest.param(
            "stale_after_days = -1\n",
            [(1, "playbook.toml:1: stale_after_days: -1 must be 0 or more")],
            id="negative-days",
        ),
        pytest.param(
            b'title = "Caf\xe9"\n',
            [(1, "playbook.toml:1: the file is not UTF-8 text")],
            id="not-utf8",
        ),
    ],
)
def test_bad_settings_get_located_errors_and_defaults(
    tmp_path: Path, toml: str | bytes, expected: list[tuple[int, str]]
) -> None:
    if isinstance(toml, bytes):
        (tmp_path / "playbook.toml").write_bytes(toml)
        settings, problems = settings_of(tmp_path, None)
    else:
        settings, problems = settings_of(tmp_path, toml)
    assert problems == expected
    assert settings == Settings()


@pytest.mark.parametrize(
    ("cli", "toml", "epoch", "expected"),
    [
        pytest.param(
            dt.date(2025, 1, 2), dt.date(2026, 11, 15), "0", dt.date(2025, 1, 2), id="cli"
        ),
        pytest.param(None, dt.date(2026, 11, 15), "0", dt.date(2026, 11, 15), id="toml"),
        pytest.param(None, None, "1767225600", dt.date(2026, 1, 1), id="source-date-epoch"),
    ],
)
def test_as_of_precedence_cli_then_toml_then_source_date_epoch(
    monkeypatch: pytest.MonkeyPatch,
    cli: dt.date | None,
    toml: dt.date | None,
    epoch: str,
    expected: dt.date,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert resolve_as_of(cli, Settings(as_of=toml)) == expected


@pytest.mark.parametrize("epoch", [None, "", "not-a-number"])
def test_as_of_falls_back_to_today(monkeypatch: pytest.MonkeyPatch, epoch: str | None) -> None:
    if epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    before = dt.date.today()
    today = resolve_as_of(None, Settings())
    assert before <= today <= dt.date.today()
