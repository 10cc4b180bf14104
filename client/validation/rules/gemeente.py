"""Section D: gemeentecode (R-GEM-01..03 per value; R-GEM-04..06 need levering/file state: `crossref`).

Classification of a code string is memoised: a file holds a handful of distinct codes.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from client.validation.rules.context import Ctx, E, Lazy, W, show

__all__ = ["GemCode", "check_code_format", "classify"]

_GM4 = re.compile(r"GM\d{4}")
_D4 = re.compile(r"\d{4}")
_NUMERIC = re.compile(r"(GM|gm|Gm)?(\d{1,6})")
_ONBEKEND_VARIANTS = frozenset(
    {
        "onbekend",
        "unknown",
        "0000",
        "gm0000",
        "onb",
        "nb",
        "n.b.",
        "nvt",
        "n.v.t.",
        "?",
        "-",
        "x",
        "none",
        "null",
    }
)


class GemCode(NamedTuple):
    """kind: empty | onbekend | variant | ok | bad. `norm`: the number for comparisons (GM0363 == 0363)."""

    kind: str
    norm: int | None
    gm: bool  # written with the GM prefix (for the notation-mix rule)


_CACHE: dict[str, GemCode] = {}


def classify(code: str) -> GemCode:
    hit = _CACHE.get(code)
    if hit is not None:
        return hit
    if code.strip() == "":
        result = GemCode("empty", None, False)
    elif code == "Onbekend":
        result = GemCode("onbekend", None, False)
    elif code.strip().lower() in _ONBEKEND_VARIANTS:
        result = GemCode("variant", None, False)
    else:
        m = _NUMERIC.fullmatch(code)
        norm = int(m.group(2)) if m else None
        ok = bool(_GM4.fullmatch(code) or _D4.fullmatch(code))
        result = GemCode("ok" if ok else "bad", norm, bool(m and m.group(1)))
    if len(_CACHE) < 10_000:
        _CACHE[code] = result
    return result


def check_code_format(c: Ctx, rel: str, code: str, info: GemCode, *, traject: bool) -> None:
    """R-GEM-01 (empty), R-GEM-02 (Onbekend and its misspellings), R-GEM-03 (format)."""
    kind = info.kind
    if kind == "ok":
        return
    if kind == "empty":
        if traject:
            c.add(
                "R-GEM-01",
                E,
                rel,
                "The traject gemeentecode is empty.",
                "Fill the code of the gemeente responsible for the traject (not the client's address), "
                "or exactly 'Onbekend' in exceptional cases.",
            )
        return
    if kind == "onbekend":
        if traject:
            c.add(
                "R-GEM-02",
                W,
                rel,
                "The traject gemeentecode is 'Onbekend'.",
                "Onbekend is allowed only in exceptional cases (FAQ#19): record the responsible gemeente.",
            )
        return
    if kind == "variant":
        c.add(
            "R-GEM-02",
            E,
            rel,
            f"Gemeentecode {show(code)} is not a gemeente code; the only accepted placeholder is 'Onbekend'.",
            "Use the responsible gemeente's code, or exactly 'Onbekend' (capital O) when it is truly "
            "unknown.",
        )
        return
    if info.norm is not None and 0 < info.norm < 10_000:
        fixed = f"GM{info.norm:04d}"
        hint = f"Write it as {show(fixed)} (CBS notation GM + 4 digits, or 4 digits with leading zeros)."
    else:
        hint = "Use the CBS gemeentecode: GM + 4 digits (e.g. GM0363) or 4 digits with leading zeros (0363)."
    c.add("R-GEM-03", E, rel, "Gemeentecode {} is not GM + 4 digits or 4 digits.", hint, (Lazy(show, code),))
