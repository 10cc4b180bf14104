"""The helpers others use: dates, traject start/end, elfproef; the catalogue and the profiles."""

from __future__ import annotations

from datetime import date

import pytest

from client.validation.catalogue import RULES, STANDARD_ERRORS, effective_severity
from client.validation.findings import Profile, Severity
from client.validation.rules import dates, elfproef, parse_date, traject_end, traject_start
from client.validation.rules.dates import add_months
from client.validation.rules.meta import looks_like_version_code
from client.validation.rules.period import period_shape


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-29", date(2024, 2, 29)),
        ("2023-02-29", None),
        ("2024-1-5", None),
        ("20240105", None),
        ("2024-01-05T00:00:00", None),
        ("２０２４-01-05", None),
        (20240105, None),
        (None, None),
        (["2024-01-05"], None),
        ("", None),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected
    assert parse_date(value) == expected  # cached path


def test_traject_start_and_end() -> None:
    assert traject_start({"startdatum": "2024-03-01", "intake": {"startdatum": "2024-01-01"}}) == date(
        2024, 3, 1
    )
    t = {
        "intake": {"startdatum": "2024-02-01"},
        "moratoria": [{"datumAanvraag": "2024-01-15"}],
        "aanmelding": {},
    }
    assert traject_start(t) == date(2024, 1, 15)
    assert traject_start({"gemeentecode": "GM0344"}) is None
    assert traject_start("x") is None
    assert traject_end({"einddatum": "2024-05-01", "uitstroom": {"datum": "2024-06-01"}}) == date(2024, 5, 1)
    assert traject_end({"uitstroom": {"datum": "2024-06-01"}}) == date(2024, 6, 1)
    assert traject_end({"uitstroom": {"datumBeeindigingsbeschikking": "2024-07-01"}}) == date(2024, 7, 1)
    assert traject_end({"startdatum": "2024-01-01"}) is None
    assert traject_end({"einddatum": "bad", "uitstroom": []}) is None
    assert dates.traject_start is traject_start


def test_elfproef() -> None:
    assert elfproef("123456782")
    assert not elfproef("123456789")
    assert not elfproef("12345678")
    assert not elfproef("12345678a")
    assert not elfproef(123456782)  # type: ignore[arg-type]
    assert elfproef("000000000")  # passes, caught by R-ID-BSN-03 instead


def test_add_months_stays_in_the_calendar() -> None:
    """A moratorium or oplossing starting in 9999 found a rule failing (hypothesis, robustness test)."""
    assert add_months(date(9999, 9, 1), 6) == date.max
    assert add_months(date(9999, 6, 30), 6) == date(9999, 12, 30)
    assert add_months(date(1, 3, 1), -6) == date.min


def test_add_months_and_period_shape() -> None:
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert period_shape(date(2024, 1, 1), date(2024, 12, 31)) == "year"
    assert period_shape(date(2024, 7, 1), date(2024, 12, 31)) == "half-year"
    assert period_shape(date(2024, 4, 1), date(2024, 6, 30)) == "quarter"
    assert period_shape(date(2024, 2, 1), date(2024, 4, 30)) is None


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("Acme Schuldhulp 4.2.1", True),
        ("Acme-v3", True),
        ("AcmeSoft v2", True),
        ("Acme2.1", True),
        ("GL987654", False),
        ("SL001", False),
        ("", False),
        ("4.2", False),
    ],
)
def test_vendor_code(code: str, ok: bool) -> None:
    assert looks_like_version_code(code) is ok


def test_catalogue_and_profiles() -> None:
    for code, rule in RULES.items():
        assert rule.code == code and rule.title and rule.source
    assert set(RULES) >= STANDARD_ERRORS
    E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741
    assert effective_severity("R-ID-BSN-02", E, Profile.STANDARD) is W
    assert effective_severity("R-ID-BSN-02", E, Profile.STRICT) is E
    assert effective_severity("R-GEM-03", E, Profile.STANDARD) is W
    assert effective_severity("R-API-01", E, Profile.STANDARD) is E
    assert effective_severity("R-KEY-02", E, Profile.STANDARD) is E
    assert effective_severity("R-SCHEMA-01", E, Profile.STANDARD) is E
    assert effective_severity("R-PERIOD-05", I, Profile.STANDARD) is I
    assert effective_severity("R-ENC-02", W, Profile.STRICT) is W
    for code in ("R-PERIOD-06", "R-DUP-01", "R-FILE-01", "R-SCHEMA-01", "R-PRIV-01"):
        assert code in RULES
