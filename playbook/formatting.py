"""Jinja filters that format figures the same way on every page, whatever the machine's locale."""

from __future__ import annotations

import datetime as dt


def number(value: float | int | None) -> str:
    """``180000`` → ``180,000``; ``2.5`` → ``2.5``; integral floats lose their ``.0``."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def money(value: float | int | None, currency: str | None = None) -> str:
    """``EUR 180,000``; an amount with cents keeps both digits: ``EUR 40,000.50``."""
    if value is None:
        return ""
    amount = number(value) if float(value).is_integer() else f"{value:,.2f}"
    return f"{currency} {amount}" if currency else amount


def signed(value: int | None) -> str:
    """Scores read better with their sign: ``+2``, ``0``, ``-3`` (with a real minus sign)."""
    if value is None:
        return ""
    if value > 0:
        return f"+{value}"
    return f"\u2212{-value}" if value < 0 else "0"


def iso(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


def label(value: str | None) -> str:
    """``even-keel`` → ``even keel``; ``other-use-of-funds`` → ``other use of funds``."""
    return value.replace("-", " ").replace("_", " ") if value else ""


def counted(number: int, noun: str) -> str:
    """'1 deal', '2 deals': a count in words, for the messages of the command line and server."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


FILTERS = {"number": number, "money": money, "signed": signed, "iso": iso, "label": label}
