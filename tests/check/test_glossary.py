"""The glossary: procedures name shared roles, fields and tips, may narrow them, and never contradict them."""

from __future__ import annotations

import pytest

import sopflow
from sopflow.check import check_documents
from sopflow.io import load_text

GLOSSARY = """\
sopflow: 1
glossary:
  id: glossary.demo
  title: {en: Demo glossary}
  languages: [en]
  documents:
    "000": {script: zh-Hant}
  roles:
    front_desk: {title: {en: front-desk staff}}
    customer: {title: {en: customer}, description: {en: anyone at the desk}}
  fields:
    unit: {type: str, title: {en: unit}}
    owner_phone: {type: str, private: true, title: {en: owner phone}}
    need: {type: enum, values: [repair, payment, other], title: {en: need}}
  tips:
    A1: {title: {en: Serving tea}}
"""

PROCEDURE = """\
sopflow: 1
procedure:
  id: demo.visit
  version: 1
  title: {en: Visit}
  languages: [en]
  source: {document: "000", section: demo}
  roles:
    front_desk:
    customer:
  fields:
    unit:
    owner_phone:
    need:
  initial: greet
  states:
    greet:
      role: front_desk
      tips: [A1]
      say: {en: "Unit {unit}?"}
      on: {done: {data: [unit, need, owner_phone], to: finished}}
    finished: {final: completed}
"""


def findings(*texts: str, severity: str | None = None) -> list[str]:
    """Every finding of the checker over the documents, as ``line:col: path: message [code]``."""
    docs = [load_text(text, f"doc{i}.yaml") for i, text in enumerate(texts)]
    found = check_documents(docs).diagnostics
    return [
        f"{d.source}:{d.line}:{d.column}: {d.path}: {d.message} [{d.code}]"
        for d in found
        if severity is None or d.severity == severity
    ]


def narrowed(entries: str, key: str = "fields") -> str:
    """The demo procedure with its ``fields`` (or ``roles``) block replaced."""
    start = PROCEDURE.index(f"  {key}:\n")
    end = PROCEDURE.index("\n  ", PROCEDURE.index("\n", start) + 1)
    while PROCEDURE[end + 3] == " ":
        end = PROCEDURE.index("\n  ", end + 1)
    return PROCEDURE[:start] + f"  {key}:\n" + entries + PROCEDURE[end + 1 :]


def test_names_from_the_glossary_resolve_cleanly() -> None:
    """Roles, fields and a tip named from the glossary check without a finding."""
    assert [] == findings(GLOSSARY, PROCEDURE)


def test_a_reference_compiles_to_the_glossary_entry() -> None:
    """`unit:` compiles to the glossary's field, its source left out, and the tip travels with the procedure."""
    procedure = sopflow.load_string(GLOSSARY, PROCEDURE)["demo.visit"]
    expected = ("str", {"en": "unit"}, True, {"en": "customer"}, {"en": "Serving tea"})
    found = procedure.fields["unit"], procedure.fields["owner_phone"], procedure.roles["customer"]
    actual = (found[0].type, found[0].title, found[1].private, found[2].title, procedure.tips["A1"].title)
    assert expected == actual


def test_flow_style_references() -> None:
    """`roles: {front_desk, customer}` names two glossary roles in one line."""
    text = PROCEDURE.replace("  roles:\n    front_desk:\n    customer:\n", "  roles: {front_desk, customer}\n")
    assert [] == findings(GLOSSARY, text)


def test_narrowing_replaces_only_the_languages_it_gives() -> None:
    """A narrowed title keeps the glossary's other languages; a description is added."""
    glossary = GLOSSARY.replace("title: {en: unit}", "title: {en: unit, zh-Hant: 單元}")
    text = narrowed("    unit: {title: {en: flat}, description: {en: as on the slip}}\n    owner_phone:\n    need:\n")
    field = sopflow.load_string(glossary, text)["demo.visit"].fields["unit"]
    assert ({"en": "flat", "zh-Hant": "單元"}, {"en": "as on the slip"}) == (field.title, field.description)


def test_narrowing_an_enum_private_and_default() -> None:
    """A narrowing may keep some enum values, make a field private and give a default."""
    need = "    need: {values: [repair, other], default: other}\n"
    text = narrowed("    unit: {private: true}\n    owner_phone:\n" + need)
    fields = sopflow.load_string(GLOSSARY, text)["demo.visit"].fields
    actual = (fields["need"].values, fields["need"].default, fields["unit"].private)
    assert (["repair", "other"], "other", True) == actual


def test_a_private_field_stays_private() -> None:
    """Making a private glossary field public is refused where it is written."""
    text = narrowed("    unit:\n    owner_phone: {private: false}\n    need:\n")
    assert [
        "doc1.yaml:13:19: procedure.fields.owner_phone.private: field 'owner_phone' is private in the glossary "
        "(doc0.yaml:13): it stays private [glossary-conflict]"
    ] == findings(GLOSSARY, text, severity="error")


def test_a_type_cannot_change() -> None:
    """A procedure that gives a glossary field another type contradicts the glossary."""
    text = narrowed("    unit: {type: int}\n    owner_phone:\n    need:\n")
    assert [
        "doc1.yaml:12:12: procedure.fields.unit.type: field 'unit' is str in the glossary (doc0.yaml:12), "
        "not an int [glossary-conflict]"
    ] == findings(GLOSSARY, text, severity="error")


def test_values_outside_the_enum_are_refused() -> None:
    """Narrowing an enum to a value it does not have names the value and suggests one."""
    text = narrowed("    unit:\n    owner_phone:\n    need: {values: [repair, paymnt]}\n")
    assert [
        "doc1.yaml:14:29: procedure.fields.need.values.1: 'paymnt' is not a value of glossary field 'need'; "
        "did you mean 'payment'? (its values: repair, payment, other) [glossary-conflict]"
    ] == findings(GLOSSARY, text, severity="error")


def test_a_copy_of_the_glossary_entry_is_reported() -> None:
    """Writing out the glossary's definition again is a warning that says how to name it instead."""
    text = narrowed("    unit: {type: str, title: {en: unit}}\n    owner_phone:\n    need:\n")
    assert [
        "doc1.yaml:12:5: procedure.fields.unit: field 'unit' repeats the glossary (doc0.yaml:12); "
        "write 'unit:' to use it [glossary-repeat]"
    ] == findings(GLOSSARY, text)


def test_the_repeated_part_of_a_narrowing_is_reported() -> None:
    """A narrowing that also repeats the type is kept, and the repeated key is named."""
    text = narrowed("    unit: {type: str, title: {en: flat}}\n    owner_phone:\n    need:\n")
    assert [
        "doc1.yaml:12:12: procedure.fields.unit.type: type of field 'unit' repeats the glossary (doc0.yaml:12); "
        "leave it out [glossary-repeat]"
    ] == findings(GLOSSARY, text)


def test_an_unknown_reference_suggests_the_glossary_name() -> None:
    """A name that is neither in the glossary nor defined here is an error with a did-you-mean."""
    text = PROCEDURE.replace("    front_desk:\n    customer:\n", "    front_desk:\n    custmer:\n")
    assert [
        "doc1.yaml:10:5: procedure.roles.custmer: role 'custmer' is not in the glossary; did you mean 'customer'? "
        "(a role of its own needs a 'title') [unknown-role]"
    ] == findings(GLOSSARY, text, severity="error")


def test_a_library_without_a_glossary_says_so() -> None:
    """A bare name in a library with no glossary asks for a title."""
    text = PROCEDURE.replace("      tips: [A1]\n", "")
    assert [
        "doc0.yaml:9:5: procedure.roles.front_desk: role 'front_desk' is not defined: give it a 'title' "
        "(the library has no glossary) [unknown-role]"
    ] == findings(text, severity="error")[:1]


def test_own_roles_and_fields_stand_beside_the_glossary() -> None:
    """A role or field the glossary does not know is the procedure's own, as before."""
    text = narrowed("    unit:\n    owner_phone:\n    need:\n    note: {type: str}\n")
    assert [] == findings(GLOSSARY, text)


def test_unknown_tip_and_document() -> None:
    """Tips and citations resolve against the glossary too."""
    text = PROCEDURE.replace("tips: [A1]", "tips: [A11]").replace('document: "000"', 'document: "00"')
    assert [
        "doc1.yaml:7:22: procedure.source.document: unknown source document '00'; did you mean '000'? "
        "[unknown-document]",
        "doc1.yaml:19:14: procedure.states.greet.tips.0: unknown tip 'A11'; did you mean 'A1'? [unknown-tip]",
    ] == findings(GLOSSARY, text, severity="error")


def test_unused_entries_are_reported() -> None:
    """A glossary entry nothing names or cites is a warning at the entry."""
    text = narrowed("    unit:\n    owner_phone:\n", "fields").replace("need, ", "").replace("tips: [A1]", "tips: []")
    assert [
        "doc0.yaml:14:5: glossary.fields.need: glossary field 'need' is not used: no procedure or policy uses it "
        "[unused-glossary-entry]",
        "doc0.yaml:16:5: glossary.tips.A1: glossary tip 'A1' is not used: no procedure or policy cites it "
        "[unused-glossary-entry]",
    ] == findings(GLOSSARY, text)


def test_two_glossaries_that_disagree() -> None:
    """The same name defined differently by two glossaries is an error; the same definition twice a warning."""
    second = """\
sopflow: 1
glossary:
  id: glossary.other
  title: {en: Other}
  languages: [en]
  roles:
    front_desk: {title: {en: front-desk staff}}
    customer: {title: {en: client}}
"""
    assert [
        "doc1.yaml:7:5: glossary.roles.front_desk: role 'front_desk' is already defined, the same, at doc0.yaml:9; "
        "keep one [duplicate-glossary-entry]",
        "doc1.yaml:8:5: glossary.roles.customer: role 'customer' is defined differently at doc0.yaml:10 "
        "(title, description) [glossary-conflict]",
    ] == findings(GLOSSARY, second, PROCEDURE)


def test_policy_entries_are_checked_once() -> None:
    """A policy's wrong reference is reported at the policy, not again for each procedure using it."""
    policy = """\
sopflow: 1
policy:
  id: demo.escalate
  version: 1
  title: {en: Escalate}
  languages: [en]
  roles: {front_dsk}
  events:
    escalate: {roles: [front_desk], to: escalated}
  states:
    escalated: {final: escalated}
"""
    user = PROCEDURE.replace("  initial: greet", "  uses: [demo.escalate]\n  initial: greet")
    other = user.replace("demo.visit", "demo.other")
    assert [
        "doc1.yaml:7:11: policy.roles.front_dsk: role 'front_dsk' is not in the glossary; did you mean "
        "'front_desk'? (a role of its own needs a 'title') [unknown-role]"
    ] == findings(GLOSSARY, policy, user, other, severity="error")


def test_a_broken_glossary_entry_is_reported_once() -> None:
    """A glossary role that does not validate is one error; the procedures naming it add none."""
    glossary = GLOSSARY.replace("front_desk: {title: {en: front-desk staff}}", "front_desk: {titel: {en: x}}")
    assert [
        "doc0.yaml:9:17: glossary.roles.front_desk.title: missing required key 'title' [schema]",
        "doc0.yaml:9:18: glossary.roles.front_desk.titel: unknown key 'titel'; did you mean 'title'? [schema]",
    ] == findings(glossary, PROCEDURE, severity="error")


@pytest.mark.parametrize("body", ["procedure", "glossary"])
def test_a_document_holds_one_body(body: str) -> None:
    """A document with a glossary and a procedure is refused like one with two procedures."""
    text = GLOSSARY + PROCEDURE.removeprefix("sopflow: 1\n") if body == "procedure" else GLOSSARY
    one = "a document holds exactly one of 'procedure', 'policy', 'glossary' or 'targets'"
    expected = [one] if body == "procedure" else []
    assert expected == [d.message for d in load_text(text).diagnostics]


def test_a_wrong_default_in_the_glossary_is_reported_there_once() -> None:
    """A shared field's default that is not a value of its type is one error, at the glossary."""
    glossary = GLOSSARY.replace("values: [repair, payment, other],", "values: [repair, payment, other], default: none,")
    assert [
        "doc0.yaml:14:67: glossary.fields.need.default: default of 'need': expected one of repair, payment, other, "
        "found 'none' [field-default]"
    ] == findings(glossary, PROCEDURE, severity="error")
