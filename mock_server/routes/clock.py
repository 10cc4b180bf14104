"""`/admin/clock`: move the mock's "today" (periods, deadlines, key and token expiry) and back again."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from mock_server.clock import out_of_range, read_day
from mock_server.context import context
from mock_server.problems import fail
from mock_server.routes.admin import admin, json_body

router = APIRouter(prefix="/admin", tags=["admin"])

MAX_CLOCK_BODY_BYTES = 1024  # {"today": "YYYY-MM-DD"} is 21 bytes
CLOCK_HINT = 'send {"today": "YYYY-MM-DD"}, e.g. {"today": "2027-07-01"}'
CLOCK_EXTRA = {
    "x-problems": [401],
    "x-admin": True,
    "x-responses": {"200": ("The mock's clock", "Clock", "application/json")},
}


@router.get(
    "/clock",
    summary="The mock's clock: today, now, and whether it was moved",
    operation_id="adminGetClock",
    response_model=None,
    dependencies=[Depends(admin)],
    openapi_extra=CLOCK_EXTRA,
)
def get_clock(request: Request) -> JSONResponse:
    return JSONResponse(context(request).clock.to_dict())


@router.put(
    "/clock",
    summary='Move today: {"today": "YYYY-MM-DD"} (the clock starts at noon UTC and keeps running)',
    operation_id="adminPutClock",
    response_model=None,
    dependencies=[Depends(admin)],
    openapi_extra={
        **CLOCK_EXTRA,
        "x-problems": [400, 401, 413],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClockRequest"}}},
        },
    },
)
async def put_clock(request: Request) -> JSONResponse:
    ctx = context(request)
    day = parse_today(await json_body(request, MAX_CLOCK_BODY_BYTES, hint=CLOCK_HINT))  # 413 over the limit
    ctx.clock.set_today(day)
    return JSONResponse(ctx.clock.to_dict())


@router.delete(
    "/clock",
    summary="Back to the real date and time",
    operation_id="adminDeleteClock",
    response_model=None,
    dependencies=[Depends(admin)],
    openapi_extra=CLOCK_EXTRA,
)
def delete_clock(request: Request) -> JSONResponse:
    ctx = context(request)
    ctx.clock.set_today(None)
    return JSONResponse(ctx.clock.to_dict())


def parse_today(data: Any) -> date:
    """The `today` of a PUT /admin/clock body (parsed), or a 400 saying what is wrong and how to write it."""
    hint = CLOCK_HINT
    value = data.get("today") if isinstance(data, dict) else None
    extra = sorted(set(data) - {"today"}) if isinstance(data, dict) else []
    if extra:
        raise fail(400, "Invalid input", f"unknown field(s) {', '.join(extra)}; {hint}", slug="invalid-input")
    day = read_day(value)
    if day is None:
        raise fail(400, "Invalid input", f"/today must be a date YYYY-MM-DD; {hint}", slug="invalid-input")
    problem = out_of_range(day)
    if problem is not None:
        raise fail(400, "Invalid input", f"/today {problem}", slug="invalid-input")
    return day
