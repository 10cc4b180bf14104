"""R-LEV-01 on API pages: a levering continued from the previous page keeps its teller."""

from __future__ import annotations

from typing import Any

from client.validation.rules import RuleEngine


def _levering(teller: int) -> dict[str, Any]:
    return {
        "teller": teller,
        "aanleverende_organisatie": {"(Statutaire) Naam": "Kredietbank", "KvK-nummer": "12345678"},
        "schuldhulptrajecten": [],
    }


def _gegevens(*tellers: int) -> dict[str, Any]:
    return {
        "startdatumLevering": "2026-01-01",
        "einddatumLevering": "2026-06-30",
        "aanleverdatumEnTijd": "2026-07-01T00:00:00Z",
        "codeGegevensleverancier": "Acme Schuldhulp 4.2",
        "leveringen": [_levering(t) for t in tellers],
    }


def _teller_findings(document: dict[str, Any], *, envelope: bool) -> list[str]:
    engine = RuleEngine(envelope=envelope)
    return [f.path for f in engine.run(document) if f.code == "R-LEV-01"]


def test_a_second_page_may_open_with_a_continued_teller() -> None:
    page = {
        "gegevens": _gegevens(3, 4),
        "paginering": {"pageSize": 2, "currentPage": 2, "totalPages": 2, "totalRecords": 4},
    }
    assert _teller_findings(page, envelope=True) == []


def test_a_gap_on_a_page_is_still_reported() -> None:
    page = {
        "gegevens": _gegevens(3, 5),
        "paginering": {"pageSize": 2, "currentPage": 2, "totalPages": 2, "totalRecords": 4},
    }
    assert _teller_findings(page, envelope=True) == ["/gegevens/leveringen/1/teller"]


def test_a_file_must_start_at_one() -> None:
    assert _teller_findings(_gegevens(3, 4), envelope=False) == [
        "/leveringen/0/teller",
        "/leveringen/1/teller",
    ]
