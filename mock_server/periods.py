"""The half-year delivery windows the mock accepts (`GET /aanleverperiodes`).

Default, relative to today: the period containing today, `past_periods` before it and `future_periods`
after it. A period opens on its first day; deliveries and corrections are accepted until the end of the
half year `correction_halfyears` after it (default 3: 2025H2 closes 2027-06-30), and withdrawal until
`withdrawal_days_after_close` days after that. So on any day the current period and the three before it
are open, which keeps `make demo` (2025H2, 2026H1) working through mid-2027.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from client.planning.periods import Period
from mock_server.settings import MockSettings


@dataclass(frozen=True)
class Window:
    period: Period
    opens: date
    closes: date
    withdrawal_deadline: date

    def is_open(self, today: date) -> bool:
        return self.opens <= today <= self.closes

    def to_dict(self, today: date) -> dict[str, Any]:
        return {
            "periode": api_code(self.period),
            "code": self.period.code,
            "startdatum": self.period.start.isoformat(),
            "einddatum": self.period.end.isoformat(),
            "opent": self.opens.isoformat(),
            "sluit": self.closes.isoformat(),
            "intrekkenTot": self.withdrawal_deadline.isoformat(),
            "open": self.is_open(today),
            "intrekkenMogelijk": today <= self.withdrawal_deadline,
        }


def api_code(period: Period) -> str:
    """`2026H1` → `2026-H1`, the spelling of PUSH-API.md's query parameter."""
    return f"{period.year}-H{period.half}"


def _default_window(settings: MockSettings, period: Period) -> Window:
    last = period
    for _ in range(settings.correction_halfyears):
        last = last.next()
    closes = last.end
    return Window(period, period.start, closes, closes + timedelta(days=settings.withdrawal_days_after_close))


def windows(settings: MockSettings, today: date) -> list[Window]:
    """All configured windows, oldest first (generated ones around `today`, the mock clock's date)."""
    if settings.periods:
        out = []
        for cfg in settings.periods:
            default = _default_window(settings, Period.parse(cfg.code))
            closes = cfg.closes or default.closes
            deadline = cfg.withdrawal_deadline or (
                closes + timedelta(days=settings.withdrawal_days_after_close)
            )
            out.append(Window(default.period, cfg.opens or default.opens, closes, deadline))
        return sorted(out, key=lambda w: w.period)
    current = Period.containing(today)
    first, last = current, current
    for _ in range(settings.past_periods):
        first = first.previous()
    for _ in range(settings.future_periods):
        last = last.next()
    return [_default_window(settings, p) for p in Period.range(first, last)]


def window_for(settings: MockSettings, period: Period, today: date) -> Window | None:
    for window in windows(settings, today):
        if window.period == period:
            return window
    return None


def period_of_dates(start: str, end: str) -> Period | None:
    """The half year exactly spanned by `startdatumLevering..einddatumLevering`, else None."""
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except (TypeError, ValueError):
        return None
    period = Period.containing(first)
    return period if (period.start, period.end) == (first, last) else None
