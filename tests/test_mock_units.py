"""Unit tests of the mock's pure parts: settings sources, periods, rate limiter, whole-delivery checks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from client.wire.ratelimit import RateLimiter, retry_after_seconds
from mock_server.periods import period_of_dates, windows
from mock_server.service import uitvraagdeel_from_filename
from mock_server.settings import MockSettings, load_settings
from mock_server.technical_check import PageMeta, organisation_key, traject_key, whole_delivery_findings


def test_env_overrides_file_and_arguments_override_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "mock.toml"
    config.write_text('db = "from-file.sqlite"\ntoken_ttl_seconds = 10\n', encoding="utf-8")
    monkeypatch.setenv("DDAS_MOCK_TOKEN_TTL_SECONDS", "20")
    monkeypatch.setenv("DDAS_MOCK_FAULTS__SEED", "5")
    settings = load_settings(config)
    assert (
        settings.db == "from-file.sqlite" and settings.token_ttl_seconds == 20 and settings.faults.seed == 5
    )
    assert load_settings(config, token_ttl_seconds=30).token_ttl_seconds == 30


def test_idempotency_ttl_at_least_a_day() -> None:
    with pytest.raises(ValueError):
        MockSettings(db=":memory:", idempotency_ttl_seconds=3600)


def test_period_of_dates() -> None:
    assert period_of_dates("2026-01-01", "2026-06-30").code == "2026H1"  # type: ignore[union-attr]
    assert period_of_dates("2025-07-01", "2025-12-31").code == "2025H2"  # type: ignore[union-attr]
    assert period_of_dates("2026-01-01", "2026-12-31") is None
    assert period_of_dates("2026-01-02", "2026-06-30") is None
    assert period_of_dates("kapot", "2026-06-30") is None


def test_configured_windows() -> None:
    settings = MockSettings(db=":memory:", periods=[{"code": "2026-H1", "closes": "2026-09-30"}])  # type: ignore[list-item]
    (window,) = windows(settings, date(2026, 11, 28))
    assert window.opens == date(2026, 1, 1) and window.closes == date(2026, 9, 30)
    assert window.withdrawal_deadline == date(2026, 9, 30)
    assert not window.is_open(date(2026, 10, 1))


def test_rate_limiter() -> None:
    now = [0.0]
    limiter = RateLimiter(2.0, 2, clock=lambda: now[0])
    assert limiter.acquire("a") == 0 and limiter.acquire("a") == 0
    wait = limiter.acquire("a")
    assert wait == pytest.approx(0.5)
    assert limiter.acquire("b") == 0  # per client
    now[0] += 0.5
    assert limiter.acquire("a") == 0
    assert retry_after_seconds(0.2) == "1" and retry_after_seconds(2.1) == "3"
    assert RateLimiter(0, 1).acquire("x") == 0


def test_uitvraagdeel_from_filename() -> None:
    assert uitvraagdeel_from_filename("SHV_2026H1_Org_WIJKZUID.json", "SHV") == "WIJKZUID"
    assert uitvraagdeel_from_filename("SHV_2026H1_Org_WIJKZUID_p001-of-003.json", "SHV") == "WIJKZUID"
    assert uitvraagdeel_from_filename("anders.json", "SHV") == "SHV"
    assert uitvraagdeel_from_filename(None, "ALLES") == "ALLES"


def test_organisation_key() -> None:
    assert organisation_key({"KvK-nummer": "123", "(Statutaire) Naam": "X"}) == ("kvk:123", "X")
    assert organisation_key({"gemeentecode": "GM0363"}) == ("gm:GM0363", "GM0363")
    assert organisation_key({"(Statutaire) Naam": "Y"}) == ("naam:Y", "Y")
    assert organisation_key({}) == (None, "")


def test_traject_key_ignores_order_and_holds_no_bsn() -> None:
    a = {"gemeentecode": "GM1", "startdatum": "2026-01-01", "client": [{"Burgerservicenummer": "111222333"}]}
    b = {"startdatum": "2026-01-01", "client": [{"Burgerservicenummer": "111222333"}], "gemeentecode": "GM1"}
    assert traject_key(a) == traject_key(b) and "111222333" not in traject_key(a)


def _page(number: int, total: int, tellers: list[int | None], keys: list[str], records: int = 4) -> PageMeta:
    return PageMeta(number, total, 2, records, len(keys), tellers, keys)


def test_whole_delivery_checks() -> None:
    good = [_page(1, 2, [1, 2], ["a", "b"]), _page(2, 2, [2, 3], ["c", "d"])]
    assert whole_delivery_findings(good) == []
    restart = [_page(1, 2, [1, 2], ["a", "b"]), _page(2, 2, [1], ["c", "d"])]
    assert [f.code for f in whole_delivery_findings(restart)] == ["MOCK-WHOLE-01"]
    gap = [_page(1, 2, [1], ["a", "b"]), _page(2, 2, [3], ["c", "d"])]
    assert [f.code for f in whole_delivery_findings(gap)] == ["MOCK-WHOLE-01"]
    dup = [_page(1, 2, [1], ["a", "b"]), _page(2, 2, [1], ["b", "d"])]
    assert [f.code for f in whole_delivery_findings(dup)] == ["MOCK-WHOLE-02"]
    total = [_page(1, 2, [1], ["a", "b"], 5), _page(2, 2, [1], ["c", "d"], 5)]
    assert [f.code for f in whole_delivery_findings(total)] == ["MOCK-WHOLE-03"]
    mixed = [_page(1, 2, [1], ["a", "b"], 4), _page(2, 2, [1], ["c", "d"], 5)]
    assert "MOCK-WHOLE-05" in [f.code for f in whole_delivery_findings(mixed)]
