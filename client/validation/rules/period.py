"""Section B: the delivery period (R-PERIOD-01/02/07 on the header, R-PERIOD-03a/b per traject).

R-PERIOD-04/05 (every date against the timestamp and the period end) run in the date walk of
`phases.walk_dates`, which visits each date once for all the "every date" rules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from client.validation.findings import Severity
from client.validation.rules.context import Ctx, E, I, W
from client.validation.rules.dates import add_months, parse_date, parse_datetime

__all__ = ["check_header_period", "check_traject_period", "period_shape"]

FUTURE_TOLERANCE = timedelta(minutes=5)


def period_shape(start: date, end: date) -> str | None:
    """'quarter' | 'half-year' | 'year' when [start, end] is one, else None."""
    if start.day != 1:
        return None
    for months, name, starts in ((3, "quarter", (1, 4, 7, 10)), (6, "half-year", (1, 7)), (12, "year", (1,))):
        if start.month in starts and end == add_months(start, months) - timedelta(days=1):
            return name
    return None


def check_header_period(
    data: dict[str, Any],
    prefix: str,
    now: datetime,
    emit: Callable[[str, Severity, str, str, str], None],
) -> tuple[date | None, date | None, date | None]:
    """R-PERIOD-01, -02, -07. Returns (startdatumLevering, einddatumLevering, date of aanleverdatumEnTijd)."""
    p_start = parse_date(data.get("startdatumLevering"))
    p_end = parse_date(data.get("einddatumLevering"))
    stamp = parse_datetime(data.get("aanleverdatumEnTijd"))
    aanl = parse_date(data["aanleverdatumEnTijd"][:10]) if stamp is not None else None
    if p_start is not None and p_end is not None:
        if p_start > p_end:
            emit(
                "R-PERIOD-01",
                E,
                prefix + "/einddatumLevering",
                f"einddatumLevering {p_end} is before startdatumLevering {p_start}.",
                "Swap the dates, or correct the period: start <= end.",
            )
        elif period_shape(p_start, p_end) is None:
            emit(
                "R-PERIOD-07",
                I,
                prefix + "/startdatumLevering",
                f"The period {p_start} .. {p_end} is not a calendar quarter, half-year or year.",
                "Usual reporting periods are calendar half-years or quarters; check the requested period.",
            )
    if aanl is not None and p_end is not None and aanl < p_end:
        emit(
            "R-PERIOD-02",
            W,
            prefix + "/aanleverdatumEnTijd",
            f"The delivery timestamp date {aanl} is before einddatumLevering {p_end}: the period is "
            "not over yet.",
            "Deliver after the period has ended, and set aanleverdatumEnTijd to the moment of delivery.",
        )
    if stamp is not None and stamp > now + FUTURE_TOLERANCE:
        emit(
            "R-PERIOD-02",
            W,
            prefix + "/aanleverdatumEnTijd",
            f"aanleverdatumEnTijd {data['aanleverdatumEnTijd']} lies in the future (now "
            f"{now:%Y-%m-%dT%H:%M:%SZ}).",
            "Set aanleverdatumEnTijd to the moment the file is made, in UTC with a Z.",
        )
    return p_start, p_end, aanl


def check_traject_period(c: Ctx) -> None:
    """R-PERIOD-03a (starts after the period) and R-PERIOD-03b (ended before it)."""
    start = c.start_any
    if c.p_end is not None and start is not None and start > c.p_end:
        rel = "/startdatum" if c.start is not None else ""
        c.add(
            "R-PERIOD-03a",
            E,
            rel,
            f"The traject starts {start}, after the delivery period ends ({c.p_end}).",
            "Leave trajecten that start after einddatumLevering out of this delivery.",
        )
    end = c.end
    if c.p_start is not None and end is not None and end < c.p_start:
        rel = "/einddatum" if c.einddatum is not None else "/uitstroom"
        c.add(
            "R-PERIOD-03b",
            W,
            rel,
            f"The traject ended {end}, before the delivery period starts ({c.p_start}).",
            "A delivery holds the trajecten that overlap the period; leave this one out unless it corrects "
            "an earlier delivery.",
        )
