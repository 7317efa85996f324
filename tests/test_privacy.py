"""Private data stays private wherever it travels: call arguments, returns, steps, journals, transcripts, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sopflow

ROOT = Path(__file__).resolve().parent.parent
PHONE = "+852 6543 2109"
ID_COPY = "scan-PRIVATE-4711"
VISIT = [
    ("id_copied", {"tenant_id_copy": ID_COPY, "tenant_name": "Chan"}),
    ("fees_checked", {"arrears_months": 0, "arrears_amount": "0"}),
    ("items_recorded", {"items": ["sofa", "TV"], "has_authorisation_letter": True}),
    ("stepped_away", {}),
    ("identity_confirmed", {}),
    ("awareness_answered", {"owner_aware": True}),
    ("rent_answered", {"rent_owed": False}),
    ("items_answered", {"owner_property_among_items": False}),
    ("consent_answered", {"owner_consent": True}),
    ("hung_up", {}),
    ("tenant_signed", {}),
    ("slip_handed", {}),
]


def released() -> tuple[sopflow.Session, list[str]]:
    """A tenant release played to the end, with every step rendered for a screen on the way."""
    library = sopflow.load_library()
    clock = sopflow.ManualClock("2026-03-02T09:00:00+08:00")
    session = library.start(
        "business.release_tenant",
        clock=clock,
        role="front_desk",
        data={"estate_name": "Harbour View", "unit": "3", "flat": "1201", "owner_name": "Lee"}
        | {"owner_phone_on_record": PHONE},
    )
    shown = []
    for event, data in VISIT:
        for lang in ("zh-Hant", "zh-Hans", "en"):
            step = session.step(lang, redact=True)
            shown += [step.say or "", step.do or ""]
        session.fire(event, role="front_desk", data=data)
    return session, shown


def test_the_visit_reaches_the_end() -> None:
    """The host's start data is enough to finish: the slip is handed."""
    session, _ = released()
    assert "completed" == session.outcome


def test_the_real_values_are_in_the_session_for_the_desk() -> None:
    """The call passes the real number to the owner call: the desk dials it."""
    session, _ = released()
    calls = [e for e in session.journal if e.kind == "call"]
    assert PHONE == calls[0].data["owner_phone"]


def test_nothing_rendered_shows_a_private_value() -> None:
    """Redacted steps and the redacted journal (each entry by its own procedure) never show one."""
    session, shown = released()
    rendered = json.dumps([shown, session.redacted_journal()], ensure_ascii=False)
    assert (False, False, True) == (PHONE in rendered, ID_COPY in rendered, "***" in rendered)


def test_the_desk_console_example_prints_no_private_value() -> None:
    """The example host prints steps and the journal without the owner's number or the ID copy."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "desk_console.py")], capture_output=True, text=True, check=True
    ).stdout
    assert ("outcome: completed" in out, "+852" in out, "scan-0301" in out) == (True, False, False)
