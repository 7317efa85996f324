"""(c) The tenant release as a hand-written dict transition table: the CPython floor.

``TABLE[(state, trigger)]`` is either the target state (unguarded) or a tuple of
``(guard, target)`` pairs tried in order, the guard a plain function of the data. A visit
is a two-slot object (state, data). Nothing is journaled, validated or checked beyond the
one ``requires`` of ``check_id``; this is as fast as a pure-Python table gets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from common import WAITING

Guard = Callable[[Mapping[str, Any]], Any]


def in_arrears(d: Mapping[str, Any]) -> bool:
    return d["arrears_months"] > 0


def owner_says_no(d: Mapping[str, Any]) -> Any:
    return not d["owner_consent"] or d["owner_property"]


def rent_is_owed(d: Mapping[str, Any]) -> Any:
    return d["rent_owed"]


TABLE: dict[tuple[str, str], str | tuple[tuple[Guard | None, str], ...]] = {
    ("check_id", "id_copied"): "check_id",
    ("check_id", "checked"): "check_fees",
    ("check_fees", "fees_checked"): ((in_arrears, "refused_arrears"), (None, "list_items")),
    ("list_items", "items_listed"): "find_owner",
    ("find_owner", "owner_found"): "dial_owner",
    ("find_owner", "timer:records_unavailable"): "owner_unreachable",
    ("dial_owner", "owner_picked_up"): "confirm_owner",
    ("dial_owner", "no_answer"): "owner_unreachable",
    ("dial_owner", "timer:rings_out"): "owner_unreachable",
    ("confirm_owner", "identity_confirmed"): "ask_awareness",
    ("confirm_owner", "not_the_owner"): "owner_unreachable",
    ("ask_awareness", "awareness_answered"): "ask_rent",
    ("ask_rent", "rent_answered"): "ask_property",
    ("ask_property", "property_answered"): "ask_consent",
    ("ask_consent", "consent_answered"): (
        (owner_says_no, "owner_refused"),
        (rent_is_owed, "refused_rent"),
        (None, "sign_slip"),
    ),
    ("sign_slip", "signed"): "done",
    ("sign_slip", "timer:walked_off"): "abandoned",
    **{(s, "customer_dissatisfied"): "escalated" for s in WAITING},
}
REQUIRES = {("check_id", "checked"): ("id_copy",)}  # requires guards leaving the state
ASSIGN = {("sign_slip", "signed"): {"slip_issued": True}}
DEFAULTS: dict[str, Any] = {
    "unit": None,
    "id_copy": None,
    "arrears_months": 0,
    "arrears_amount": 0,
    "items": [],
    "owner_phone": None,
    "owner_aware": None,
    "rent_owed": None,
    "owner_property": None,
    "owner_consent": None,
    "slip_issued": False,
}


def step(state: str, trigger: str, ctx: Mapping[str, Any]) -> str:
    way = TABLE[state, trigger]
    if way.__class__ is str:
        return way  # type: ignore[return-value]
    for guard, target in way:  # type: ignore[union-attr]
        if guard is None or guard(ctx):
            return target
    raise LookupError(f"no branch of {trigger!r} applies in {state!r}")


class Visit:
    __slots__ = ("data", "state")

    def __init__(self, **data: Any) -> None:
        self.state = "check_id"
        self.data = {**DEFAULTS, **data}

    def fire(self, trigger: str, data: Mapping[str, Any]) -> str:
        """Computes on a merged copy and commits at the end, as sopflow does."""
        ctx = {**self.data, **data} if data else self.data
        key = (self.state, trigger)
        need = REQUIRES.get(key)
        if need is not None and any(ctx.get(f) is None for f in need):
            raise LookupError(f"{self.state!r} needs {need}")
        target = step(self.state, trigger, ctx)
        assign = ASSIGN.get(key)
        if assign is not None:
            ctx = {**ctx, **assign}
        self.data = ctx
        self.state = target
        return target
