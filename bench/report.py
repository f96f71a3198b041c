"""Rows of figures with their targets, printed as one table; percentiles."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Row:
    """One printed figure; `target` and `passed` only for the figures that have a target."""

    section: str
    label: str
    value: float | None
    unit: str
    target: str = ""
    passed: bool | None = None
    note: str = ""

    def status(self) -> str:
        """Return PASS, FAIL or nothing."""
        if self.passed is None:
            return ""
        return "PASS" if self.passed else "FAIL"


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile (0 < fraction <= 1) of the samples."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}".replace(",", " ")
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(rows: Sequence[Row]) -> str:
    """Return the rows as an aligned text table."""
    header = ("#", "measure", "value", "target", "result", "note")
    body = [
        (r.section, r.label, f"{_number(r.value)} {r.unit}".strip(), r.target, r.status(), r.note)
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i == 2 else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    rule = "-" * len(line(header))
    out = [line(header), rule]
    previous = None
    for cells, row in zip(body, rows, strict=True):
        if previous is not None and row.section != previous:
            out.append("")
        out.append(line(cells))
        previous = row.section
    return "\n".join(out)


def as_json(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """Return the rows as JSON-ready dicts."""
    return [{**asdict(r), "status": r.status() or None} for r in rows]
