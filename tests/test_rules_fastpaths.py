"""The engine's fast paths (for the common clean record) decide exactly as the exact checks they skip.

Each fast path only answers "nothing to report"; these properties compare it with the exact check on
random input, so that a speed-up can never hide a finding.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from client.validation.findings import Finding, Severity
from client.validation.rules.clients import (
    _PC_LETTERS_OK,
    _bsn_clean,
    _check_one,
    _plain_number,
    adult_bounds,
    check_clients,
    elfproef,
)
from client.validation.rules.context import Ctx
from client.validation.rules.phases import PHASES, _one, phase_handler
from client.validation.rules.schulden import _creditor, _creditor_clean, _creditor_ok
from tests.test_rules_fixtures import clean_traject, copy_doc, run, traject0


def _ctx() -> Ctx:
    c = Ctx(lambda code, listed: listed)
    c.base = ""
    return c


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


_DATES = st.sampled_from(
    [
        *("2024-02-29", "2023-02-28", "2024-01-01", "2006-03-14", "2005-03-15", "1913-03-14", "1914-03-15"),
        *("2024-02-30", "20240101", "", "2024-1-01", "0001-01-01", "9999-12-31", "2025-07-01"),
    ]
) | st.dates(date(1890, 1, 1), date(2030, 12, 31)).map(date.isoformat)
_VALUE = st.none() | st.integers(-3, 3) | st.booleans() | st.text(max_size=6) | _DATES


def _some(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return strategy | _VALUE


_CLIENT_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "Burgerservicenummer": _some(
        st.sampled_from(["123456782", "111222333", "123456789", "000000000", "12345678"])
    ),
    "Geboortedatum": _some(_DATES),
    "Geslachtsaanduiding": _some(st.sampled_from(["Man", "Vrouw", "Onbekend", "Leeg", "man", "M"])),
    "Postcode": _some(
        st.sampled_from(["3511AB", "3511 AB", "0511AB", "3511SA", "3511ab", "9999ZZ", "1000AA"])
    ),
    "Huisnummer": _some(st.sampled_from(["1", "10", "99999", "100000", "0", "01", "10a", "١٢", "9999"])),
    "Huisnummertoevoeging": _some(st.sampled_from(["A", "bis", "12345", "", "ABCD"])),
}
_CLEAN_CLIENT = {
    "Burgerservicenummer": "123456782",
    "Geboortedatum": "1980-05-01",
    "Geslachtsaanduiding": "Vrouw",
    "Postcode": "3511AB",
    "Huisnummer": "10",
    "Huisnummertoevoeging": "A",
}


@st.composite
def _client(draw: st.DrawFn) -> dict[str, Any]:
    """A clean client with 0-2 fields changed or dropped (so the fast path's edges are all reached)."""
    client = dict(_CLEAN_CLIENT)
    for name in draw(st.lists(st.sampled_from(sorted(_CLIENT_FIELDS)), max_size=2)):
        if draw(st.booleans()):
            client[name] = draw(_CLIENT_FIELDS[name])
        else:
            client.pop(name, None)
    return client


_CLIENT = _client()


def _as_tuples(found: list[Finding]) -> list[tuple[str, Severity, str, str, str]]:
    return [(f.code, f.severity, f.path, f.message, f.hint) for f in found]


@settings(max_examples=400, deadline=None)
@given(clients=st.lists(_CLIENT, min_size=1, max_size=2), start=st.none() | st.just("2024-01-10") | _DATES)
def test_client_fast_path_matches_the_exact_check(clients: list[dict[str, Any]], start: str | None) -> None:
    from client.validation.rules.dates import parse_date

    start_day = parse_date(start)
    fast = _ctx()
    fast.t = {"client": clients}
    fast.start_any = start_day
    check_clients(fast)
    exact = _ctx()
    exact.t = {"client": clients}
    exact.start_any = start_day
    for k, cl in enumerate(clients):
        _check_one(exact, k, cl, start_day)
    per_client = [f for f in fast.out if f.code not in ("R-CLIENT-01", "R-CLIENT-02")]  # not per client
    assert _as_tuples(per_client) == _as_tuples(exact.out)
    assert fast.geb == exact.geb


def test_adult_bounds_agree_with_the_age_formula() -> None:
    rng = random.Random(7)
    starts = [date(2024, 2, 29), date(2023, 3, 1), date(2020, 2, 29), date(112, 2, 29), date(19, 1, 1)]
    starts += [date(1900, 1, 1) + timedelta(days=rng.randrange(60_000)) for _ in range(300)]
    for start in starts:
        lo, hi = adult_bounds(start)
        born = [date.min, date(1, 1, 2), date(9999, 12, 31)]
        for years in (17, 18, 110, 111):
            for shift in (-1, 0, 1):
                try:
                    born.append(date(start.year - years, start.month, start.day) + timedelta(days=shift))
                except ValueError:  # 29 February in a common year, or before year 1
                    if start.year - years > 1:
                        born.append(date(start.year - years, 2, 28) + timedelta(days=shift))
                except OverflowError:
                    pass
        born += [date(1850, 1, 1) + timedelta(days=rng.randrange(70_000)) for _ in range(50)]
        for b in born:
            fast, exact = lo < b <= hi, 18 <= _age(b, start) <= 110
            assert exact or not fast, (start, b)  # the fast path never hides a finding
            if b > date.min:  # (0001-01-01 itself may take the exact path; harmless)
                assert fast == exact, (start, b)


def test_bsn_fast_check_is_the_exact_rule() -> None:
    rng = random.Random(3)
    samples = [d * 9 for d in "0123456789"] + [
        "123456782",
        "111222333",
        "12345678٢",
        "12345678 ",
        "+23456782",
    ]
    samples += ["".join(rng.choice("0123456789") for _ in range(9)) for _ in range(20_000)]
    for bsn in samples:
        exact = bsn.isascii() and bsn.isdigit() and elfproef(bsn) and bsn.count(bsn[0]) != 9
        assert _bsn_clean(bsn) == exact, bsn


def test_address_fast_checks_never_accept_what_the_exact_rules_reject() -> None:
    postcode = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")
    pcs = ["1000AA", "9999ZZ", "0999AA", "1234SA", "1234SD", "1234SS", "1234Sa", "١٢٣٤AB", "1234ABC"]
    pcs += ["1²34AB", "12 3AB"]
    pcs += [f"{n:04d}AB" for n in range(10_000)]
    for pc in pcs:
        fast = len(pc) == 6 and _plain_number(pc[:4], 4) and pc[4:] in _PC_LETTERS_OK
        # the oracle is the postcode rule as written (SA, SD and SS are never issued), not the engine's table
        assert fast == (postcode.fullmatch(pc) is not None and pc[4:] not in {"SA", "SD", "SS"}), pc
    numbers = ["1", "9999", "10000", "0", "01", "1a", "١", "²", "1²", " 1", "+1", "1_0", "", "-1"]
    for hn in numbers + [str(n) for n in range(10_001)]:
        # exactly the numbers 1-9999 written plainly: what the table of the earlier version held
        assert _plain_number(hn, 4) == (hn in {str(n) for n in range(1, 10_000)}), hn


_PHASE_OBJ = st.dictionaries(
    st.sampled_from(
        [
            *("startdatum", "einddatum", "beschikkingsdatum", "datumAfronding", "datum", "toegekend"),
            *("afgewezen", "datumAanvraag", "datumGoedkeuring", "datumBeeindigingsbeschikking", "soort"),
        ]
    ),
    _VALUE,
    max_size=4,
)
_BOUND = (
    st.just(date(2024, 1, 1)) | st.just(date(2024, 12, 31)) | st.dates(date(2020, 1, 1), date(2026, 12, 31))
)


@st.composite
def _phase_obj(draw: st.DrawFn, key: str) -> dict[str, Any]:
    """The clean traject's object for `key` with 0-2 fields changed or dropped, or a random object."""
    base = clean_traject()[key]
    obj: dict[str, Any] = dict(base[0] if isinstance(base, list) else base)
    if draw(st.integers(0, 4)) == 0:
        return draw(_PHASE_OBJ)
    for name in draw(st.lists(st.sampled_from([*sorted(obj), "startdatum", "einddatum"]), max_size=2)):
        if draw(st.booleans()):
            obj[name] = draw(_VALUE)
        else:
            obj.pop(name, None)
    return obj


@settings(max_examples=600, deadline=None)
@given(
    data=st.data(),
    key=st.sampled_from(sorted(PHASES)),
    lo=_BOUND,
    hi=_BOUND,
    end=st.none() | _BOUND,
    start=st.none() | _BOUND,
)
def test_phase_fast_path_matches_the_exact_check(
    data: st.DataObject, key: str, lo: date, hi: date, end: date | None, start: date | None
) -> None:
    is_list, fields, mode, open_sev, pair = PHASES[key]
    objs = data.draw(st.lists(_phase_obj(key), min_size=1, max_size=2))

    def ctx() -> Ctx:
        c = _ctx()
        c.t = {key: objs if is_list else objs[0]}
        c.lo_a0 = c.lo_ts = c.lo_all = lo
        c.hi_per = c.hi_all = hi
        c.end = end
        c.start = start
        c.p_end = hi
        return c

    fast = ctx()
    phase_handler(key)(fast)
    exact = ctx()
    for k, o in enumerate(objs if is_list else objs[:1]):
        _one(exact, f"/{key}/{k}" if is_list else f"/{key}", o, fields, mode, open_sev, pair)
    assert _as_tuples(fast.out) == _as_tuples(exact.out)


_CREDITOR = st.fixed_dictionaries(
    {},
    optional={
        "naam": _some(st.sampled_from(["Eneco", "CJIB"])),
        "Naam": _some(st.sampled_from(["Eneco", "CJIB"])),
        "kvknummer": _some(st.sampled_from(["29049934", "2904993", "x" * 21, "2904 9934"])),
        "postcode": _some(st.sampled_from(["3011BN", "3011 bn", "D-10115", "XYZ"])),
        "privepersoon": st.booleans() | st.none(),
    },
)


@settings(max_examples=300, deadline=None)
@given(se=_CREDITOR)
def test_creditor_memo_is_the_exact_check(se: dict[str, Any]) -> None:
    memo: set[bytes] = set()
    for _ in range(2):  # the second call may come from the memo
        assert _creditor_clean(se, memo) == _creditor_ok(se)
    if _creditor_ok(se):
        c = _ctx()
        _creditor(c, "", se)
        assert c.out == []


def test_a_repeated_creditor_is_still_reported_once_it_differs() -> None:
    doc = copy_doc()
    t = traject0(doc)
    good = t["schulden"][0]
    bad = {**good, "schuldeiser": {**good["schuldeiser"], "Naam": "Other BV"}}
    t["schulden"] = [good, bad, good, bad]
    t["totaalSchuldbedragBijAanvangSchuld"] = 20000
    codes = [(f.code, f.path.rsplit("/schulden/", 1)[-1]) for f in run(doc)]
    assert codes == [("R-SCH-01", "1/schuldeiser/Naam"), ("R-SCH-01", "3/schuldeiser/Naam")]


def test_same_gemeentecode_differing_from_the_organisation_is_reported_every_time() -> None:
    doc = copy_doc()
    t = traject0(doc)
    t["gemeentecode"] = "GM0363"
    doc["leveringen"][0]["schuldhulptrajecten"] = [t, {**t, "omschrijving": "b"}, {**t, "omschrijving": "c"}]
    for i, x in enumerate(doc["leveringen"][0]["schuldhulptrajecten"]):
        x["client"] = [{**x["client"][0], "Burgerservicenummer": ["123456782", "111222333", "192837465"][i]}]
    found = [f for f in run(doc) if f.code == "R-GEM-05"]
    assert [f.path.split("/")[4] for f in found] == ["0", "1", "2"]


def test_an_empty_phase_einddatum_on_a_closed_traject_is_reported() -> None:
    doc = copy_doc()
    traject0(doc)["stabilisatie"]["einddatum"] = ""
    found = [(f.code, f.path) for f in run(doc) if f.code == "R-DATE-TRAJ-02"]
    assert found == [("R-DATE-TRAJ-02", "/leveringen/0/schuldhulptrajecten/0/stabilisatie/einddatum")]


def test_client_turning_18_on_the_start_date_is_an_adult() -> None:
    doc = copy_doc()
    t = traject0(doc)
    t["client"][0]["Geboortedatum"] = "2006-01-10"  # 18 on 2024-01-10
    assert not [f for f in run(doc) if f.code == "R-CLIENT-GEB-02"]
    t["client"][0]["Geboortedatum"] = "2006-01-11"  # one day short
    assert [f.code for f in run(doc) if f.code == "R-CLIENT-GEB-02"] == ["R-CLIENT-GEB-02"]
