"""The front-desk web service (examples/desk_service), driven over HTTP as a console would drive it."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

import examples.desk_service as desk_service
import sopflow
from examples.desk_service import DB_ENV, create_app
from examples.desk_service.__main__ import HINT, main
from sopflow.errors import StaleSession
from sopflow.store import JournalQuery, MemoryStore, Store

ROOT = Path(__file__).resolve().parents[2]
PHONE = "+852 6543 2109"
ID_COPY = "scan-PRIVATE-4711"
RELEASE = {
    "procedure": "business.release_tenant",
    "role": "front_desk",
    "actor": "desk-1",
    "lang": "en",
    "data": {
        "estate_name": "Harbour View",  # the procedure's `start` requires it
        "unit": "3",
        "flat": "1201",
        "owner_name": "Lee",
        "owner_phone_on_record": PHONE,
    },
}
VISIT: list[tuple[str, dict[str, Any], str]] = [
    ("id_copied", {"tenant_id_copy": ID_COPY, "tenant_name": "Chan"}, "check_fees"),
    ("fees_checked", {"arrears_months": 0, "arrears_amount": "0"}, "list_items"),
    ("items_recorded", {"items": ["sofa", "TV"], "has_authorisation_letter": True}, "announce_owner_call"),
    ("stepped_away", {}, "call_owner/confirm_identity"),
    ("identity_confirmed", {}, "call_owner/ask_awareness"),
    ("awareness_answered", {"owner_aware": True}, "call_owner/ask_rent"),
    ("rent_answered", {"rent_owed": False}, "call_owner/ask_items"),
    ("items_answered", {"owner_property_among_items": False}, "call_owner/ask_consent"),
    ("consent_answered", {"owner_consent": True}, "call_owner/say_goodbye"),
    ("hung_up", {}, "tenant_signs"),
    ("tenant_signed", {}, "hand_slip"),
    ("slip_handed", {}, "released"),
]
"""Each event, its data, and the path the step shows after it (tests/test_privacy.py plays the same visit)."""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "desk.db"


@pytest.fixture
def bodies() -> list[str]:
    """Every response body any client of a test received."""
    return []


class Connect(Protocol):
    def __call__(self, app: Starlette | None = None) -> TestClient: ...


@pytest.fixture
def connect(db: Path, clock: sopflow.ManualClock, bodies: list[str]) -> Iterator[Connect]:
    """Open a client on an app (default: a new instance, a worker, over the test's SQLite file and clock)."""
    opened: list[TestClient] = []

    def open_client(app: Starlette | None = None) -> TestClient:
        client = TestClient(app if app is not None else create_app(db, clock=clock))
        client.event_hooks["response"] = [lambda response: bodies.append(response.read().decode())]
        client.__enter__()  # runs the app's lifespan, so leaving closes its store
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(connect: Connect) -> TestClient:
    return connect()


def release(client: TestClient, clock: sopflow.ManualClock) -> tuple[str, dict[str, Any]]:
    """A tenant release played to the end over HTTP; its id and the last answer."""
    started = client.post("/sessions", json=RELEASE)
    assert 201 == started.status_code, started.text
    session_id = started.json()["id"]
    answer = started.json()
    for event, data, path in VISIT:
        clock.advance("30 seconds")
        fired = client.post(f"/sessions/{session_id}/events", json={"event": event, "role": "front_desk", "data": data})
        assert (200, path) == (fired.status_code, "/".join(fired.json()["step"]["path"])), fired.text
        answer = fired.json()
    return session_id, answer


# -- a whole visit ---------------------------------------------------------------------------------


def test_a_tenant_release_runs_to_its_outcome(client: TestClient, clock: sopflow.ManualClock) -> None:
    """Start, twelve events, and the session shows `completed` with nothing left to fire."""
    session_id, last = release(client, clock)
    shown = client.get(f"/sessions/{session_id}").json()
    assert ("completed", "released", [], 15) == (
        shown["outcome"],
        shown["step"]["state"],
        shown["step"]["events"],
        shown["seq"],
    )
    assert last == shown


def test_starting_answers_the_id_the_first_step_and_where_to_find_it(client: TestClient) -> None:
    """201, a Location, and the first step with its events, roles and data fields."""
    started = client.post("/sessions", json=RELEASE)
    body = started.json()
    first = body["step"]["events"][0]
    assert (201, f"/sessions/{body['id']}", "ask_id", "en") == (
        started.status_code,
        started.headers["location"],
        body["step"]["state"],
        body["step"]["lang"],
    )
    assert {"name": "id_copied", "roles": ["front_desk"], "data": ["tenant_id_copy"]} == {
        k: first[k] for k in ("name", "roles", "data")
    }


def test_a_step_is_shown_in_the_language_asked_for(client: TestClient) -> None:
    session_id = client.post("/sessions", json=RELEASE).json()["id"]
    shown = client.get(f"/sessions/{session_id}", params={"lang": "zh-Hant"}).json()
    assert ("zh-Hant", "您請坐,請您出示身份證,我們要復印留底。") == (shown["step"]["lang"], shown["step"]["say"])


# -- refusals and errors ---------------------------------------------------------------------------


def test_a_refused_event_answers_409_with_what_is_allowed_and_is_journaled(client: TestClient) -> None:
    """The refusal's class, message and allowed events; the session stays where it was."""
    session_id = client.post("/sessions", json=RELEASE).json()["id"]
    refused = client.post(f"/sessions/{session_id}/events", json={"event": "slip_handed", "role": "front_desk"})
    assert (409, "EventNotAllowed", "ask_id", ["id_copied", "escalate"]) == (
        refused.status_code,
        refused.json()["error"],
        refused.json()["state"],
        refused.json()["allowed"],
    )
    assert "slip_handed" in refused.json()["message"]
    shown = client.get(f"/sessions/{session_id}").json()
    journal = client.get(f"/sessions/{session_id}/journal").json()["entries"]
    assert ("ask_id", 2, "refused") == (shown["step"]["state"], shown["seq"], journal[-1]["kind"])


def test_a_role_that_may_not_fire_is_refused(client: TestClient) -> None:
    session_id = client.post("/sessions", json=RELEASE).json()["id"]
    refused = client.post(
        f"/sessions/{session_id}/events", json={"event": "id_copied", "role": "tenant", "data": {"tenant_id_copy": "x"}}
    )
    assert (409, "RoleNotAllowed") == (refused.status_code, refused.json()["error"])


def test_bad_data_answers_422(client: TestClient) -> None:
    """Data of the wrong type, and data a state needs but never got, are the client's to fix."""
    session_id = client.post("/sessions", json=RELEASE).json()["id"]
    copied = {"event": "id_copied", "role": "front_desk", "data": {"tenant_id_copy": "scan-1"}}
    client.post(f"/sessions/{session_id}/events", json=copied)
    wrong = client.post(
        f"/sessions/{session_id}/events",
        json={"event": "fees_checked", "role": "front_desk", "data": {"arrears_months": "lots", "arrears_amount": 0}},
    )
    assert (422, "InvalidEventData", "check_fees") == (
        wrong.status_code,
        wrong.json()["error"],
        wrong.json()["state"],
    )


def test_a_start_without_the_data_the_procedure_requires_answers_422(client: TestClient) -> None:
    """The tenant release needs the estate's name at start; nothing is stored without it."""
    started = client.post("/sessions", json={**RELEASE, "data": {"unit": "3"}})
    assert (422, "InvalidEventData", True, []) == (
        started.status_code,
        started.json()["error"],
        "estate_name" in started.json()["message"],
        client.get("/sessions").json()["sessions"],
    )


def test_an_unknown_procedure_answers_422_with_a_hint(client: TestClient) -> None:
    started = client.post("/sessions", json={**RELEASE, "procedure": "business.release_tenent"})
    assert (422, "UnknownProcedure", True) == (
        started.status_code,
        started.json()["error"],
        "did you mean 'business.release_tenant'" in started.json()["message"],
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "the body must be a JSON object"),
        (b"[1, 2]", "the body must be a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "the body must be a JSON object"),  # nested past the stack
        (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "the body must be a JSON object"),
        (json.dumps({**RELEASE, "role": None}).encode(), "'role' is required"),
        (json.dumps({**RELEASE, "data": ["estate_name"]}).encode(), "'data' must be an object"),
        (json.dumps({**RELEASE, "lang": "fr"}).encode(), "no language 'fr'"),
        (json.dumps({**RELEASE, "version": "1"}).encode(), "'version' must be a whole number"),
    ],
)
def test_a_malformed_request_answers_400(client: TestClient, body: bytes, message: str) -> None:
    answer = client.post("/sessions", content=body, headers={"content-type": "application/json"})
    found = answer.json()
    assert (400, "BadRequest", True) == (answer.status_code, found["error"], message in found["message"])


def test_an_unknown_session_answers_404(client: TestClient) -> None:
    """Showing, firing at and reading the journal of a session that is not stored."""
    answers = [
        client.get("/sessions/no-such-visit"),
        client.post("/sessions/no-such-visit/events", json={"event": "id_copied", "role": "front_desk"}),
        client.get("/sessions/no-such-visit/journal"),
    ]
    assert [(404, "SessionNotFound", "no-such-visit")] * 3 == [
        (a.status_code, a.json()["error"], a.json()["id"]) for a in answers
    ]


def test_unknown_paths_and_methods_answer_json(client: TestClient) -> None:
    missing, wrong = client.get("/visits"), client.delete("/sessions")
    assert (404, "HTTPError", 405, "GET, HEAD, POST") == (
        missing.status_code,
        missing.json()["error"],
        wrong.status_code,
        ", ".join(sorted(wrong.headers["allow"].split(", "))),
    )


class StaleStore(MemoryStore):
    """A store whose every fire meets another writer: what a load-then-commit host can see."""

    def fire(
        self,
        session_id: str,
        event: str,
        *,
        role: str,
        clock: sopflow.Clock,
        actor: str | None = None,
        data: Mapping[str, Any] | None = None,
        lang: str | None = None,
        redact: bool = False,
    ) -> sopflow.Step:
        raise StaleSession(f"session '{session_id}' was changed by another writer", session_id=session_id)


def test_a_stale_session_answers_409(connect: Connect, clock: sopflow.ManualClock) -> None:
    store: Store = StaleStore(sopflow.load_library())
    client = connect(create_app(store=store, clock=clock))
    session_id = client.post("/sessions", json=RELEASE).json()["id"]
    stale = client.post(f"/sessions/{session_id}/events", json={"event": "id_copied", "role": "front_desk"})
    assert (409, "StaleSession", session_id) == (stale.status_code, stale.json()["error"], stale.json()["id"])


# -- privacy ---------------------------------------------------------------------------------------


def test_no_answer_shows_a_private_value(client: TestClient, clock: sopflow.ManualClock, bodies: list[str]) -> None:
    """The owner's number and the ID copy are in the store (the desk dials it) but in no response body."""
    session_id, _ = release(client, clock)
    client.get(f"/sessions/{session_id}")
    client.get(f"/sessions/{session_id}/journal")
    client.get("/sessions")
    client.post(f"/sessions/{session_id}/events", json={"event": "escalate", "role": "front_desk", "data": {}})
    store: Store = client.app.state.desk.store  # type: ignore[attr-defined]
    stored = json.dumps([e.as_dict() for e in store.journal(JournalQuery(session=session_id))], ensure_ascii=False)
    everything = "\n".join(bodies)
    assert (True, True, False, False, True) == (
        PHONE in stored,
        ID_COPY in stored,
        PHONE in everything,
        ID_COPY in everything,
        "***" in everything,
    )
    assert len(bodies) == len(VISIT) + 5


# -- lists and journals ----------------------------------------------------------------------------


def test_sessions_are_listed_and_filtered(client: TestClient, clock: sopflow.ManualClock) -> None:
    """By procedure and open or finished, newest first, as rows."""
    done, _ = release(client, clock)
    clock.advance("1 minute")
    waiting = client.post("/sessions", json=RELEASE).json()["id"]
    clock.advance("1 minute")
    phone = client.post("/sessions", json={"procedure": "busy_desk.on_phone", "role": "front_desk"}).json()["id"]

    def ids(**query: str) -> list[str]:
        answer = client.get("/sessions", params=query)
        assert 200 == answer.status_code, answer.text
        return [row["id"] for row in answer.json()["sessions"]]

    assert [phone, waiting, done] == ids()
    assert [waiting, done] == ids(procedure="business.release_tenant")
    assert [waiting] == ids(procedure="business.release_tenant", open="true")
    assert [done] == ids(open="false")
    assert [phone] == ids(limit="1")
    row = client.get("/sessions", params={"open": "false"}).json()["sessions"][0]
    assert ("business.release_tenant", 1, "released", "completed", False, 15, None) == (
        row["procedure"],
        row["version"],
        row["state"],
        row["outcome"],
        row["open"],
        row["seq"],
        row["next_deadline"],
    )


@pytest.mark.parametrize("query", [{"open": "maybe"}, {"limit": "0"}, {"limit": "ten"}])
def test_a_bad_filter_answers_400(client: TestClient, query: dict[str, str]) -> None:
    assert 400 == client.get("/sessions", params=query).status_code


def test_the_journal_is_every_entry_in_order_redacted(client: TestClient, clock: sopflow.ManualClock) -> None:
    """Start, the events, the owner call and its return, each entry hidden by its own procedure."""
    session_id, _ = release(client, clock)
    entries = client.get(f"/sessions/{session_id}/journal").json()["entries"]
    call = next(e for e in entries if e["kind"] == "call")
    assert (list(range(1, 16)), "start", "released", "***", "***") == (
        [e["seq"] for e in entries],
        entries[0]["kind"],
        entries[-1]["target"],
        entries[0]["data"]["owner_phone_on_record"],
        call["data"]["owner_phone"],
    )
    assert ["call", "return"] == [e["kind"] for e in entries if e["kind"] in ("call", "return")]


# -- timers ----------------------------------------------------------------------------------------


def test_a_due_timer_is_listed_and_fired_by_the_runner(client: TestClient, clock: sopflow.ManualClock) -> None:
    """B has waited three minutes: /due lists the session, /due/run moves it on, journaled at the deadline."""
    started = client.post("/sessions", json={"procedure": "busy_desk.on_phone", "role": "front_desk", "lang": "en"})
    session_id = started.json()["id"]
    timer = started.json()["step"]["timers"][0]
    assert ("b_waited_3_minutes", "2026-03-02T09:03:00+08:00") == (timer["name"], timer["due"])
    assert [] == client.get("/due").json()["due"]
    clock.advance("3 minutes")
    due = client.get("/due").json()
    assert ([session_id], "2026-03-02T01:03:00+00:00") == (
        [row["id"] for row in due["due"]],
        due["due"][0]["next_deadline"],
    )
    ran = client.post("/due/run").json()
    assert (1, 1, []) == (ran["sessions"], ran["entries"], ran["failed"])
    shown = client.get(f"/sessions/{session_id}").json()
    last = client.get(f"/sessions/{session_id}/journal").json()["entries"][-1]
    assert ("ask_caller_to_hold", [], "timer", "b_waited_3_minutes", "2026-03-02T09:03:00+08:00") == (
        shown["step"]["state"],
        shown["step"]["timers"],
        last["kind"],
        last["event"],
        last["at"],
    )
    assert ([], 0) == (client.get("/due").json()["due"], client.post("/due/run", json={"batch": 10}).json()["sessions"])


def test_the_runner_refuses_a_batch_below_one(client: TestClient) -> None:
    assert 400 == client.post("/due/run", json={"batch": 0}).status_code


# -- workers ---------------------------------------------------------------------------------------


def test_a_second_worker_on_the_same_file_sees_and_drives_the_first_ones_sessions(
    connect: Connect, clock: sopflow.ManualClock
) -> None:
    """Two app instances over one SQLite file, as two server processes would be."""
    first, second = connect(), connect()
    session_id = first.post("/sessions", json=RELEASE).json()["id"]
    assert [session_id] == [row["id"] for row in second.get("/sessions").json()["sessions"]]
    assert "ask_id" == second.get(f"/sessions/{session_id}").json()["step"]["state"]
    copied = {"event": "id_copied", "role": "front_desk", "data": {"tenant_id_copy": "scan-1", "tenant_name": "Chan"}}
    assert 200 == second.post(f"/sessions/{session_id}/events", json=copied).status_code
    assert ("check_fees", 2) == (
        first.get(f"/sessions/{session_id}").json()["step"]["state"],
        first.get(f"/sessions/{session_id}").json()["seq"],
    )


# -- the docs and the command ----------------------------------------------------------------------


def test_the_documented_request_gets_the_documented_answers(client: TestClient) -> None:
    """docs/hosting.md, "A web host": the start it shows answers what it shows, and so does the refusal after it."""
    section = (ROOT / "docs" / "hosting.md").read_text(encoding="utf-8").split("\n## A web host\n", 1)[1]
    (request,) = re.findall(r"```http\n(.*?)```", section, re.S)
    started, refused = (json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.S))
    head, _, body = request.partition("\n\n")
    method, path, _ = head.splitlines()[0].split(" ")
    answer = client.request(method, path, content=body, headers={"content-type": "application/json"})
    session_id = answer.json()["id"]
    assert (201, started | {"id": session_id}) == (answer.status_code, answer.json())
    answer = client.post(f"/sessions/{session_id}/events", json={"event": "slip_handed", "role": "front_desk"})
    assert (409, refused) == (answer.status_code, answer.json())


def test_the_module_serves_the_app_with_uvicorn(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`python -m examples.desk_service --db F --port P` hands uvicorn an app on F."""
    served: list[tuple[Starlette, str, int]] = []

    class FakeUvicorn:
        @staticmethod
        def run(app: Starlette, *, host: str, port: int) -> None:
            served.append((app, host, port))

    monkeypatch.setitem(sys.modules, "uvicorn", FakeUvicorn)
    assert 0 == main(["--db", str(tmp_path / "served.db"), "--port", "8123"])
    assert (True, "127.0.0.1", 8123, True) == (
        isinstance(served[0][0], Starlette),
        served[0][1],
        served[0][2],
        (tmp_path / "served.db").exists(),
    )


def test_the_module_without_uvicorn_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if it were not installed
    assert (2, HINT) == (main(["--db", str(tmp_path / "x.db")]), capsys.readouterr().err.strip())


def test_the_package_app_is_built_from_the_environment_when_first_asked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`uvicorn examples.desk_service:app` gets an app on $SOPFLOW_DESK_DB; importing opens nothing."""
    monkeypatch.setenv(DB_ENV, str(tmp_path / "env.db"))
    monkeypatch.setattr(desk_service, "_built", {})
    assert not (tmp_path / "env.db").exists()
    app = desk_service.app
    assert (True, True, True) == (isinstance(app, Starlette), (tmp_path / "env.db").exists(), app is desk_service.app)
    app.state.desk.store.close()
