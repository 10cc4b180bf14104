"""Units of the provider: the strict request, paginering splicing, the page cache and its integrity check."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pytest

from client.devtools.generate import write_export
from client.planning import Period
from client.provider.cache import DataUnavailable, IntegrityError, PageCache
from client.provider.pages import with_paginering
from client.provider.request import FIELDS, RequestInvalid, parse_request

TODAY = date(2026, 11, 28)
STAMP = datetime(2026, 7, 1, tzinfo=UTC)


def _parse(body: object) -> object:
    return parse_request(orjson.dumps(body), today=TODAY, default_page_size=25_000)


def test_defaults_are_the_last_complete_half_year_all_organisations_page_1() -> None:
    query = parse_request(b"{}", today=TODAY, default_page_size=25_000)
    assert (query.period, query.organisation, query.page, query.page_size) == (
        Period.parse("2026H1"),
        None,
        1,
        25_000,
    )
    assert not (query.period_given or query.page_given or query.page_size_given)


def test_unknown_fields_are_named_with_the_accepted_ones() -> None:
    with pytest.raises(RequestInvalid) as caught:
        _parse({"startdatum": "2026-01-01", "einddatum": "2026-06-30", "pageSize": 10})
    assert caught.value.unknown == ["startdatum", "einddatum"]
    details = [v.detail for v in caught.value.violations]
    assert "aanleverperiodeStartdatum" in details[0] and "aanleverperiodeEinddatum" in details[1]
    assert FIELDS == (
        "aanleverperiodeStartdatum",
        "aanleverperiodeEinddatum",
        "aanleverende_organisatie",
        "page",
        "pageSize",
    )


@pytest.mark.parametrize(
    "body",
    [b"", b"[]", b"{", b'{"page": true}', b'{"pageSize": 0}', b'{"pageSize": 25001}', b'{"page": null}'],
)
def test_invalid_bodies(body: bytes) -> None:
    with pytest.raises(RequestInvalid):
        parse_request(body, today=TODAY, default_page_size=25_000)


def test_every_violation_is_listed_at_once() -> None:
    with pytest.raises(RequestInvalid) as caught:
        _parse({"x": 1, "page": 0, "pageSize": 30000, "aanleverperiodeStartdatum": "1-1-2026"})
    locations = {v.location for v in caught.value.violations}
    assert {
        "#/x",
        "#/page",
        "#/pageSize",
        "#/aanleverperiodeStartdatum",
        "#/aanleverperiodeEinddatum",
    } <= locations


def test_any_range_is_a_period_up_to_three_years() -> None:
    query = _parse({"aanleverperiodeStartdatum": "2025-07-01", "aanleverperiodeEinddatum": "2025-12-31"})
    assert query.period == Period.parse("2025H2")  # type: ignore[attr-defined]
    quarter = _parse({"aanleverperiodeStartdatum": "2026-04-01", "aanleverperiodeEinddatum": "2026-06-30"})
    assert (quarter.period.start, quarter.period.end) == (date(2026, 4, 1), date(2026, 6, 30))
    assert quarter.period.code == "20260401-20260630"
    year = _parse({"aanleverperiodeStartdatum": "2025-01-01", "aanleverperiodeEinddatum": "2025-12-31"})
    assert year.period.code == "20250101-20251231" and year.period_given
    three = _parse({"aanleverperiodeStartdatum": "2024-01-01", "aanleverperiodeEinddatum": "2026-12-31"})
    assert three.period.end == date(2026, 12, 31)
    with pytest.raises(RequestInvalid) as caught:
        _parse({"aanleverperiodeStartdatum": "2024-01-01", "aanleverperiodeEinddatum": "2027-01-01"})
    assert [v.code for v in caught.value.violations] == ["maximum"]


def test_with_paginering_adds_or_replaces_the_last_member() -> None:
    pag = {"pageSize": 1, "currentPage": 1, "totalPages": 1, "totalRecords": 0}
    plain = b'{"gegevens":{"a":{"paginering":{"x":1}}}}'
    added = with_paginering(plain, False, pag)
    assert orjson.loads(added) == {"gegevens": {"a": {"paginering": {"x": 1}}}, "paginering": pag}
    replaced = with_paginering(added, True, {**pag, "currentPage": 2})
    assert orjson.loads(replaced)["paginering"]["currentPage"] == 2
    assert replaced.startswith(plain[:-1])


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    write_export(
        folder / "a.json", trajecten=6, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=4
    )
    return folder


def test_cache_reuses_plans_replans_on_change_not_on_touch(data: Path) -> None:
    clock = [0.0]
    cache = PageCache([data], vendor_code="v", max_age=100.0, aanleverdatum=STAMP, clock=lambda: clock[0])
    try:
        _, first = cache.entry(Period.parse("2026H1"), 25_000)
        _, again = cache.entry(Period.parse("2026H1"), 25_000)
        assert first is again and cache.plans_built == 1
        target = data / "a.json"
        stat = target.stat()
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))  # touched, same bytes
        _, touched = cache.entry(Period.parse("2026H1"), 25_000)
        assert touched is first and cache.refreshes == 0
        clock[0] = 101.0  # older than max_age: planned again
        _, aged = cache.entry(Period.parse("2026H1"), 25_000)
        assert aged is not first and cache.plans_built == 2
        target.write_bytes(target.read_bytes().replace(b'"leveringen"', b' "leveringen"', 1))
        _, changed = cache.entry(Period.parse("2026H1"), 25_000)
        assert cache.refreshes == 1 and cache.plans_built == 3 and changed is not aged
    finally:
        cache.close()


def test_integrity_check_drops_a_corrupted_entry(data: Path) -> None:
    cache = PageCache([data], vendor_code="v", aanleverdatum=STAMP)
    try:
        _, entry = cache.entry(Period.parse("2026H1"), 2)
        delivery = entry.plan.deliveries[0]
        page = delivery.pages[0]
        good = cache.build(entry, delivery, page)
        store = entry.plan._store
        store._buf[10:11] = b"X" if store._buf[10:11] != b"X" else b"Y"
        with pytest.raises(IntegrityError):
            cache.build(entry, delivery, page)
        _, fresh = cache.entry(Period.parse("2026H1"), 2)
        assert fresh is not entry
        assert cache.build(fresh, fresh.plan.deliveries[0], fresh.plan.deliveries[0].pages[0]) == good
    finally:
        cache.close()


def test_missing_data_is_unavailable(tmp_path: Path) -> None:
    cache = PageCache([tmp_path / "absent"], vendor_code="v")
    with pytest.raises(DataUnavailable):
        cache.version()


def test_serve_refuses_unusable_configurations(tmp_path: Path, data: Path) -> None:
    from click.testing import CliRunner

    from client.cli import app

    runner = CliRunner()
    missing = runner.invoke(app, ["serve", "--data", str(tmp_path / "absent.json")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    unsigned = runner.invoke(app, ["serve", "--data", str(data)])
    assert unsigned.exit_code == 2 and "--dev" in unsigned.output
    nothing = runner.invoke(app, ["serve"])
    assert nothing.exit_code == 2 and "--data" in nothing.output


def test_concurrent_requests_plan_a_key_once_and_dropped_plans_are_not_served(data: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    cache = PageCache([data], vendor_code="v", aanleverdatum=STAMP)
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            entries = list(pool.map(lambda _: cache.entry(Period.parse("2026H1"), 3)[1], range(6)))
        assert cache.plans_built == 1 and all(e is entries[0] for e in entries)
        held = entries[0]
        cache.close()  # e.g. the data changed while a request held the entry
        with pytest.raises(IntegrityError):
            cache.build(held, held.plan.deliveries[0], held.plan.deliveries[0].pages[0])
    finally:
        cache.close()
