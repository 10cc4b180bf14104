"""Section N: amounts (R-AMT-01..03). `check_amount` is called by the field's owner check."""

from __future__ import annotations

from typing import Any

from client.validation.rules.context import Ctx, E, I, W

__all__ = ["LARGE_AMOUNT", "check_amount", "check_totaal"]

LARGE_AMOUNT = 10_000_000


def check_amount(c: Ctx, rel: str, value: Any, *, debt: bool, large: int | None = LARGE_AMOUNT) -> None:
    """R-AMT-01 (decimal), R-AMT-02 (negative), R-AMT-03 (zero debt, implausibly large)."""
    tp = type(value)
    if tp is int:
        pass
    elif tp is float:
        c.add(
            "R-AMT-01",
            I,
            rel,
            f"Amount {value} is written with a decimal point.",
            "Amounts are whole euros: write an integer without a decimal point.",
        )
    else:
        return  # strings, booleans, null: the schema layer's business
    if value < 0:
        c.add(
            "R-AMT-02",
            E,
            rel,
            f"Amount {value} is negative.",
            "Amounts are never negative: a debt is what the person owes, the vtlb what they may keep.",
        )
    elif debt and value == 0:
        c.add("R-AMT-03", W, rel, "The debt amount is 0.", "Leave out debts without an amount owed.")
    elif large is not None and value > large:
        c.add(
            "R-AMT-03",
            W,
            rel,
            f"Amount {value} is implausibly large (> {large}).",
            "Amounts are whole euros: check for cents or a misplaced digit.",
        )


def check_totaal(c: Ctx) -> None:
    check_amount(
        c, "/totaalSchuldbedragBijAanvangSchuld", c.t.get("totaalSchuldbedragBijAanvangSchuld"), debt=False
    )
