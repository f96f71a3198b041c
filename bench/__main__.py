"""`python -m bench`: run every measurement once, print one table, write bench/results/latest.json.

Sizes and switches (environment):

    BENCH_N=1000               user tasks completed per throughput measurement (raw and HTTP)
    BENCH_AGE=1000             completed steps before the "old instance" sample
    BENCH_AGE_SAMPLE=50        completions sampled in the new and in the old instance
    BENCH_ROUTINE=5            runs of the assignment happy path through HTTP (after a warm-up)
    BENCH_INBOX_TASKS=100000   open tasks inserted for the group inbox
    BENCH_INBOX_INSTANCES=400  running instances they hang from
    BENCH_INBOX_REPEAT=50      timed GET /api/v1/tasks?scope=group requests
    BENCH_TIMERS=10000         timers due at once for the worker processes (PostgreSQL)
    BENCH_LONE=100             lone timers whose firing delay is measured
    BENCH_WORKERS=2            scheduler worker processes
    BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test   ("off" skips PostgreSQL
                               and the timer section; the bench works in its own schema and
                               drops it afterwards)
    BENCH_EXTERNAL=200         external-task round trips (fetchAndLock + complete, /engine-rest)
    BENCH_ONLY=raw,http,routine,age,inbox,timers,external,deploy   run only these sections
    BENCH_PROFILE=1            also cProfile 200 HTTP completions into bench/results/

Targets are informational: the exit status is 0 whatever the figures.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench import age, apps, completion, inbox, raw, routine, targets
from bench import deploy as deploy_bench
from bench import external_tasks as external_bench
from bench import timers as timer_bench
from bench.report import Row, as_json, percentile, table

RESULTS = Path(__file__).parent / "results"
SECTIONS = ("raw", "http", "routine", "age", "inbox", "timers", "external", "deploy")
ROUNDS = 5  # raw and HTTP alternate, so a burst of load elsewhere hits both alike


@dataclass(frozen=True)
class Config:
    """What to run and how big."""

    tasks: int = 1000
    age: int = 1000
    age_sample: int = 50
    routine_runs: int = 5
    inbox_tasks: int = 100_000
    inbox_instances: int = 400
    inbox_repeat: int = 50
    timers: int = 10_000
    lone_timers: int = 100
    timer_workers: int = 2
    external: int = 200
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432/test"
    only: tuple[str, ...] = SECTIONS
    profile: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Config:
        """Read BENCH_* variables over the defaults."""

        def number(name: str, default: int) -> int:
            return int(env.get(name, default))

        postgres = env.get("BENCH_POSTGRES_URL", cls.postgres_url)
        only = tuple(s.strip() for s in env.get("BENCH_ONLY", ",".join(SECTIONS)).split(","))
        return cls(
            tasks=number("BENCH_N", cls.tasks),
            age=number("BENCH_AGE", cls.age),
            age_sample=number("BENCH_AGE_SAMPLE", cls.age_sample),
            routine_runs=number("BENCH_ROUTINE", cls.routine_runs),
            inbox_tasks=number("BENCH_INBOX_TASKS", cls.inbox_tasks),
            inbox_instances=number("BENCH_INBOX_INSTANCES", cls.inbox_instances),
            inbox_repeat=number("BENCH_INBOX_REPEAT", cls.inbox_repeat),
            timers=number("BENCH_TIMERS", cls.timers),
            lone_timers=number("BENCH_LONE", cls.lone_timers),
            timer_workers=number("BENCH_WORKERS", cls.timer_workers),
            external=number("BENCH_EXTERNAL", cls.external),
            postgres_url="" if postgres.lower() in ("", "off", "0", "no") else postgres,
            only=tuple(s for s in only if s in SECTIONS),
            profile=env.get("BENCH_PROFILE", "") not in ("", "0"),
        )


def _throughput(config: Config, workdir: Path) -> dict[str, Any]:
    """Measure raw and HTTP completions in alternating rounds, so both see the same load."""
    with_raw, with_http = "raw" in config.only, "http" in config.only
    if not (with_raw or with_http):
        return {}
    specs = raw.parse_spec()
    raw.warm_up(*specs)
    bench = completion.prepare(workdir) if with_http else None
    share = -(-config.tasks // ROUNDS)
    parts: dict[str, list[dict[str, Any]]] = {"memory": [], "save": [], "load_save": []}
    samples: list[tuple[float, float]] = []
    try:
        for round_ in range(ROUNDS):
            if with_raw:
                parts["memory"].append(raw.run_memory(*specs, share))
                db = workdir / f"raw-{round_}.sqlite3"
                parts["save"].append(raw.run_save(*specs, share, db))
                parts["load_save"].append(raw.run_load_save(*specs, share, db))
            if bench is not None:
                samples += completion.complete_many(bench, share)
        if bench is not None and config.profile:
            completion.profile(bench, RESULTS / "http_complete.prof")
    finally:
        if bench is not None:
            apps.dispose(bench)
    results: dict[str, Any] = {}
    if with_raw:
        results["raw"] = {name: raw.merge(variant) for name, variant in parts.items()}
    if with_http:
        results["http"] = {"tasks": len(samples), "samples": samples}
    return results


def _inbox(config: Config, workdir: Path) -> tuple[dict[str, Any], list[Row]]:
    results: dict[str, Any] = {}
    rows: list[Row] = []
    sizes = (config.inbox_tasks, config.inbox_instances, config.inbox_repeat)
    results["sqlite"] = inbox.run(apps.sqlite_url(workdir, "inbox.sqlite3"), *sizes, analyze=False)
    rows += targets.inbox_rows("SQLite", results["sqlite"])
    if config.postgres_url:
        try:
            with apps.postgres_schema(config.postgres_url, f"bench_{os.getpid()}") as url:
                results["postgresql"] = inbox.run(url, *sizes, analyze=True)
            rows += targets.inbox_rows("PostgreSQL", results["postgresql"])
        except Exception as error:  # PostgreSQL is optional: say why it was skipped
            results["postgresql"] = {"skipped": str(error).splitlines()[0]}
            rows.append(
                Row("5", "PostgreSQL skipped", None, "", note=str(error).splitlines()[0][:80])
            )
    return results, rows


def _timers(config: Config) -> tuple[dict[str, Any], list[Row]]:
    """Timers fired by scheduler worker processes; PostgreSQL only (workers share its NOTIFY)."""
    if not config.postgres_url:
        return {"skipped": "BENCH_POSTGRES_URL is off"}, [
            Row("6", "timers skipped", None, "", note="needs PostgreSQL")
        ]
    try:
        return timer_bench.run(
            config.postgres_url, config.timers, config.lone_timers, config.timer_workers
        )
    except Exception as error:  # PostgreSQL is optional: say why it was skipped
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return {"skipped": reason}, [Row("6", "timers skipped", None, "", note=reason[:80])]


def _environment() -> dict[str, Any]:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "spiffworkflow": version("SpiffWorkflow"),
        "sqlalchemy": version("SQLAlchemy"),
        "cpus": os.cpu_count(),
        "commit": commit,
        "load_average": list(os.getloadavg()),
    }


def _summary(results: dict[str, Any]) -> dict[str, Any]:
    """Drop raw samples from the JSON, keeping their percentiles."""
    out: dict[str, Any] = json.loads(json.dumps(results, default=str))
    sections = (out.get("http"), out.get("routine"), out.get("external"))
    for section in (*sections, *(out.get("inbox") or {}).values()):
        if isinstance(section, dict) and "samples" in section:
            samples = section.pop("samples")
            walls = [s[0] if isinstance(s, list) else s for s in samples]
            section["p50_ms"] = percentile(walls, 0.5) * 1000
            section["p95_ms"] = percentile(walls, 0.95) * 1000
    for key in ("fresh", "aged"):
        if out.get("age") and key in out["age"]:
            walls = [w for w, _ in out["age"].pop(key)]
            out["age"][f"{key}_p50_ms"] = statistics.median(walls) * 1000
    return out


def main(env: Mapping[str, str] = os.environ) -> int:
    """Run the configured sections, print the table, write the JSON; always return 0."""
    config = Config.from_env(env)
    environment = _environment()
    print(
        f"saksflyt bench  {environment['at']}  commit {environment['commit']}  "
        f"Python {environment['python']}  SpiffWorkflow {environment['spiffworkflow']}  "
        f"{environment['cpus']} CPUs  load {environment['load_average'][0]:.2f}"
    )
    print(
        f"N={config.tasks} tasks, age {config.age} steps (sample {config.age_sample}), "
        f"inbox {config.inbox_tasks} tasks x {config.inbox_repeat} requests",
        flush=True,
    )
    results: dict[str, Any] = {"config": asdict(config), "environment": environment}
    rows: list[Row] = []
    RESULTS.mkdir(exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="saksflyt-bench-") as tmp:
        workdir = Path(tmp)
        results.update(_throughput(config, workdir))
        if "raw" in results:
            rows += targets.raw_rows(results["raw"])
        if "http" in results:
            rows += targets.http_rows(results["http"], results.get("raw"))
        if "routine" in config.only:
            results["routine"] = routine.run(workdir, config.routine_runs)
            rows += targets.routine_rows(results["routine"])
        if "age" in config.only:
            results["age"] = age.run(config.age, config.age_sample, workdir)
            rows += targets.age_rows(results["age"])
        if "inbox" in config.only:
            results["inbox"], inbox_rows = _inbox(config, workdir)
            rows += inbox_rows
        if "timers" in config.only:
            results["timers"], timer_rows = _timers(config)
            rows += timer_rows
        if "external" in config.only:
            results["external"] = external_bench.run(workdir, config.external)
            rows += external_bench.rows(results["external"])
        if "deploy" in config.only:
            results["deploy"] = deploy_bench.run()
            rows += targets.deploy_rows(results["deploy"])
    results["seconds"] = time.perf_counter() - started
    results["rows"] = as_json(rows)
    after = results["environment"]["load_average_after"] = list(os.getloadavg())
    print()
    print(table(rows))
    if max(environment["load_average"][0], after[0]) > (environment["cpus"] or 1):
        print(
            "\nThe machine was busy (load average above the CPU count): wall-clock figures are "
            "inflated;\nthe CPU-time rows are the steadier comparison."
        )
    print(
        f"\n{results['seconds']:.0f} s in all; load average after "
        f"{results['environment']['load_average_after'][0]:.2f}. "
        f"Targets are informational. Details: {RESULTS / 'latest.json'}"
    )
    if config.profile:
        print(completion.profile_summary(RESULTS / "http_complete.prof"))
    (RESULTS / "latest.json").write_text(json.dumps(_summary(results), indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
