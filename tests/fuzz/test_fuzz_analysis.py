"""The analysis API given a wrong kind of value: a SopflowError that names the argument, never a crash inside."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sopflow
from sopflow.analysis.conformance import check_file, check_journals, check_log, mapping_from
from sopflow.analysis.explore import explore
from sopflow.analysis.generate import generate
from sopflow.analysis.kpi_report import kpi_report
from sopflow.analysis.verify import verify
from tests.fuzz.junk import junk

LIBRARY = sopflow.load_library()
PAYMENT = LIBRARY["business.payment"]
MAPPING = mapping_from({"procedure": "business.release_tenant"})
LOG = Path(__file__).parents[2] / "examples" / "conformance" / "release_tenant_log.csv"
TARGETS = next(iter(LIBRARY.targets.values()))
JUNK = junk(st.sampled_from([MAPPING, PAYMENT, str(LOG), "csv", "month", TARGETS]))
CALLS: dict[str, Any] = {
    "check_file": lambda a, b, c: check_file(LIBRARY, a, b, fmt=c),
    "check_file_keep": lambda a, b, c: check_file(LIBRARY, LOG, MAPPING, keep=a),
    "check_log": lambda a, b, c: check_log(LIBRARY, a, b, keep=c),
    "check_journals": lambda a, b, c: check_journals(LIBRARY, a, "business.payment", keep=b),
    "mapping_from": lambda a, b, c: mapping_from(a),
    "explore": lambda a, b, c: explore(a, limit=b),
    "verify": lambda a, b, c: verify(PAYMENT, limit=a),
    "generate": lambda a, b, c: generate(PAYMENT, limit=a),
    "kpi": lambda a, b, c: kpi_report(a, b, LIBRARY, by=c),
    "kpi_journals": lambda a, b, c: kpi_report(TARGETS, [a], LIBRARY, since=b, until=c),
}


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(call=st.sampled_from(sorted(CALLS)), a=JUNK, b=JUNK, c=JUNK)
def test_the_analysis_api_given_anything_answers_or_refuses(call: str, a: Any, b: Any, c: Any) -> None:
    with contextlib.suppress(sopflow.SopflowError):
        CALLS[call](a, b, c)
