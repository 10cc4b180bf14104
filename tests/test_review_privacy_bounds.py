"""Found in review: texts that quote outside input come out masked, and the mock's clock is bounded.

Each case puts a BSN (or a nine-digit number) where the outside world controls the text and checks that
what the tools print, log, return or write shows it masked.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import orjson
import pytest
from pydantic import ValidationError

BSN = "123456782"  # passes the 11-check


def test_push_and_withdraw_json_output_mask_problem_texts() -> None:
    from client.delivery.results import DeliveryResult, Outcome, PushResult
    from client.delivery.run import Withdrawal

    delivery = DeliveryResult(
        period="2026H1",
        organisatie="kvk:87654321",
        organisatie_naam="Gemeente",
        uitvraagdeel="SHV",
        filename="SHV_x.json",
        pages=1,
        trajecten=1,
        content_hash="0" * 64,
        state=Outcome.REJECTED,
        problem=f"receiver said: client {BSN} unknown",
    )
    result = PushResult(deliveries=[delivery], problem=f"stopped at {BSN}")
    out = result.to_dict()
    assert BSN not in str(out)
    assert out["problem"].startswith("stopped at ") and out["deliveries"][0]["problem"].endswith("unknown")
    refused = Withdrawal(id="abc", status=409, problem=f"cannot withdraw {BSN}").to_dict()
    assert BSN not in str(refused) and refused["problem"].startswith("cannot withdraw ")


def test_conformance_evidence_and_details_are_masked() -> None:
    from mock_server.conform.checks import Outcome, Status
    from mock_server.conform.session import MAX_SHOWN_BYTES, Exchange

    body = b" " * (MAX_SHOWN_BYTES - 4) + BSN.encode()  # the cut falls inside the BSN
    exchange = Exchange(
        "page 1", b'{"burgerservicenummer": "' + BSN.encode() + b'"}', 200, httpx.Headers(), body, None
    )
    summary = exchange.summary()
    assert BSN not in summary and BSN[:5] not in summary.split("<")[-1]
    assert BSN not in Outcome(Status.FAILED, f"{BSN} is not of type 'string'").detail


def test_organisation_403_masks_the_organisation_taken_from_the_page() -> None:
    from mock_server.tenancy import not_mandated

    error = not_mandated(f"kvk:{BSN}")
    answer = error.response("/v1/aanleveringen")  # masked where the problem is rendered (client.wire.adr)
    assert BSN.encode() not in bytes(answer.body)
    assert orjson.loads(bytes(answer.body))["organisatie"] == "kvk:*****6782"


def test_puller_problem_text_is_masked() -> None:
    from mock_server.puller import _problem_text

    plain = httpx.Response(500, text=f"internal error for {BSN}")
    problem = httpx.Response(400, json={"title": "Bad", "detail": f"client {BSN}"})
    for response in (plain, problem):
        assert BSN not in _problem_text(response)


def test_access_log_fields_and_request_ids_are_masked() -> None:
    from client.wire.observability import _logged, _request_id

    assert _logged(1) == 1 and _logged(int(BSN)) != int(BSN) and BSN not in str(_logged(int(BSN)))
    assert BSN not in str(_logged(f"org {BSN}"))
    scope: dict[str, Any] = {"headers": [(b"x-request-id", BSN.encode())]}
    assert _request_id(scope) != BSN
    scope = {"headers": [(b"x-request-id", b"req-42")]}
    assert _request_id(scope) == "req-42"


@pytest.mark.parametrize("value", ["2027-W26-4", "20270701", "1999-12-31", "9999-12-30", "0001-01-02"])
def test_mock_today_is_a_plain_date_within_range(value: str) -> None:
    from mock_server.serve_cmd import parse_today_option

    with pytest.raises(ValueError, match="--today"):
        parse_today_option(value)


def test_mock_today_setting_is_bounded() -> None:
    from mock_server.settings import MockSettings

    assert MockSettings(db=":memory:", today=date(2027, 7, 1)).today == date(2027, 7, 1)
    with pytest.raises(ValidationError, match="outside"):
        MockSettings(db=":memory:", today=date(9999, 12, 30))
