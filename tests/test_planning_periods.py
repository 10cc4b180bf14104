"""Periods and lifetimes: the half-year arithmetic and start(T)/end(T) of RULES.md §0."""

from __future__ import annotations

from datetime import date

import pytest

from client.planning.lifetime import lifetime, traject_end, traject_start
from client.planning.periods import Period


def test_parse_and_bounds() -> None:
    h1 = Period.parse("2026H1")
    assert (h1.start, h1.end, h1.code) == (date(2026, 1, 1), date(2026, 6, 30), "2026H1")
    h2 = Period.parse("2026-h2")
    assert (h2.start, h2.end) == (date(2026, 7, 1), date(2026, 12, 31))
    assert h1.next() == h2 and h2.previous() == h1 and h2.next() == Period.parse("2027H1")
    assert str(h1) == "2026H1"


@pytest.mark.parametrize("bad", ["2026", "2026H3", "H1", "26H1", ""])
def test_parse_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(bad)


def test_range_and_spec() -> None:
    codes = [p.code for p in Period.range("2025H1", "2026H2")]
    assert codes == ["2025H1", "2025H2", "2026H1", "2026H2"]
    assert [p.code for p in Period.parse_spec("2026H1,2025H1..2025H2")] == ["2025H1", "2025H2", "2026H1"]
    with pytest.raises(ValueError):
        Period.range("2026H2", "2026H1")


def test_containing_and_last_complete() -> None:
    assert Period.containing(date(2026, 6, 30)).code == "2026H1"
    assert Period.containing(date(2026, 7, 1)).code == "2026H2"
    assert Period.last_complete(date(2026, 7, 1)).code == "2026H1"
    assert Period.last_complete(date(2026, 3, 1)).code == "2025H2"


def test_overlap_is_inclusive() -> None:
    h1, h2 = Period.parse("2026H1"), Period.parse("2026H2")
    assert h1.overlaps(date(2025, 1, 1), date(2026, 1, 1))
    assert not h1.overlaps(date(2025, 1, 1), date(2025, 12, 31))
    assert h1.overlaps(date(2026, 6, 30), None) and h2.overlaps(date(2020, 1, 1), None)
    assert not h2.overlaps(date(2026, 1, 1), date(2026, 6, 30))


def test_start_falls_back_to_earliest_phase_date_not_birth_or_debt_dates() -> None:
    t = {
        "gemeentecode": "GM0344",
        "client": [{"Burgerservicenummer": "123456782", "Geboortedatum": "1970-01-01"}],
        "schulden": [{"peildatum": "2019-01-01"}],
        "aanmelding": {"startdatum": "2026-03-04"},
        "intake": {"startdatum": "2026-02-01", "einddatum": "2026-05-01"},
    }
    assert traject_start(t) == date(2026, 2, 1)
    start, end, inferred = lifetime(t)
    assert (start, end, inferred) == (date(2026, 2, 1), None, True)


def test_end_fallbacks() -> None:
    assert traject_end({"einddatum": "2026-01-02", "uitstroom": {"datum": "2026-03-01"}}) == date(2026, 1, 2)
    assert traject_end({"uitstroom": {"datum": "2026-03-01"}}) == date(2026, 3, 1)
    assert traject_end({"uitstroom": {"datumBeeindigingsbeschikking": "2026-04-01"}}) == date(2026, 4, 1)
    assert traject_end({"einddatum": "2026-02-30"}) is None  # not a real date: counts as absent
    assert traject_start({"gemeentecode": "GM0344", "client": [{"Geboortedatum": "1980-01-01"}]}) is None
