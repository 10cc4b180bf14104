"""The mock's domain clock: the one source of "now" and "today" for everything that depends on the date.

Open periods, withdrawal deadlines, idempotency-key expiry, token expiry, processing and the
missing-pages timeout all read this clock, so that `--today` or `PUT /admin/clock` moves all of them at
once. A moved clock keeps running: it starts at noon UTC of the chosen day (half a day before the date
can roll over) and advances with real time. Durations of mechanics (request log timings, rate limits)
keep using real time.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from datetime import time as dtime

from client.formats import parse_date

NOON = dtime(12, 0, tzinfo=UTC)


# A clock further than this from the real date is a typo, not a test (years 2000..2199 cover every period,
# and every date computed from one stays within what `datetime.date` can hold).
EARLIEST, LATEST = date(2000, 1, 1), date(2199, 12, 31)


def read_day(value: object) -> date | None:
    """`YYYY-MM-DD` as a date (client.formats' definition of a date), or None."""
    return parse_date(value) if isinstance(value, str) else None


def out_of_range(day: date) -> str | None:
    """Why a mock `today` cannot be used, or None."""
    if EARLIEST <= day <= LATEST:
        return None
    return f"{day.isoformat()} is outside {EARLIEST.isoformat()}..{LATEST.isoformat()}"


def start_of(day: date) -> float:
    """The epoch seconds at which a clock set to `day` starts: noon UTC of that day."""
    return datetime.combine(day, NOON).timestamp()


class Clock:
    """Real time shifted by an offset; `set_today(None)` returns to the real date. Thread-safe."""

    def __init__(self, today: date | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._today: date | None = None
        self.set_today(today)

    def set_today(self, day: date | None) -> None:
        """Make `day` today (from noon UTC on, running); None: the real date and time again."""
        with self._lock:
            self._today = day
            self._offset = start_of(day) - time.time() if day is not None else 0.0

    @property
    def moved(self) -> bool:
        return self._today is not None

    def now(self) -> float:
        """Epoch seconds on this clock (the mock's "time.time()")."""
        return time.time() + self._offset

    def now_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)

    def today(self) -> date:
        return self.now_datetime().date()

    def to_dict(self) -> dict[str, object]:
        """The clock as `GET /admin/clock` answers it."""
        return {
            "today": self.today().isoformat(),
            "now": self.now_datetime().isoformat(timespec="seconds").replace("+00:00", "Z"),
            "moved": self.moved,
            "startedAt": self._today.isoformat() if self._today is not None else None,
        }
