"""(b) The tenant release written by hand as a bare ``transitions`` Machine: the baseline.

This is what a host would write without sopflow: one shared ``Machine(model=None)``, one
model object per visit attached with ``add_model``, the guards as model methods named in
``conditions``, the event data stored on the model by a ``prepare_event`` callback, and
the session stored with ``pickle`` (restored with ``pickle.loads`` + ``add_model``).
Same 18 states, same transitions, same three guards as benchmarks/release_bench.yaml.
No journal, no role check, no data validation.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

from common import FINALS, WAITING
from transitions import Machine

logging.getLogger("transitions").setLevel(logging.WARNING)  # as sopflow does

STATES = [*WAITING, *FINALS]
FIELDS = (
    "unit",
    "id_copy",
    "arrears_months",
    "arrears_amount",
    "items",
    "owner_phone",
    "owner_aware",
    "rent_owed",
    "owner_property",
    "owner_consent",
    "slip_issued",
)

TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "id_copied", "source": "check_id", "dest": None},  # internal: stays, stores the copy
    {"trigger": "checked", "source": "check_id", "dest": "check_fees", "conditions": "has_id_copy"},
    {"trigger": "fees_checked", "source": "check_fees", "dest": "refused_arrears", "conditions": "in_arrears"},
    {"trigger": "fees_checked", "source": "check_fees", "dest": "list_items"},
    {"trigger": "items_listed", "source": "list_items", "dest": "find_owner"},
    {"trigger": "owner_found", "source": "find_owner", "dest": "dial_owner"},
    {"trigger": "timer_records_unavailable", "source": "find_owner", "dest": "owner_unreachable"},
    {"trigger": "owner_picked_up", "source": "dial_owner", "dest": "confirm_owner"},
    {"trigger": "no_answer", "source": "dial_owner", "dest": "owner_unreachable"},
    {"trigger": "timer_rings_out", "source": "dial_owner", "dest": "owner_unreachable"},
    {"trigger": "identity_confirmed", "source": "confirm_owner", "dest": "ask_awareness"},
    {"trigger": "not_the_owner", "source": "confirm_owner", "dest": "owner_unreachable"},
    {"trigger": "awareness_answered", "source": "ask_awareness", "dest": "ask_rent"},
    {"trigger": "rent_answered", "source": "ask_rent", "dest": "ask_property"},
    {"trigger": "property_answered", "source": "ask_property", "dest": "ask_consent"},
    {"trigger": "consent_answered", "source": "ask_consent", "dest": "owner_refused", "conditions": "owner_says_no"},
    {"trigger": "consent_answered", "source": "ask_consent", "dest": "refused_rent", "conditions": "rent_is_owed"},
    {"trigger": "consent_answered", "source": "ask_consent", "dest": "sign_slip"},
    {"trigger": "signed", "source": "sign_slip", "dest": "done", "after": "issue_slip"},
    {"trigger": "timer_walked_off", "source": "sign_slip", "dest": "abandoned"},
    {"trigger": "customer_dissatisfied", "source": WAITING, "dest": "escalated"},
]


class Visit:
    """The model: the visit's data as attributes (``transitions`` adds ~60 bound triggers)."""

    def __init__(self, **data: Any) -> None:
        self.unit = None
        self.id_copy = None
        self.arrears_months = 0
        self.arrears_amount = 0
        self.items: list[str] = []
        self.owner_phone = None
        self.owner_aware = None
        self.rent_owed = None
        self.owner_property = None
        self.owner_consent = None
        self.slip_issued = False
        self.__dict__.update(data)

    # callbacks named in TRANSITIONS; transitions passes the trigger's kwargs
    def store(self, **data: Any) -> None:
        self.__dict__.update(data)

    def has_id_copy(self, **_: Any) -> bool:
        return self.id_copy is not None

    def in_arrears(self, **_: Any) -> bool:
        return self.arrears_months > 0

    def owner_says_no(self, **_: Any) -> bool:
        return not self.owner_consent or self.owner_property

    def rent_is_owed(self, **_: Any) -> bool:
        return bool(self.rent_owed)

    def issue_slip(self, **_: Any) -> None:
        self.slip_issued = True

    # pickle only the visit, not the bound triggers (they point at the machine)
    def __getstate__(self) -> dict[str, Any]:
        return {k: self.__dict__[k] for k in (*FIELDS, "state")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def build() -> Machine:
    return Machine(
        model=None,
        states=STATES,
        transitions=TRANSITIONS,
        initial="check_id",
        auto_transitions=False,
        send_event=False,
        prepare_event="store",
        ignore_invalid_triggers=False,
    )


def name(trigger: str) -> str:
    """The IR names timers ``timer:x``; a model attribute reads better as ``timer_x``."""
    return trigger.replace(":", "_")


def new_visit(machine: Machine, **data: Any) -> Visit:
    visit = Visit(**data)
    machine.add_model(visit)
    return visit


def fire(visit: Visit, trigger: str, data: dict[str, Any]) -> bool:
    return getattr(visit, trigger)(**data)  # type: ignore[no-any-return]


def restore(machine: Machine, blob: bytes) -> Visit:
    visit: Visit = pickle.loads(blob)
    machine.add_model(visit, initial=visit.state)
    return visit
