"""The buyer map of a deal: who holds each buying role, at which influence.

Pure, no I/O: the deal page draws it as a table, roles across and influence down.
"""

from __future__ import annotations

from dataclasses import dataclass

from playbook.schema import LEVELS, ROLES, Buyer, Deal


@dataclass(frozen=True, slots=True)
class MapRow:
    influence: str | None  # None: the buyers whose influence is not set
    cells: tuple[tuple[Buyer, ...], ...]  # one cell per role, in ROLES order


@dataclass(frozen=True, slots=True)
class BuyerMap:
    roles: tuple[str, ...]
    rows: tuple[MapRow, ...]
    counts: tuple[int, ...]  # buyers per role, in ROLES order: 0 is a role nobody holds


def buyer_map(deal: Deal) -> BuyerMap:
    """One row per influence level; a "not set" row only when some buyer has no influence.

    A buyer with several roles appears in each of their columns, in the deal's buyer order.
    """
    levels: list[str | None] = list(LEVELS)
    if any(buyer.influence is None for buyer in deal.buyers):
        levels.append(None)
    rows = tuple(
        MapRow(
            level,
            tuple(
                tuple(b for b in deal.buyers if role in b.role and b.influence == level)
                for role in ROLES
            ),
        )
        for level in levels
    )
    counts = tuple(sum(1 for b in deal.buyers if role in b.role) for role in ROLES)
    return BuyerMap(ROLES, rows, counts)
