"""Delivery planning: half-year periods, grouping per organisation x municipality, pages, file names."""

from client.planning.filenames import make_filename
from client.planning.periods import Period
from client.planning.plan import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_UITVRAAGDEEL,
    Page,
    Plan,
    PlannedDelivery,
    SourceError,
    format_timestamp,
    page_hash,
    plan,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_UITVRAAGDEEL",
    "Page",
    "Period",
    "Plan",
    "PlannedDelivery",
    "SourceError",
    "format_timestamp",
    "make_filename",
    "page_hash",
    "plan",
]
