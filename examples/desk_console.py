"""A front-desk console, as a host application would drive sopflow.

It plays one real visit — a tenant moving goods out, with the call to the
owner — through the bundled `business.release_tenant` procedure on a manual
clock, the way a console would: show the step, pick an allowed event, fire it
with the data typed at the desk, store the session between requests, and
print the redacted journal at the end.

    python examples/desk_console.py [--lang zh-Hant|zh-Hans|en]
"""

from __future__ import annotations

import argparse
import json

import sopflow

VISIT: list[tuple[str, str, dict[str, object]]] = [
    ("id_copied", "front_desk", {"tenant_id_copy": "scan-0301", "tenant_name": "Chan"}),
    ("fees_checked", "front_desk", {"arrears_months": 0, "arrears_amount": "0"}),
    ("items_recorded", "front_desk", {"items": ["sofa", "TV", "bookcase"], "has_authorisation_letter": True}),
    ("owner_record_looked_up", "front_desk", {"owner_name": "Lee", "owner_phone_on_record": "+852 5555 0101"}),
    ("stepped_away", "front_desk", {}),
    ("identity_confirmed", "front_desk", {}),
    ("awareness_answered", "front_desk", {"owner_aware": True}),
    ("rent_answered", "front_desk", {"rent_owed": False}),
    ("items_answered", "front_desk", {"owner_property_among_items": False}),
    ("consent_answered", "front_desk", {"owner_consent": True}),
    ("hung_up", "front_desk", {}),
    ("tenant_signed", "front_desk", {}),
    ("slip_handed", "front_desk", {}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en", choices=["zh-Hant", "zh-Hans", "en"])
    lang = parser.parse_args().lang

    library = sopflow.load_library()
    clock = sopflow.ManualClock("2026-03-02T09:00:00+08:00")
    session = library.start(
        "business.release_tenant",
        clock=clock,
        role="front_desk",
        actor="desk-1",
        lang=lang,
        data={"estate_name": "Harbour View", "unit": "3", "flat": "1201"},
    )
    stored = json.dumps(session.snapshot())  # a stateless host keeps only this between requests

    print(f"== {session.procedure.title[lang]} ==")
    for event, role, data in VISIT:
        session = library.restore(json.loads(stored), clock)
        step = session.step(redact=True)  # printed, so private values are masked
        print(f"\n[{' / '.join(step.path)}] {step.role}")
        if step.say:
            print(f"  says: {step.say}")
        if step.do:
            print(f"  does: {step.do}")
        print(f"  -> {event}")
        clock.advance("40s")
        session.fire(event, role=role, actor="desk-1", data=data)
        stored = json.dumps(session.snapshot())

    step = session.step(redact=True)
    print(f"\n[{step.state}] outcome: {step.outcome}")
    if step.say:
        print(f"  says: {step.say}")
    print("\n== journal (private data redacted) ==")
    for entry, shown in zip(session.journal, session.redacted_journal(), strict=True):
        print(" ", entry.describe(), json.dumps(shown.get("data", {}), ensure_ascii=False))


if __name__ == "__main__":
    main()
