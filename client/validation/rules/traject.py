"""Section F: traject-level fields (R-TRAJ-01..04; R-TRAJ-05 runs with the debts in `schulden`)."""

from __future__ import annotations

import re

from client.validation.rules.context import Ctx, E, I, W

__all__ = ["check_omschrijving", "check_traject_fields"]

_CARRIES_NOTHING = frozenset({"gemeentecode", "client", "omschrijving"})
# free text that looks like personal data: a BSN-like number, an e-mail, a postcode, a date
_PERSONAL = re.compile(
    r"(?<!\d)\d{8,9}(?!\d)|[^@\s]+@[^@\s]+\.\w+|\b[1-9]\d{3}\s?[A-Z]{2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b"
)


def check_traject_fields(c: Ctx) -> None:
    """R-TRAJ-01 (no startdatum), R-TRAJ-02 (start after end), R-TRAJ-03 (empty traject)."""
    t = c.t
    v = t.get("startdatum")
    if v is None or v == "":  # not present (§0)
        fb = c.start_any
        c.add(
            "R-TRAJ-01",
            W,
            "/startdatum",
            "The traject has no startdatum"
            + (
                f"; the earliest phase date {fb} is used instead."
                if fb is not None
                else " and no phase dates."
            ),
            "Fill the traject startdatum: period inclusion and CBS's matching of trajecten depend on it.",
        )
    elif c.start is not None and c.einddatum is not None and c.start > c.einddatum:
        c.add(
            "R-TRAJ-02",
            E,
            "/einddatum",
            f"The traject einddatum {c.einddatum} is before its startdatum {c.start}.",
            "Check both dates: a traject cannot end before it starts.",
        )
    for key in t:
        if key not in _CARRIES_NOTHING:
            return
    c.add(
        "R-TRAJ-03",
        W,
        "",
        "The traject has no dates and no phases: it carries nothing CBS can use.",
        "Add at least the startdatum and the phases recorded, or leave the traject out.",
    )


def _omschrijving(c: Ctx, rel: str, text: object) -> None:
    if type(text) is str and _PERSONAL.search(text):
        c.add(
            "R-TRAJ-04",
            I,
            rel,
            "omschrijving seems to contain personal data (a number, e-mail address, postcode or date).",
            "omschrijving is not used by CBS (FAQ#14): leave it empty or keep personal data out of it.",
        )


def check_omschrijving(c: Ctx) -> None:
    _omschrijving(c, "/omschrijving", c.t.get("omschrijving"))
