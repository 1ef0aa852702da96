"""Front-matter nodes → Python values, faster than PyYAML's generic constructor, same values.

PyYAML's C loader parses in C but constructs in Python, through generators and per-node
bookkeeping; for our front-matter (plain maps, lists and scalars) that was about 40 % of the
cost of loading a deal. ``construct_plain`` builds maps, lists, strings, numbers, booleans and
nulls directly with PyYAML's own scalar rules, noticing on the way whether a key is repeated.
Anything else (merge keys ``<<``, explicit or unknown tags, keys that are not scalars,
recursive aliases) it leaves to PyYAML's constructor, so the result, or the error, is exactly
PyYAML's.
"""

from __future__ import annotations

from typing import Any

import yaml

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SCALAR_KEY = {_STR, _INT, _FLOAT, _BOOL, _NULL}


class _Generic(Exception):
    """This node needs PyYAML's own constructor, or a key is repeated."""


def construct_plain(loader: yaml.SafeLoader, node: yaml.Node) -> tuple[bool, Any]:
    """``(True, value)`` as ``loader.construct_document(node)`` gives it, when the document is
    plain and no mapping repeats a key; ``(False, None)`` when PyYAML must be asked."""
    try:
        return True, _value(loader, node, set())
    except _Generic:
        return False, None


def _value(loader: yaml.SafeLoader, node: yaml.Node, path: set[int]) -> Any:
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag == _STR:
            return node.value
        if tag == _INT:
            return loader.construct_yaml_int(node)
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return loader.construct_yaml_bool(node)
        if tag == _FLOAT:
            return loader.construct_yaml_float(node)
        raise _Generic
    if id(node) in path:
        raise _Generic  # a recursive alias
    path.add(id(node))
    try:
        if tag == _SEQ and isinstance(node, yaml.SequenceNode):
            return [_value(loader, item, path) for item in node.value]
        if tag == _MAP and isinstance(node, yaml.MappingNode):
            mapping = {}
            seen = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_KEY:
                    raise _Generic  # merge keys, complex or tagged keys
                if key_node.value in seen:
                    raise _Generic  # a repeated key: the caller reports where
                seen.add(key_node.value)
                mapping[_value(loader, key_node, path)] = _value(loader, value_node, path)
            return mapping
        raise _Generic
    finally:
        path.discard(id(node))


def fast_resolve(loader_class: type[yaml.SafeLoader]) -> Any:
    """A ``resolve`` for ``loader_class`` that does what PyYAML's does with fewer steps.

    The C parser calls ``resolve`` for every node to tag plain scalars (``3`` is an int,
    ``yes`` a bool); PyYAML's version rebuilds the list of candidate patterns on every call.
    This one looks them up in a table made once. Loaders with path resolvers keep PyYAML's.
    """
    generic = loader_class.resolve
    if loader_class.yaml_path_resolvers:
        return generic
    implicit = loader_class.yaml_implicit_resolvers
    anywhere = tuple(implicit.get(None, []))
    table = {
        first: tuple(rules) + anywhere for first, rules in implicit.items() if first is not None
    }
    scalar = yaml.ScalarNode
    default = loader_class.DEFAULT_SCALAR_TAG

    def resolve(self: Any, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is not scalar:
            return generic(self, kind, value, implicit)
        if implicit[0]:
            for tag, pattern in table.get(value[:1], anywhere):
                if pattern.match(value):
                    return tag
        return default

    return resolve
