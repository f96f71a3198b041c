"""Schemathesis over the OpenAPI document: generated requests to every operation, never a 500."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings

pytestmark = pytest.mark.slow

EXAMPLES = 10


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_no_operation_answers_500(app: Flask, auth: Callable[[str], dict[str, str]]) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    schema = schemathesis.from_dict(document, app=app)
    headers = auth("admin")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures: list[str] = []
    timings: list[tuple[float, str]] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def probe(case: schemathesis.Case) -> None:
            response = case.call_wsgi(app=app, headers=headers)
            if response.status_code >= 500:
                detail = f"{response.status_code} {response.data[:200]!r}"
                failures.append(f"{case.method} {case.formatted_path}: {detail}")

        started = time.perf_counter()
        probe()
        timings.append((time.perf_counter() - started, f"{operation.method} {operation.path}"))
    print("slowest operations:", sorted(timings, reverse=True)[:5])
    assert failures == []
