"""Compact accumulators for the quality report: counters, bounded amount distributions, client hashes.

Everything here is sized by the number of *distinct* things (municipalities, enum values, amount bins),
never by the number of trajecten, so a 1M-traject delivery fits in a few tens of megabytes.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import accumulate, groupby
from typing import Any

# Enumerations of Uitwisselmodel v1.0 (schema `$defs`): a fixed order keeps tables and legends stable.
BESCHIKKINGSSOORTEN = ("Toelatingsbeschikking", "Afwijzingsbeschikking")
BEGELEIDINGSSOORTEN = (
    "Budgetcoaching",
    "Budgetbeheer",
    "Beschermingsbewind",
    "Lange Termijn Begeleiding (DFD)",
    "Budgetbegeleiding",
)
UITSTROOMREDENEN = (
    "Afgerond",
    "Zelf",
    "Overleden",
    "Verhuisd",
    "Nietverschenen",
    "Ingetrokken",
    "Niet passend",
    "Voldoet niet",
    "Overig",
)
SCHULDENSOORTEN = ("Zorg", "Publiek", "Nuts", "Overig")
OPLOSSINGSSOORTEN = (
    "Betalingsregeling",
    "Herfinanciering",
    "Saneringskrediet",
    "Schuldbemiddeling",
    "0%-aanbod",
)
SCHULDREGELING_UITKOMSTEN = ("toegekend", "afgewezen", "ingetrokken", "dwangakkoord")

# Phases: (key, is_array, main date). Order = the order of HFD Figure 3, then the side records.
PHASES: tuple[tuple[str, bool, str], ...] = (
    ("aanmelding", False, "startdatum"),
    ("informatieEnAdvies", False, "startdatum"),
    ("intake", False, "startdatum"),
    ("planVanAanpak", False, "datumAfronding"),
    ("stabilisatie", False, "startdatum"),
    ("begeleiding", True, "startdatum"),
    ("schuldregeling", False, "datum"),
    ("oplossing", False, "startdatum"),
    ("moratoria", True, "startdatum"),
    ("voorlopigeVoorzieningen", True, "startdatum"),
    ("crisisinterventies", True, "startdatum"),
    ("nazorg", False, "startdatum"),
    ("uitstroom", False, "datum"),
)
PHASE_KEYS = tuple(p[0] for p in PHASES)
FUNNEL = ("aanmelding", "intake", "stabilisatie", "schuldregeling", "oplossing", "nazorg")

TRAJECT_FIELDS = ("startdatum", "einddatum", "toekenningsdatum", "totaalSchuldbedragBijAanvangSchuld")
CLIENT_FIELDS = ("Burgerservicenummer", "Geboortedatum", "Geslachtsaanduiding", "Postcode", "Huisnummer")

AGE_BANDS = ("<18", "18-29", "30-44", "45-64", "65-110", ">110")

UNKNOWN = "(leeg)"  # key for values that are absent, so counts always add up to the number of trajecten


def is_date(value: object) -> bool:
    """Cheap shape test for `YYYY-MM-DD`: such dates compare correctly as strings (no parsing)."""
    return isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-"


def age_band(age: int) -> str:
    if age < 18:
        return "<18"
    if age < 30:
        return "18-29"
    if age < 45:
        return "30-44"
    if age < 65:
        return "45-64"
    if age <= 110:
        return "65-110"
    return ">110"


_LOG_STEP = math.log(1.01)
EXACT_CAP = 4096  # distinct amounts per group kept exactly before folding into the histogram


class AmountDistribution:
    """Count, sum, median and p90 of whole-euro amounts in bounded memory.

    Amounts go into `table` (amount -> count; the hot path is `table[amount] += 1`, done inline by the
    builder). While a group has at most `EXACT_CAP` distinct amounts, everything stays exact. Beyond
    that the table is flushed into a fixed logarithmic histogram with 1%-wide bins, so quantiles are
    within about ±0.5% and memory stays bounded (under ~2,000 bins plus the table) whatever the count.
    """

    __slots__ = ("bins", "count", "maximum", "minimum", "table", "total")

    def __init__(self) -> None:
        self.table: defaultdict[int, int] = defaultdict(int)
        self.bins: defaultdict[int, int] = defaultdict(int)
        self.count = 0  # of the flushed part only
        self.total = 0
        self.minimum: int | None = None
        self.maximum: int | None = None

    @property
    def exact(self) -> bool:
        return not self.bins

    @staticmethod
    def _bin(value: int) -> int:
        return int(math.log(value + 1) / _LOG_STEP) if value > 0 else 0

    @staticmethod
    def _bin_value(index: int) -> float:
        if index == 0:
            return 0.0
        return math.exp((index + 0.5) * _LOG_STEP) - 1

    def add(self, value: object) -> bool:
        """Slow path for anything (floats are rounded; False for non-numbers); ints are added inline."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if isinstance(value, float):
            if not math.isfinite(value):
                return False
            value = round(value)
        self.table[int(value)] += 1
        if len(self.table) > EXACT_CAP:
            self.flush()
        return True

    def flush(self) -> None:
        """Fold the exact table into the histogram (keeping count, sum, min and max exact)."""
        self._fold(self.table)
        self.table = defaultdict(int)

    def _fold(self, table: Mapping[int, int]) -> None:
        if not table:
            return
        bins, log, inv = self.bins, math.log, 1.0 / _LOG_STEP
        for amount, n in table.items():
            bins[int(log(amount + 1) * inv) if amount > 0 else 0] += n
        self.count += sum(table.values())
        self.total += sum(amount * n for amount, n in table.items())
        lo, hi = min(table), max(table)
        self.minimum = lo if self.minimum is None else min(self.minimum, lo)
        self.maximum = hi if self.maximum is None else max(self.maximum, hi)

    def merge(self, other: AmountDistribution) -> None:
        if not self.bins and not other.bins and len(self.table) + len(other.table) <= EXACT_CAP:
            for amount, n in other.table.items():
                self.table[amount] += n
            if len(self.table) > EXACT_CAP:
                self.flush()
            return
        self.flush()
        self._fold(other.table)
        self.count += other.count
        self.total += other.total
        for bound in (other.minimum, other.maximum):
            if bound is not None:
                self.minimum = bound if self.minimum is None else min(self.minimum, bound)
                self.maximum = bound if self.maximum is None else max(self.maximum, bound)
        for index, n in other.bins.items():
            self.bins[index] += n

    def quantiles(self, qs: Sequence[float]) -> list[float | None]:
        """Linear interpolation between closest ranks (as `statistics.median`, numpy's default)."""
        if self.bins and self.table:
            self.flush()
        source = self.bins or self.table
        n = sum(source.values())
        if n == 0:
            return [None for _q in qs]
        value_of = self._bin_value if self.bins else float
        keys = sorted(source)
        cumulative = list(accumulate(source[k] for k in keys))
        out: list[float | None] = []
        for q in qs:
            pos = q * (n - 1)
            lo_rank, hi_rank = math.floor(pos), math.ceil(pos)
            lo_value = value_of(keys[bisect_right(cumulative, lo_rank)])
            hi_value = value_of(keys[bisect_right(cumulative, hi_rank)])
            out.append(lo_value + (hi_value - lo_value) * (pos - lo_rank))
        return out

    def quantile(self, q: float) -> float | None:
        return self.quantiles((q,))[0]

    def to_dict(self) -> dict[str, Any]:
        median, p90 = self.quantiles((0.5, 0.9))
        table = self.table
        count = self.count + sum(table.values())
        total = self.total + sum(a * n for a, n in table.items())
        lows = [x for x in (self.minimum, min(table, default=None)) if x is not None]
        highs = [x for x in (self.maximum, max(table, default=None)) if x is not None]
        return {
            "count": count,
            "sum": total,
            "median": None if median is None else math.floor(median + 0.5),
            "p90": None if p90 is None else math.floor(p90 + 0.5),
            "min": min(lows) if lows else None,
            "max": max(highs) if highs else None,
            "exact": self.exact,
        }


def distinct_count(values: array[int]) -> int:
    """Number of distinct values; sorting keeps the peak at ~40 bytes per value, briefly."""
    if len(values) < 50_000:
        return len(set(values))
    return sum(1 for _key in groupby(sorted(values)))


class GemeenteStats:
    """Everything the report needs about one municipality, accumulated traject by traject."""

    __slots__ = (
        "amounts_soort",
        "amounts_totaal",
        "c",
        "clients",
        "cmask",
        "organisations",
        "pmask",
        "tmask",
    )

    def __init__(self) -> None:
        self.c: defaultdict[str, int] = defaultdict(int)
        self.tmask: defaultdict[int, int] = defaultdict(int)  # traject facts (bits: see builder.T_*)
        self.pmask: defaultdict[int, int] = defaultdict(int)  # phases present / main date present
        self.cmask: defaultdict[int, int] = defaultdict(int)  # client fields present (builder.C_*)
        # one 64-bit salted hash per client record (8 bytes each; a set would cost ~100 bytes per client);
        # duplicates are removed only when counting, by sorting (`distinct_count`)
        self.clients: array[int] = array("q")
        self.organisations: set[str] = set()
        self.amounts_totaal = AmountDistribution()
        self.amounts_soort: dict[str, AmountDistribution] = {}

    def merge(self, other: GemeenteStats) -> None:
        for mine, theirs in ((self.c, other.c), (self.tmask, other.tmask), (self.pmask, other.pmask)):
            for key, n in theirs.items():
                mine[key] += n  # type: ignore[index]
        for mask, n in other.cmask.items():
            self.cmask[mask] += n
        self.clients.extend(other.clients)
        self.organisations |= other.organisations
        self.amounts_totaal.merge(other.amounts_totaal)
        for soort, dist in other.amounts_soort.items():
            self.amounts_soort.setdefault(soort, AmountDistribution()).merge(dist)
