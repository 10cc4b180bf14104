"""Half-year reporting periods (from 2026 DDAS is delivered per half year: H1 = Jan-Jun, H2 = Jul-Dec)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_CODE = re.compile(r"^\s*(\d{4})\s*-?\s*[Hh]\s*([12])\s*$")


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """One half year. Ordered by start date, so sorting periods sorts them in time."""

    start: date
    end: date
    code: str

    @classmethod
    def of(cls, year: int, half: int) -> Period:
        if half not in (1, 2):
            raise ValueError(f"half must be 1 or 2, not {half}")
        if half == 1:
            return cls(date(year, 1, 1), date(year, 6, 30), f"{year}H1")
        return cls(date(year, 7, 1), date(year, 12, 31), f"{year}H2")

    @classmethod
    def parse(cls, text: str) -> Period:
        """`2026H1`, `2026-H2` or `2026h1` -> Period. Raises ValueError with a hint otherwise."""
        m = _CODE.match(text)
        if not m:
            raise ValueError(f"not a half-year period: {text!r} (expected e.g. 2026H1 or 2026H2)")
        return cls.of(int(m.group(1)), int(m.group(2)))

    @classmethod
    def range(cls, first: str | Period, last: str | Period) -> list[Period]:
        """Every period from `first` to `last`, both included (`Period.range("2025H1", "2026H2")`)."""
        a = first if isinstance(first, Period) else cls.parse(first)
        b = last if isinstance(last, Period) else cls.parse(last)
        if b < a:
            raise ValueError(f"period range runs backwards: {a.code}..{b.code}")
        out = [a]
        while out[-1] != b:
            out.append(out[-1].next())
        return out

    @classmethod
    def parse_spec(cls, text: str) -> list[Period]:
        """`2026H1`, `2025H1..2026H2` or a comma list of either."""
        out: list[Period] = []
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            if ".." in part:
                a, _, b = part.partition("..")
                out.extend(cls.range(a, b))
            else:
                out.append(cls.parse(part))
        if not out:
            raise ValueError(f"no period in {text!r} (expected e.g. 2026H1 or 2025H1..2026H2)")
        return sorted(set(out))

    @classmethod
    def span(cls, start: date, end: date) -> Period:
        """Any date range as a period: the half year itself when it is exactly one, otherwise a range
        coded `YYYYMMDD-YYYYMMDD` (the official route may ask e.g. a calendar year; planning works on
        `start` and `end` alone). Raises ValueError when `end` is before `start`."""
        if end < start:
            raise ValueError(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
        half = cls.containing(start)
        if (half.start, half.end) == (start, end):
            return half
        return cls(start, end, f"{start:%Y%m%d}-{end:%Y%m%d}")

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls.of(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def last_complete(cls, today: date) -> Period:
        """The latest period that has fully ended before `today` (the default of the official route)."""
        return cls.containing(today).previous()

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def half(self) -> int:
        return 1 if self.start.month == 1 else 2

    def next(self) -> Period:
        return Period.of(self.year, 2) if self.half == 1 else Period.of(self.year + 1, 1)

    def previous(self) -> Period:
        return Period.of(self.year - 1, 2) if self.half == 1 else Period.of(self.year, 1)

    def overlaps(self, start: date, end: date | None) -> bool:
        """Inclusive overlap of [start, end] (end None = open) with this period (RULES.md §0)."""
        return start <= self.end and (end is None or end >= self.start)

    def __str__(self) -> str:
        return self.code
