"""The catalogue map in docs/procedures.md: every rule and procedure of the catalogue has its file.

The ids are the catalogue's headings of §6 and §8–§12, written here so the test does not need
the catalogue itself; a row of the map names the file, and the file holds a document of the
mapped id (a procedure, policy or targets document), or the row says why it is not one.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
PAGE = ROOT / "docs" / "procedures.md"

CATALOGUE = {
    "6.1": "policy.escalate_on_dissatisfaction",
    "6.2": "policy.inquiry_ladder",
    "6.3": "policy.first_contact_responsibility",
    "6.4": "policy.never_say_no",
    "6.5": "policy.report_upward",
    "8.1": "letters_and_visits.street_office",
    "8.2": "letters_and_visits.company_staff",
    "9.1": "scope.customer_service_department",
    "9.2": "front_desk.opening",
    "9.3": "front_desk.in_service",
    "9.4": "front_desk.closing",
    "9.5": "service_request.intake",
    "10.1": "repair.home_visit",
    "10.2": "repair.school_engineering_code",
    "10.3": "sales_office.reception",
    "11.1": "supervisor.daily_inspection",
    "11.2": "butler.daily_schedule",
    "11.3": "reception.conduct_rules",
    "11.4": "meeting.department_daily",
    "11.5": "shift.handover",
    "11.6": "front_desk.service_rules",
    "11.7": "owner_visit",
    "11.8": "safety.fire_and_workplace",
    "11.9": "lost_and_found",
    "11.10": "keys.staff_checkout_return",
    "11.11": "keys.sealed_key_issue",
    "11.12": "etiquette.phone",
    "11.13": "etiquette.image_and_office",
    "11.14": "front_desk.greeting_by_visitor_type",
    "12.1": "complaint.handling",
    "12.2": "fee_collection",
    "12.3": "revisit",
    "12.4": "satisfaction_survey",
}
ROW = re.compile(r"^\| §(?P<section>[\d.]+) `(?P<id>[^`]+)` \| (?P<kind>[^|]+) \| (?P<file>.+) \|$")


def rows() -> dict[str, re.Match[str]]:
    page = PAGE.read_text(encoding="utf-8")
    section = page[page.index("### Catalogue map") :].split("\n\n", 3)[2]
    return {m["section"]: m for m in map(ROW.match, section.splitlines()) if m}


def test_every_catalogue_entry_has_a_row() -> None:
    assert CATALOGUE == {section: m["id"] for section, m in rows().items()}


def test_each_row_names_a_file_holding_its_document_or_says_why_not() -> None:
    """A mapped file exists and declares the id (or its renamed policy); an unmapped row gives its reason."""
    found = {}
    for section, m in rows().items():
        if m["kind"] == "not a procedure":
            found[section] = len(m["file"].removeprefix("— ")) > 40
            continue
        path = ROOT / re.findall(r"`(procedures/[^`]+)`", m["file"])[0]
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        (kind,) = (k for k in ("procedure", "policy", "targets") if k in document)
        renamed = re.search(r"as `([^`]+)`", m["kind"])
        found[section] = document[kind]["id"] == (renamed[1] if renamed else m["id"]) and m["kind"].startswith(kind)
    assert dict.fromkeys(CATALOGUE, True) == found
