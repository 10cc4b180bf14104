"""Small hand-written Uitwisselmodel documents that several test modules build on.

Hand-written rather than generated: each key is visible in the test that changes it.
"""

from __future__ import annotations

import copy
from typing import Any

ORGANISATIE: dict[str, Any] = {
    "(Statutaire) Naam": "Gemeente Voorbeeld",
    "gemeentecode": "GM0363",
    "contactpersonen": [{"email": "jan@voorbeeld.nl", "naam": "Jan"}],
}


def one_levering(*trajecten: dict[str, Any]) -> dict[str, Any]:
    """A 2024 document of one levering by Gemeente Voorbeeld holding `trajecten` (deep copies)."""
    return {
        "startdatumLevering": "2024-01-01",
        "einddatumLevering": "2024-12-31",
        "aanleverdatumEnTijd": "2025-01-05T10:00:00Z",
        "codeGegevensleverancier": "Acme Schuldhulp 4.2",
        "leveringen": [
            {
                "teller": 1,
                "aanleverende_organisatie": copy.deepcopy(ORGANISATIE),
                "schuldhulptrajecten": copy.deepcopy(list(trajecten)),
            }
        ],
    }
