"""``sopflow show``: a procedure as a person reads it, in their language, fit for 80 columns and pipes."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import Invoke, Run, plain_env


def test_show_lists_each_step_with_who_says_what_and_where_events_lead(cli: Invoke, fixtures: Path) -> None:
    """Each state has a heading with its role, what to say, what it needs and where events lead."""
    result = cli("show", "test.release", "-L", fixtures)
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    expected = [
        "1. check_id · Front desk " + "─" * 55,
        "Say       “Please show your ID.”",
        "Requires  id_copy",
        "Next      id_copied (Front desk) needs id_copy → stays here",
        "          checked (Front desk) → check_fees",
    ]
    start = lines.index(expected[0])
    assert (0, expected) == (result.exit_code, lines[start : start + 5])


def test_show_explains_guards_timers_calls_and_policies(cli: Invoke, fixtures: Path) -> None:
    """Guarded branches, timers, a call's outcomes and policy events each get their own line."""
    out = cli("show", "test.release", "-L", fixtures).stdout
    wanted = [
        "  if arrears_months > 0 → refused_arrears (ends: refused)",
        "after 10m: walked_off → no_consent (ends: refused)",
        "Calls     test.owner_call",
        "Any time  customer_dissatisfied (Front desk) needs escalate_to → escalated",
    ]
    assert [True] * 4 == [w in out for w in wanted]


def test_show_in_another_language(cli: Invoke, fixtures: Path) -> None:
    """--lang zh-Hant shows the Chinese texts and role titles."""
    out = cli("show", "test.release", "--lang", "zh-Hant", "-L", fixtures).stdout
    assert (True, True) == ("“請您出示身份證。”" in out, "1. check_id · 前台" in out)


def test_show_ladder_levels(cli: Invoke, fixtures: Path) -> None:
    """A ladder state lists its levels with who handles each and for how long."""
    out = cli("show", "test.inquiry", "-L", fixtures).stdout
    assert "Ladder    1. Colleague for 3m: “Colleague explains.”" in out


def test_piped_output_has_no_colour_codes_and_fits_80_columns(sopflow: Run, fixtures: Path) -> None:
    """Piped (even with colours forced off only by the pipe), the view is plain text of at most 80 columns."""
    env = plain_env()
    del env["NO_COLOR"]
    done = sopflow("show", "test.release", "--lang", "zh-Hant", "-L", fixtures, env=env)
    widest = max(len(line) for line in done.stdout.splitlines())
    assert (0, False, True) == (done.returncode, "\x1b[" in done.stdout, widest <= 80)


def test_unknown_id_suggests_the_closest(sopflow: Run, fixtures: Path) -> None:
    """A typo in the id exits 2 with a did-you-mean, and no traceback."""
    done = sopflow("show", "test.releas", "-L", fixtures)
    expected = "error: no procedure 'test.releas' in the library; did you mean 'test.release'?\n"
    assert (2, "", expected) == (done.returncode, done.stdout, done.stderr)


def test_unknown_language_is_a_usage_error(cli: Invoke, fixtures: Path) -> None:
    """A language nobody writes in is refused with the choices."""
    result = cli("show", "test.release", "--lang", "fr", "-L", fixtures)
    assert (2, "error: unknown language 'fr'; choose one of: en, zh-Hant, zh-Hans\n") == (
        result.exit_code,
        result.stderr,
    )


def test_a_broken_library_prints_its_problems(cli: Invoke, tmp_path: Path, fixtures: Path) -> None:
    """A library that does not load lists every located problem and exits 1."""
    (tmp_path / "bad.yaml").write_text("sopflow: 1\nprocedure: {id: x}\n", encoding="utf-8")
    result = cli("show", "test.release", "-L", fixtures, "-L", tmp_path)
    first = result.stderr.splitlines()[0]
    assert (1, f"{tmp_path / 'bad.yaml'}:2:12: procedure.version: missing required key 'version'") == (
        result.exit_code,
        first.split(" [")[0],
    )


def test_tips_are_shown_with_their_glossary_titles(cli: Invoke) -> None:
    """A step's warm tips carry what the glossary says each is about, in the language asked for."""
    lines = cli("show", "meeting.director_visit", "--lang", "en").stdout.splitlines()
    start = lines.index("Tips      A1 · Serving tea", lines.index("Tips      A1 · Serving tea") + 1)
    assert [
        "Tips      A1 · Serving tea",
        "          A2 · Handing over forms and the pen",
        "          C6 · Leading the way",
    ] == lines[start : start + 3]


def test_a_glossary_lists_its_entries_and_their_users(cli: Invoke) -> None:
    """`show glossary.desk` lists each role with the procedures and policies that use it."""
    out = cli("show", "glossary.desk", "--lang", "en").stdout
    lines = out.splitlines()
    start = lines.index("office_director         office director")
    users = " ".join(x.strip() for x in lines[start + 1 : start + 3])
    assert "used by 4: business.release_owner, inquiry.answer, meeting.director_visit, policy.inquiry_ladder" == users


def test_show_lists_the_properties_and_invariants_the_checker_proves(cli: Invoke) -> None:
    """Each property in the language asked for, then what exactly is checked; each invariant as written."""
    out = " ".join(cli("show", "business.release_tenant", "--lang", "zh-Hans").stdout.split())
    assert (
        "Properties 已查阅《业主资料》:只限服务人员记录 (owner_record_looked_up only by front_desk) "
        "回避租客,按《业主资料》上业主电话拨打 (never reaching call_owner while owner_phone_on_record == null) "
        "Invariants slip_issued_requires_consent: not slip_issued or owner_consent"
    ) in out
