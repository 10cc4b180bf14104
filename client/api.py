"""The vendor-facing entry points for validation and planning (`client.validate`, `client.plan`).

Thin adapters: they turn the friendly arguments (a path, bytes, period codes) into the library's own
calls. The push route's entry points live in `client.delivery.run`; `client/__init__.py` exports both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from client.protocol import DEFAULT_VENDOR_CODE, MAX_PAGE_TRAJECTEN

if TYPE_CHECKING:
    from client.planning import Plan
    from client.planning.sources import Source
    from client.validation import FileReport


def validate(
    source: Source,
    *,
    strict: bool = False,
    name_check: bool | None = None,
    envelope: bool = False,
) -> FileReport:
    """Validate one export (a path, or its bytes) with every layer: bytes, JSON, schema, rules, file name.

    `strict` keeps the rules' own severities (the standard profile caps them at warning);
    `name_check=None` checks the protocol file name only when the name starts with `SHV_` (a path's
    name: bytes have none, so there is nothing to check);
    `envelope=True` reads an API message (`{gegevens, paginering}`). Raises OSError for an unreadable path.
    """
    from client.validation import validate_bytes, validate_path
    from client.validation.findings import Profile

    profile = Profile.STRICT if strict else Profile.STANDARD
    if isinstance(source, bytes):
        return validate_bytes(source, profile=profile, envelope=envelope, check_name=name_check)
    return validate_path(source, profile=profile, envelope=envelope, check_name=name_check)


def plan(
    sources: Source | Sequence[Source],
    *,
    periods: Sequence[str],
    per_gemeente: bool = False,
    page_size: int = MAX_PAGE_TRAJECTEN,
    vendor_code: str = DEFAULT_VENDOR_CODE,
) -> Plan:
    """The deliveries `periods` (codes like "2025H2") need from `sources`, cut into API pages.

    Use the result as a context manager (or call `close()`): it holds the trajecten, BSNs included, in
    a private spill file. Raises `client.planning.SourceError` for an unreadable export, ValueError for a
    bad period or page size.
    """
    from client.planning import Period
    from client.planning import plan as plan_deliveries
    from client.planning.sources import sources_of

    return plan_deliveries(
        sources_of(sources),
        [Period.parse(p) for p in periods],
        vendor_code=vendor_code,
        page_size=page_size,
        per_gemeente=per_gemeente,
    )
