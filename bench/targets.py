"""The brief's targets, and the table rows each section's results turn into."""

from __future__ import annotations

import statistics
from typing import Any

from bench import inbox
from bench.report import Row, percentile

RATIO_TARGET = 0.5
P50_TARGET_MS = 6.0
AGE_TARGET = 1.5
INBOX_P95_TARGET_MS = 50.0


def raw_rows(result: dict[str, Any]) -> list[Row]:
    """Rows of section 1: the raw SpiffWorkflow variants."""
    return [
        Row("1", "raw SpiffWorkflow, in memory", result["memory"]["tasks_per_s"], "tasks/s"),
        Row(
            "1",
            "raw + spec-free JSON to SQLite WAL, commit per step",
            result["save"]["tasks_per_s"],
            "tasks/s",
            note="baseline",
        ),
        Row(
            "1",
            "raw, load + save per step (stateless reference)",
            result["load_save"]["tasks_per_s"],
            "tasks/s",
        ),
    ]


def http_rows(result: dict[str, Any], baseline: dict[str, Any] | None) -> list[Row]:
    """Rows of sections 2 and 3: HTTP throughput, ratios, latency."""
    walls = [w for w, _ in result["samples"]]
    cpus = [c for _, c in result["samples"]]
    rate, cpu_rate = len(walls) / sum(walls), len(cpus) / sum(cpus)
    rows = [Row("2", "HTTP POST /tasks/{id}/complete, SQLite", rate, "tasks/s")]
    if baseline is not None:
        ratio = rate / baseline["save"]["tasks_per_s"]
        rows += [
            Row(
                "2", "ratio to raw baseline", ratio, "x", f"≥ {RATIO_TARGET}", ratio >= RATIO_TARGET
            ),
            Row(
                "2",
                "ratio to raw baseline, CPU time",
                cpu_rate / baseline["save"]["cpu_tasks_per_s"],
                "x",
                note="less sensitive to other load",
            ),
            Row("2", "ratio to raw load + save", rate / baseline["load_save"]["tasks_per_s"], "x"),
        ]
    p50 = percentile(walls, 0.50) * 1000
    rows += [
        Row(
            "3",
            "complete latency p50, one client",
            p50,
            "ms",
            f"≤ {P50_TARGET_MS:g} ms",
            p50 <= P50_TARGET_MS,
        ),
        Row("3", "complete latency p95", percentile(walls, 0.95) * 1000, "ms"),
        Row("3", "complete CPU time p50", percentile(cpus, 0.50) * 1000, "ms"),
    ]
    return rows


def routine_rows(result: dict[str, Any]) -> list[Row]:
    """Rows of section 3 for the real routine: what a completion costs on the assignment."""
    walls = [w for w, _ in result["samples"]]
    note = f"{result['tasks']} completions, {result['runs']} runs"
    return [
        Row(
            "3", "complete p50, assignment routine", percentile(walls, 0.50) * 1000, "ms", note=note
        ),
        Row(
            "3",
            "complete p95, assignment routine",
            percentile(walls, 0.95) * 1000,
            "ms",
            note=f"snapshot up to {result['snapshot_bytes']} B",
        ),
    ]


def age_rows(result: dict[str, Any]) -> list[Row]:
    """Rows of section 4: a new instance against an old one."""
    fresh = statistics.median(w for w, _ in result["fresh"])
    aged = statistics.median(w for w, _ in result["aged"])
    fresh_cpu = statistics.median(c for _, c in result["fresh"])
    aged_cpu = statistics.median(c for _, c in result["aged"])
    ratio = aged / fresh
    steps = result["age"]
    return [
        Row("4", "service complete_task, new instance, p50", fresh * 1000, "ms"),
        Row(
            "4",
            f"service complete_task after {steps} steps, p50",
            aged * 1000,
            "ms",
            note=f"snapshot {result['aged_footprint']['snapshot_bytes']} B, "
            f"{result['aged_footprint']['history_events']} history rows",
        ),
        Row(
            "4",
            f"cost ratio old/new ({steps} steps)",
            ratio,
            "x",
            f"≤ {AGE_TARGET}",
            ratio <= AGE_TARGET,
        ),
        Row("4", "cost ratio old/new, CPU time", aged_cpu / fresh_cpu, "x"),
    ]


def inbox_rows(name: str, result: dict[str, Any]) -> list[Row]:
    """Rows of section 5 for one database."""
    samples = [s * 1000 for s in result["samples"]]
    p95 = percentile(samples, 0.95)
    note = f"{result['tasks']} open tasks, {result['visible']} visible to {inbox.VIEWER}"
    return [
        Row("5", f"GET /tasks?scope=group p50, {name}", percentile(samples, 0.5), "ms", note=note),
        Row(
            "5",
            f"GET /tasks?scope=group p95, {name}",
            p95,
            "ms",
            f"≤ {INBOX_P95_TARGET_MS:g} ms",
            p95 <= INBOX_P95_TARGET_MS,
        ),
    ]


DEPLOY_GROWTH_TARGET = 2.5  # per doubling of the process: near-linear is 2, quadratic 4


def deploy_rows(result: dict[str, Any]) -> list[Row]:
    """Rows of section 7: deploy's checks per process size, and how they grow."""
    rows = [
        Row("7", f"deploy checks, {tasks} user tasks (one split)", seconds, "s CPU")
        for tasks, seconds in result["cpu_seconds"].items()
    ]
    growth = result["growth_per_doubling"]
    rows.append(
        Row(
            "7",
            "deploy checks, growth per doubling",
            growth,
            "x",
            f"≤ {DEPLOY_GROWTH_TARGET}",
            growth <= DEPLOY_GROWTH_TARGET,
            note=f"files over {result['max_elements']} XML elements are refused",
        )
    )
    return rows
