"""Section E: clients and identity (R-CLIENT-*, R-ID-*), plus `elfproef`.

Cross-traject overlap (R-CLIENT-OVL-01/02) needs file state and lives in `crossref`; this module
checks one traject's `client[]` and leaves the parsed birth dates on the context for R-BEG-02.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from client.privacy import mask_bsn
from client.validation.rules.context import Ctx, E, Lazy, W, obj, pstr, show
from client.validation.rules.dates import cached_date, parse_date

__all__ = ["GESLACHT", "bsn_check_digit", "check_clients", "elfproef", "is_bsn_format"]

GESLACHT = frozenset({"Man", "Vrouw", "Onbekend", "Leeg"})
_GESLACHT_HINTS = {
    "m": "Man",
    "man": "Man",
    "male": "Man",
    "v": "Vrouw",
    "vrouw": "Vrouw",
    "f": "Vrouw",
    "female": "Vrouw",
    "o": "Onbekend",
    "u": "Onbekend",
    "x": "Onbekend",
    "onbekend": "Onbekend",
    "unknown": "Onbekend",
    "leeg": "Leeg",
}
_POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")
_POSTCODE_LOOSE = re.compile(r"\s*([1-9][0-9]{3})\s*([A-Za-z]{2})\s*")
_PARTLY_UNKNOWN = re.compile(r"\d{4}-\d{2}-\d{2}")
_HUISNUMMER_LETTERS = re.compile(r"\s*[0-9]+\s*[-/]?\s*[A-Za-z0-9]+")
_BAD_LETTERS = frozenset({"SA", "SD", "SS"})


def is_bsn_format(bsn: str) -> bool:
    """Exactly nine ASCII digits (R-ID-BSN-01)."""
    return len(bsn) == 9 and bsn.isascii() and bsn.isdigit()


BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)  # the 11-check's weights per digit


def bsn_check_digit(prefix: str) -> int | None:
    """The ninth digit that makes `prefix` (eight digits) pass the 11-check; None when no digit can."""
    digit = sum(int(d) * w for d, w in zip(prefix, BSN_WEIGHTS[:8], strict=True)) % 11
    return None if digit == 10 else digit


def elfproef(bsn: object) -> bool:
    """The BSN 11-check: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 ≡ 0 (mod 11). False for anything not 9 digits."""
    if type(bsn) is not str or not is_bsn_format(bsn):
        return False
    b = bsn.encode("ascii")
    total = (
        9 * b[0] + 8 * b[1] + 7 * b[2] + 6 * b[3] + 5 * b[4] + 4 * b[5] + 3 * b[6] + 2 * b[7] - b[8]
    ) - 43 * 48  # BSN_WEIGHTS inlined (hot path); they sum to 43: remove the ASCII offset of '0' at once
    return total % 11 == 0


# The 11-check by lookup: weighted digit sums of each three-digit group (a group that is not three
# ASCII digits is not a key, so the lookup also checks the format). ~3x faster than digit arithmetic.
_ELF_1 = {f"{n:03d}": 9 * (n // 100) + 8 * (n // 10 % 10) + 7 * (n % 10) for n in range(1000)}
_ELF_2 = {f"{n:03d}": 6 * (n // 100) + 5 * (n // 10 % 10) + 4 * (n % 10) for n in range(1000)}
_ELF_3 = {f"{n:03d}": 3 * (n // 100) + 2 * (n // 10 % 10) - (n % 10) for n in range(1000)}


def _bsn_clean(bsn: str) -> bool:
    """True when R-ID-BSN-01/02/03 cannot fire: nine ASCII digits passing the 11-check, not a placeholder.

    A repeated digit d passes the 11-check only for d = 0 (the weights sum to 43 = 10 mod 11).
    """
    a = _ELF_1.get(bsn[:3])
    b = _ELF_2.get(bsn[3:6])
    d = _ELF_3.get(bsn[6:])
    return a is not None and b is not None and d is not None and (a + b + d) % 11 == 0 and bsn != "000000000"


def _born_by(on: date, years: int) -> date | None:
    """The latest birth date that makes someone `years` old on `on` (None: nobody born since year 1 is).

    age(born, on) >= years  <=>  (born.year, born.month, born.day) <= (on.year - years, on.month, on.day);
    a 29 February that does not exist in that year is the 28th (no date lies between the two).
    """
    year = on.year - years
    if year < 1:
        return None
    try:
        return on.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


_ADULT_CACHE: dict[date, tuple[date, date]] = {}


def adult_bounds(start: date) -> tuple[date, date]:
    """(lo, hi): a birth date in (lo, hi] means an age of 18..110 at `start` (R-CLIENT-GEB-02 quiet).

    Memoised per start date (a few thousand in a file), so the per-client check is two comparisons.
    An empty range (lo >= hi) when no birth date qualifies.
    """
    hit = _ADULT_CACHE.get(start)
    if hit is not None:
        return hit
    hi = _born_by(start, 18)
    lo = _born_by(start, 111)
    bounds = (date.max, date.min) if hi is None else (date.min if lo is None else lo, hi)
    if len(_ADULT_CACHE) >= 100_000:
        _ADULT_CACHE.clear()
    _ADULT_CACHE[start] = bounds
    return bounds


# String tests instead of a regex for the common well-formed address fields (several times faster): a
# postcode [1-9][0-9]{3}[A-Z]{2} whose letters are not SA/SD/SS, a house number 1-9999 in plain ASCII
# digits (anything else takes the exact path). No tables: building sets of 19,000 strings cost ~9 ms of
# every process's start-up.
_PC_LETTERS = frozenset(a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_PC_LETTERS_OK = _PC_LETTERS - {"SA", "SD", "SS"}


def _plain_number(text: str, max_len: int) -> bool:
    """1 to `max_len` ASCII digits without a leading zero (isdigit alone would take '²' or Arabic digits)."""
    return 0 < len(text) <= max_len and text.isascii() and text.isdigit() and text[0] != "0"


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _check_bsn(c: Ctx, rel: str, bsn: str) -> None:
    if not is_bsn_format(bsn):
        digits = "".join(ch for ch in bsn if ch.isdigit())
        if len(digits) == 8 and len(bsn) == 8:
            hint = "Left-pad an 8-digit legacy number with a leading 0 to 9 digits."
        elif len(digits) == 9:
            hint = "Remove spaces, dots and other separators: a BSN is exactly 9 digits."
        else:
            hint = "A BSN is exactly 9 digits (DET: AN9); leave the field out when the BSN is unknown."
        c.add(
            "R-ID-BSN-01",
            E,
            rel,
            f"BSN {mask_bsn(bsn)} is not exactly 9 digits ({len(bsn)} characters).",
            hint,
        )
        return
    if bsn.count(bsn[0]) == 9:
        c.add(
            "R-ID-BSN-03",
            E,
            rel,
            f"BSN {mask_bsn(bsn)} is a placeholder (one digit repeated), not an issued number.",
            "Leave Burgerservicenummer out when it is unknown and fill Geboortedatum, Geslachtsaanduiding, "
            "Postcode and Huisnummer instead.",
        )
        return
    if not elfproef(bsn):
        c.add(
            "R-ID-BSN-02",
            E,
            rel,
            "BSN {} fails the 11-check, so it cannot be an issued BSN and CBS cannot link it.",
            "Check the number against the source registration (BRP); test data should use BSNs that pass "
            "the 11-check.",
            (Lazy(mask_bsn, bsn),),
        )


def _check_one(c: Ctx, k: int, cl: dict[str, Any], start: date | None) -> None:
    rel = f"/client/{k}"
    bsn_raw = cl.get("Burgerservicenummer")
    if type(bsn_raw) is str and bsn_raw != "":
        if not (len(bsn_raw) == 9 and bsn_raw.isdigit() and bsn_raw.isascii() and elfproef(bsn_raw)) or (
            bsn_raw.count(bsn_raw[0]) == 9
        ):
            _check_bsn(c, rel + "/Burgerservicenummer", bsn_raw)
        has_bsn = True
    else:
        has_bsn = False

    gesl = cl.get("Geslachtsaanduiding")
    if type(gesl) is str and gesl not in GESLACHT and gesl != "":
        target = _GESLACHT_HINTS.get(gesl.strip().lower())
        hint = (
            f"Use {show(target)} (exact spelling, case-sensitive)."
            if target
            else "Use exactly one of Man, Vrouw, Onbekend, Leeg (FAQ#16)."
        )
        c.add(
            "R-CLIENT-GESL-01",
            E,
            rel + "/Geslachtsaanduiding",
            f"Geslachtsaanduiding {show(gesl)} is not one of Man, Vrouw, Onbekend, Leeg.",
            hint,
        )

    geb_raw = cl.get("Geboortedatum")
    if type(geb_raw) is str and geb_raw != "":
        geb = cached_date(geb_raw) or parse_date(geb_raw)  # parse_date's memo inlined (hot path, per client)
        if geb is None:
            _bad_birth_date(c, rel + "/Geboortedatum", geb_raw)
        else:
            c.geb.append(geb)
            if start is not None:
                # age at start(T), the common case first: an adult under 111
                age = start.year - geb.year - ((start.month, start.day) < (geb.month, geb.day))
                if not (18 <= age <= 110):
                    _birth_date_plausibility(c, rel + "/Geboortedatum", geb, start, age)
            elif c.aanl is not None and geb > c.aanl:
                _birth_date_plausibility(c, rel + "/Geboortedatum", geb, None, 0)
    else:
        geb_raw = None

    if not has_bsn and (bsn_raw is None or bsn_raw == ""):
        # no BSN: the fallback identity must be complete (R-ID-01)
        gesl_ok = type(gesl) is str and gesl not in ("", "Leeg")
        fallback = {
            "Geboortedatum": geb_raw is not None,
            "Geslachtsaanduiding": gesl_ok,
            "Postcode": pstr(cl.get("Postcode")) is not None,
            "Huisnummer": pstr(cl.get("Huisnummer")) is not None,
        }
        missing = [name for name, ok in fallback.items() if not ok]
        if len(missing) == 4:
            c.add(
                "R-ID-01",
                E,
                rel,
                "The client has no Burgerservicenummer and none of the fallback fields.",
                "Fill the BSN, or else Geboortedatum, Geslachtsaanduiding, Postcode and Huisnummer "
                "(+ Huisnummertoevoeging).",
            )
        elif missing:
            c.add(
                "R-ID-01",
                W,
                rel,
                "The client has no Burgerservicenummer and an incomplete fallback identity: missing "
                + ", ".join(missing)
                + ".",
                "Without a BSN, CBS needs Geboortedatum, Geslachtsaanduiding, Postcode and Huisnummer.",
            )

    pc = cl.get("Postcode")
    if type(pc) is str and pc != "" and (_POSTCODE.fullmatch(pc) is None or pc[4:] in _BAD_LETTERS):
        _check_postcode(c, rel + "/Postcode", pc)

    hn = cl.get("Huisnummer")
    if type(hn) is str and hn != "" and not (hn.isdigit() and hn.isascii() and 1 <= int(hn) <= 99999):
        hint = (
            "Move letters and suffixes into Huisnummertoevoeging; Huisnummer holds digits only (1-99999)."
            if _HUISNUMMER_LETTERS.fullmatch(hn)
            else "Huisnummer is a number from 1 to 99999 (DET: AN5)."
        )
        c.add(
            "R-CLIENT-ADR-02", W, rel + "/Huisnummer", f"Huisnummer {show(hn)} is not a number 1-99999.", hint
        )
    tv = cl.get("Huisnummertoevoeging")
    if type(tv) is str and len(tv) > 4:
        c.add(
            "R-CLIENT-ADR-02",
            W,
            rel + "/Huisnummertoevoeging",
            f"Huisnummertoevoeging {show(tv)} is longer than 4 characters.",
            "A toevoeging has at most 4 characters (DET: AN4).",
        )


def _bad_birth_date(c: Ctx, rel: str, raw: str) -> None:
    if _PARTLY_UNKNOWN.fullmatch(raw) and (raw[5:7] == "00" or raw[8:] == "00"):
        c.add(
            "R-CLIENT-GEB-01",
            W,
            rel,
            f"Geboortedatum {show(raw)} is a partly unknown (BRP-style) date.",
            "CBS expects a full YYYY-MM-DD date; send the known date or leave the field out.",
        )
    else:
        c.add(
            "R-CLIENT-GEB-01",
            E,
            rel,
            f"Geboortedatum {show(raw)} is not a valid YYYY-MM-DD date.",
            "Write the birth date as YYYY-MM-DD, e.g. 1980-05-01.",
        )


def _birth_date_plausibility(c: Ctx, rel: str, geb: date, start: date | None, age: int) -> None:
    """R-CLIENT-GEB-02 (a: after the start, b: age) and R-PERIOD-04 (after the delivery date)."""
    if start is not None and geb > start:
        c.add(
            "R-CLIENT-GEB-02",
            E,
            rel,
            f"Geboortedatum {geb} is after the traject start {start}.",
            "Check the birth date and the traject startdatum.",
        )
    elif c.aanl is not None and geb > c.aanl:
        c.add(
            "R-PERIOD-04",
            E,
            rel,
            f"Geboortedatum {geb} is after the delivery timestamp date {c.aanl}.",
            "A birth date cannot lie in the future; check the source registration.",
        )
    elif start is not None:
        c.add(
            "R-CLIENT-GEB-02",
            W,
            rel,
            "The client is {} years old at the traject start {} (born {}).",
            "Debt assistance is for adults; check the birth date.",
            (age, start, geb),
        )


def _check_postcode(c: Ctx, rel: str, pc: str) -> None:
    if _POSTCODE.fullmatch(pc):
        if pc[4:] in _BAD_LETTERS:
            c.add(
                "R-CLIENT-ADR-01",
                W,
                rel,
                f"Postcode {show(pc)} uses the letter pair {pc[4:]}, which is never issued.",
                "Check the postcode against the BAG.",
            )
        return
    loose = _POSTCODE_LOOSE.fullmatch(pc)
    if loose:
        hint = f"Write it as {show(loose.group(1) + loose.group(2).upper())}: 4 digits, 2 capitals, no space."
    else:
        hint = "A Dutch postcode is 4 digits (not starting with 0) and 2 capital letters, e.g. 1234AB."
    c.add("R-CLIENT-ADR-01", W, rel, f"Postcode {show(pc)} is not in the form 1234AB.", hint)


def check_clients(c: Ctx) -> None:
    """R-CLIENT-01/02, R-ID-*, R-CLIENT-GESL-01, R-CLIENT-GEB-*, R-CLIENT-ADR-*."""
    clients = c.t.get("client")
    if clients is None:
        c.add(
            "R-CLIENT-01",
            E,
            "/client",
            "The traject has no client array.",
            "Every traject is carried out for 1 or 2 clients: add client[] with their identity.",
        )
        return
    if type(clients) is not list:
        return
    n = len(clients)
    if n == 0 or n > 2:
        c.add(
            "R-CLIENT-01",
            E,
            "/client",
            f"The traject has {n} clients; it must have 1 or 2.",
            "Put partners who share a traject in one traject (max. 2 clients); split other people.",
        )
    start = c.start_any
    geb_list = c.geb
    lo, hi = adult_bounds(start) if start is not None else (date.max, date.min)
    for k, cl in enumerate(clients):
        if type(cl) is not dict:
            continue
        # Fast path: a complete, well-formed client triggers nothing here (the common case); only the
        # birth date is kept for R-BEG-02. Anything else goes through `_check_one`, which decides.
        bsn = cl.get("Burgerservicenummer")
        geb_raw = cl.get("Geboortedatum")
        if type(bsn) is str and len(bsn) == 9 and type(geb_raw) is str and _bsn_clean(bsn):
            geb = cached_date(geb_raw) or parse_date(geb_raw)
            if geb is not None and lo < geb <= hi:
                gesl = cl.get("Geslachtsaanduiding")
                pc = cl.get("Postcode")
                hn = cl.get("Huisnummer")
                tv = cl.get("Huisnummertoevoeging")
                if (
                    (type(gesl) is not str or gesl in GESLACHT or gesl == "")
                    and (
                        type(pc) is not str
                        or pc == ""
                        or (len(pc) == 6 and _plain_number(pc[:4], 4) and pc[4:] in _PC_LETTERS_OK)
                    )
                    and (type(hn) is not str or hn == "" or _plain_number(hn, 4))
                    and (type(tv) is not str or len(tv) <= 4)
                ):
                    geb_list.append(geb)
                    continue
        _check_one(c, k, cl, start)
    if n == 2:
        a, b = obj(clients[0]), obj(clients[1])
        if a is not None and b is not None:
            ba, bb = pstr(a.get("Burgerservicenummer")), pstr(b.get("Burgerservicenummer"))
            if ba is not None and ba == bb:
                c.add(
                    "R-CLIENT-02",
                    E,
                    "/client/1/Burgerservicenummer",
                    f"Both clients of the traject have BSN {mask_bsn(ba)}.",
                    "Two clients in one traject are two different persons; remove the duplicate.",
                )
            elif ba is None and bb is None:
                keys = (
                    "Geboortedatum",
                    "Geslachtsaanduiding",
                    "Postcode",
                    "Huisnummer",
                    "Huisnummertoevoeging",
                )
                ia = tuple(a.get(key) for key in keys)
                if any(present_ for present_ in ia) and ia == tuple(b.get(key) for key in keys):
                    c.add(
                        "R-CLIENT-02",
                        E,
                        "/client/1",
                        "Both clients of the traject have the same fallback identity (birth date, "
                        "sex, address).",
                        "Two clients in one traject are two different persons; remove the duplicate.",
                    )
