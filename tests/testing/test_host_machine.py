"""HostMachine passes a host that keeps sessions faithfully, and catches one that loses data or time."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

import sopflow
from sopflow.errors import UsageError
from sopflow.testing.host import HostDisagrees, HostMachine, Observation

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    stateful_step_count=20,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
"""Derandomized: whether a fault is found does not depend on the run, so these tests cannot flake."""
FINDING = settings(SETTINGS, phases=[Phase.generate])
"""For hosts known to be faulty: finding the fault is the test; shrinking it would only cost time."""
LIBRARY = sopflow.load_library()


class RowHost(HostMachine):
    """A DB-backed host in miniature: each call loads the session from its row and writes it back."""

    library = LIBRARY

    def start_host(self, role: str, data: Mapping[str, Any], clock: sopflow.ManualClock) -> None:
        self.host_clock = clock
        session = LIBRARY.start(self.compiled.id, clock=clock, role=role, data=dict(data))
        self.row = json.dumps(session.snapshot())

    def load(self) -> sopflow.Session:
        return LIBRARY.restore(json.loads(self.row), self.host_clock)

    def save(self, session: sopflow.Session) -> None:
        self.row = json.dumps(session.snapshot())

    def fire_host(self, event: str, role: str, data: Mapping[str, Any]) -> None:
        session = self.load()
        try:
            session.fire(event, role=role, data=dict(data))
        finally:  # a refusal is journaled too
            self.save(session)

    def check_host(self, item: str, role: str) -> None:
        session = self.load()
        try:
            session.check(item, role=role)
        finally:
            self.save(session)

    def advance_host(self, now: dt.datetime) -> None:
        session = self.load()
        session.advance(now)
        self.save(session)

    def observe_host(self) -> Observation:
        session = self.load()
        return Observation(session.state, session.outcome, session.data, session.allowed())


class ReleaseHost(RowHost):
    procedure = "business.release_tenant"


class RepairHost(RowHost):
    procedure = "business.repair"


class ComplaintHost(RowHost):
    procedure = "complaint.handling"


class OpeningHost(RowHost):
    procedure = "front_desk.opening"


class PhoneHost(RowHost):
    procedure = "busy_desk.on_phone"


@pytest.mark.parametrize("machine", [ReleaseHost, RepairHost, ComplaintHost, OpeningHost, PhoneHost])
def test_a_faithful_host_passes(machine: type[HostMachine]) -> None:
    """Sessions kept through snapshots in rows agree with the reference on every rule, checklists and timers too."""
    run_state_machine_as_test(machine, settings=SETTINGS)


class Recorded(OpeningHost):
    """Notes what the machine asks of the host, to show that a passing run asked everything."""

    asked: ClassVar[set[str]] = set()

    def fire_host(self, event: str, role: str, data: Mapping[str, Any]) -> None:
        try:
            super().fire_host(event, role, data)
        except sopflow.RuntimeRefusal:
            self.asked.add("refused")
            raise
        self.asked.add("fire")

    def check_host(self, item: str, role: str) -> None:
        super().check_host(item, role)
        self.asked.add("check")

    def advance_host(self, now: dt.datetime) -> None:
        deadlines = self.load().step().timers
        super().advance_host(now)
        self.asked.add("timer ran" if deadlines and deadlines[0].due <= now else "nothing due")


def test_a_passing_run_fires_ticks_refuses_and_lets_time_pass() -> None:
    """The front desk's opening checklist and its calendar timer: every kind of rule reaches the host."""
    run_state_machine_as_test(Recorded, settings=SETTINGS)
    assert {"fire", "check", "refused", "timer ran", "nothing due"} == Recorded.asked


class FeesForgotten(ReleaseHost):
    """Its fees form never reaches the session: the arrears the desk typed are lost."""

    def fire_host(self, event: str, role: str, data: Mapping[str, Any]) -> None:
        super().fire_host(event, role, {} if event == "fees_checked" else data)


class TimersNeverRun(PhoneHost):
    """It has no timer worker: a caller kept waiting three minutes is never handed over."""

    def advance_host(self, now: dt.datetime) -> None:
        pass


class TimersRunEarly(PhoneHost):
    """Its worker runs timers a minute ahead of time."""

    def advance_host(self, now: dt.datetime) -> None:
        super().advance_host(now + dt.timedelta(minutes=1))


class RefusalsSwallowed(ComplaintHost):
    """Its API answers every request with success, and drops what sopflow refuses."""

    def fire_host(self, event: str, role: str, data: Mapping[str, Any]) -> None:
        with contextlib.suppress(sopflow.RuntimeRefusal):
            super().fire_host(event, role, data)


class OutcomeLost(ComplaintHost):
    """It reports every visit as still open."""

    def observe_host(self) -> Observation:
        return super().observe_host()._replace(outcome=None)


@pytest.mark.parametrize(
    ("machine", "found"),
    [
        (FeesForgotten, "the host refused what sopflow accepts (front_desk fires fees_checked"),
        (TimersNeverRun, "state: the host is in 'b_waiting'"),
        (TimersRunEarly, "state: the host is in"),
        (RefusalsSwallowed, "the host accepted what sopflow refuses"),
        (OutcomeLost, "outcome: the host has None, sopflow"),
    ],
)
def test_a_faulty_host_is_caught(machine: type[HostMachine], found: str) -> None:
    """Hypothesis finds the fault within the test's budget, and says what the host got wrong."""
    with pytest.raises(HostDisagrees) as caught:
        run_state_machine_as_test(machine, settings=FINDING)
    assert found in str(caught.value)


def test_a_host_that_keeps_fewer_fields_is_compared_on_those_it_keeps() -> None:
    """Observation.data holds the fields the host keeps; a wrong value in one of them is caught."""

    class Rounded(ReleaseHost):
        def observe_host(self) -> Observation:
            seen = super().observe_host()
            months = seen.data.get("arrears_months")
            kept = {"arrears_months": None if months is None else min(months, 2)}
            return seen._replace(data=kept, allowed=None)

    with pytest.raises(HostDisagrees) as caught:
        run_state_machine_as_test(Rounded, settings=FINDING)
    assert "data 'arrears_months': the host has 2, sopflow " in str(caught.value)


def test_a_machine_without_its_adapter_says_what_to_implement() -> None:
    """The base methods refuse with the method to write, as a sopflow UsageError."""

    class Bare(HostMachine):
        procedure: ClassVar[str] = "business.release_tenant"

    with pytest.raises(UsageError, match=r"Bare must implement start_host\(role, data, clock\)"):
        run_state_machine_as_test(Bare, settings=settings(max_examples=1, deadline=None, database=None))


def test_a_machine_without_a_procedure_says_so() -> None:
    class Unnamed(HostMachine):
        pass

    with pytest.raises(UsageError, match="Unnamed must name its procedure"):
        Unnamed()
