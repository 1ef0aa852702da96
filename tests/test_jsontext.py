"""Our indented JSON writer gives exactly the text of ``json.dumps`` with the same options."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from playbook import jsontext

CASES: dict[str, Any] = {
    "nested": {"b": [1, 2.5, {"z": None, "a": True}], "a": {"y": [], "x": {}}, "c": False},
    "text": {"é": "Zoë “quoted” \\ \n\t\u0001 ✓", "": ""},
    "numbers": [0, -1, 10**30, 1e16, 0.1, -0.0, float("nan"), float("inf"), float("-inf")],
    "empty list": [],
    "empty object": {},
    "scalar": "just text",
    "tuple": ({"k": (1, 2)},),
}


@pytest.mark.parametrize("name", CASES)
def test_the_same_text_as_the_standard_library(name: str) -> None:
    data = CASES[name]
    assert jsontext.dumps(data) == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)


def test_other_data_goes_to_the_standard_library_and_fails_as_it_does() -> None:
    mixed = {1: "a key that is a number", "b": [None]}
    with pytest.raises(TypeError):  # keys of different types cannot be sorted
        json.dumps(mixed, indent=2, sort_keys=True, ensure_ascii=False)
    with pytest.raises(TypeError):
        jsontext.dumps(mixed)
    assert jsontext.dumps({1: "x"}) == json.dumps({1: "x"}, indent=2, sort_keys=True)
    with pytest.raises(TypeError, match="date is not JSON serializable"):
        jsontext.dumps({"when": dt.date(2026, 11, 27)})
