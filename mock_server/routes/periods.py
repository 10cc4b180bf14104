"""`GET /aanleverperiodes`: the half-year periods with their windows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from mock_server import periods as periods_mod
from mock_server.auth import Principal
from mock_server.context import context
from mock_server.routes.security import principal

router = APIRouter(tags=["aanleverperiodes"])


@router.get(
    "/aanleverperiodes",
    summary="The delivery periods and their windows",
    operation_id="listPeriods",
    response_model=None,
    openapi_extra={
        "x-problems": [400, 401, 403, 429],
        "x-responses": {"200": ("Periods", "PeriodList", "application/json")},
    },
)
def list_periods(request: Request, who: Principal = Depends(principal)) -> dict[str, Any]:
    ctx = context(request)
    today = ctx.clock.today()
    items = [w.to_dict(today) for w in periods_mod.windows(ctx.settings, today)]
    return {
        "vandaag": today.isoformat(),
        "aanleverperiodes": items,
        "open": [i["periode"] for i in items if i["open"]],
    }
