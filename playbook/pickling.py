"""Faster, smaller pickles of per-deal data, which crosses processes and fills the cache.

The default pickle of a pydantic model or a slotted dataclass restores it through Python-level
``__setstate__`` methods; a warm build loads 10,000 deals' results, and that alone took about a
second. The reducers here rebuild the same objects directly, field by field, without calling
``__init__``: the objects come out equal to the ones pickled.

A record is pickled as its values in field order plus a bit mask of the fields that were set,
not as its ``__dict__``: the field names are then the class's own strings, not ten thousand
copies, and records with the same fields set share one (never mutated: the records are frozen)
``__pydantic_fields_set__``. Ten thousand deals' results took 340 MB in memory before.
"""

from __future__ import annotations

import copyreg
import dataclasses
from typing import Any

from playbook import analysis, diagnostics, markdown, schema

_new = object.__new__
_set = object.__setattr__
_FIELDS: dict[type, tuple[str, ...]] = {}
_LEFT_OUT: dict[type, tuple[tuple[str, Any], ...]] = {}


_NAMES: dict[type, tuple[str, ...]] = {}
_SHARED: dict[tuple[type, int], set[str]] = {}


def _rebuild_record(cls: type, values: tuple[Any, ...], mask: int) -> Any:
    names = _NAMES[cls]
    record = _new(cls)
    _set(record, "__dict__", dict(zip(names, values, strict=True)))
    fields_set = _SHARED.get((cls, mask))
    if fields_set is None:
        fields_set = {name for bit, name in enumerate(names) if mask >> bit & 1}
        _SHARED[(cls, mask)] = fields_set
    _set(record, "__pydantic_fields_set__", fields_set)
    _set(record, "__pydantic_extra__", None)
    _set(record, "__pydantic_private__", None)
    return record


def _reduce_record(record: Any) -> Any:
    cls = type(record)
    names = _NAMES[cls]
    values = record.__dict__
    if (
        record.__pydantic_extra__ is not None
        or record.__pydantic_private__ is not None
        or len(values) != len(names)
    ):
        return record.__reduce_ex__(2)  # pydantic's own; none of our records needs it
    fields_set = record.__pydantic_fields_set__
    mask = sum(1 << bit for bit, name in enumerate(names) if name in fields_set)
    return _rebuild_record, (cls, tuple(values[name] for name in names), mask)


def _rebuild_dataclass(cls: type, values: tuple[Any, ...]) -> Any:
    obj = _new(cls)
    for name, value in zip(_FIELDS[cls], values, strict=True):
        _set(obj, name, value)
    for name, value in _LEFT_OUT.get(cls, ()):
        _set(obj, name, value)
    return obj


def _reduce_dataclass(obj: Any) -> tuple[Any, ...]:
    names = _FIELDS[type(obj)]
    return _rebuild_dataclass, (type(obj), tuple(getattr(obj, name) for name in names))


def register(*classes: type, leave_out: tuple[str, ...] = ()) -> None:
    """Pickle these dataclasses field by field (their instances must hold every field).

    Fields named in ``leave_out`` are not pickled: they come back as their defaults.
    """
    for cls in classes:
        fields = dataclasses.fields(cls)
        _FIELDS[cls] = tuple(f.name for f in fields if f.name not in leave_out)
        if leave_out:
            left = [f for f in fields if f.name in leave_out]
            assert all(f.default is not dataclasses.MISSING for f in left), "a plain default"
            _LEFT_OUT[cls] = tuple((f.name, f.default) for f in left)
        copyreg.pickle(cls, _reduce_dataclass)


for _record in (
    schema.Deal,
    schema.Buyer,
    schema.Competitor,
    schema.Alternative,
    schema.Action,
    schema.Indicator,
    schema.IndicatorValue,
    schema.Review,
):
    _NAMES[_record] = tuple(_record.model_fields)
    copyreg.pickle(_record, _reduce_record)

register(
    analysis.RedFlag,
    analysis.IndicatorTrend,
    analysis.DealFigures,
    schema.DealDoc,
    markdown.Link,
    diagnostics.Diagnostic,
)
