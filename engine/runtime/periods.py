"""ISO-8601 periods added the way people read them: days and months on the Oslo wall clock.

`P1D` is a calendar day, so 08:00 plus `P1D` is 08:00 the next day even across a daylight-saving
change; `PT24H` is 24 elapsed hours. SpiffWorkflow turns both into fixed seconds in UTC, which
moves a daily 08:00 cycle to 09:00 (or 07:00) after the last Sunday of March (or October).
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import UTC, datetime, timedelta

from engine.timezone import OSLO

_PERIOD = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$"
)
Period = dict[str, float]


def parse_period(text: str) -> Period:
    """Parse an ISO-8601 duration such as `P1M`, `P2W`, `PT10M` into its parts."""
    match = _PERIOD.match(text.strip().upper())
    if match is None or text.strip().upper() in ("P", "PT") or text.strip().upper().endswith("T"):
        raise ValueError(f"not an ISO-8601 duration: {text!r}")
    return {k: float(v.replace(",", ".")) for k, v in match.groupdict().items() if v is not None}


def add_period(moment: datetime, period: Period, times: int = 1) -> datetime:
    """Return `moment` plus `times` periods: dates on the Oslo calendar, times as elapsed time."""
    local = moment.astimezone(OSLO)
    months = int(period.get("years", 0) * 12 + period.get("months", 0)) * times
    days = int(period.get("weeks", 0) * 7 + period.get("days", 0)) * times
    wall = _add_months(local.replace(tzinfo=None), months) + timedelta(days=days)
    # fold=0: a wall time the spring change skips lands an hour later, a repeated one on the first.
    shifted = wall.replace(tzinfo=OSLO) if (months or days) else local
    elapsed = timedelta(
        hours=period.get("hours", 0),
        minutes=period.get("minutes", 0),
        seconds=period.get("seconds", 0),
    )
    # Aware arithmetic in a ZoneInfo zone is wall-clock arithmetic: add elapsed time in UTC.
    return shifted.astimezone(UTC) + elapsed * times


def _add_months(wall: datetime, months: int) -> datetime:
    index = wall.year * 12 + wall.month - 1 + months
    year, month = divmod(index, 12)
    day = min(wall.day, monthrange(year, month + 1)[1])
    return wall.replace(year=year, month=month + 1, day=day)
