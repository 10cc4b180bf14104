"""The protocol's shared vocabulary: the page limit and the receiver's delivery states, for both sides.

Kept free of imports so that the CLI (option bounds), the planner, the rules, the push client, the
provider and the mock receiver can all use the one definition without paying for each other's imports.
"""

from __future__ import annotations

from enum import StrEnum

from client import __version__

#: At most this many trajecten in one API message (PUSH-API.md "Paginering", the official route's
#: `pageSize` bound, rule R-API-PAGE-01). The planner's default page size is this limit.
MAX_PAGE_TRAJECTEN = 25_000


#: `codeGegevensleverancier` when the vendor names none: this software and its version.
DEFAULT_VENDOR_CODE = f"ddas {__version__}"


class DeliveryState(StrEnum):
    """A delivery's state at the receiver (PUSH-API.md §Aanlevering), as the mock stores and answers it.

    `ontvangen` (pages missing) → `in_behandeling` (all pages in, being checked) →
    `technisch_goedgekeurd` | `technisch_afgekeurd`; later `vervangen` (a correction replaced it) or
    `ingetrokken` (withdrawn). A StrEnum: it compares equal to the string on the wire.
    """

    ONTVANGEN = "ontvangen"
    IN_BEHANDELING = "in_behandeling"
    GOEDGEKEURD = "technisch_goedgekeurd"
    AFGEKEURD = "technisch_afgekeurd"
    VERVANGEN = "vervangen"
    INGETROKKEN = "ingetrokken"

    @property
    def current(self) -> bool:
        """The delivery still counts: neither replaced by a correction nor withdrawn."""
        return self not in (DeliveryState.VERVANGEN, DeliveryState.INGETROKKEN)

    @classmethod
    def parse(cls, value: object) -> DeliveryState | None:
        """The state named by `value`, or None for anything the protocol does not define."""
        if not isinstance(value, str):
            return None
        try:
            return cls(value)
        except ValueError:
            return None
