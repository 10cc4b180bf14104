"""The planner: period membership, variants, pages, determinism, duplicates, file names."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from client.planning import Period, make_filename, page_hash, plan
from client.planning.filenames import is_generated_name, sanitize_part
from client.planning.store import ByteStore
from client.validation import filenames
from tests.test_planning_data import bsn, derde_org, export, gemeente_org, raw, traject

T0 = datetime(2026, 7, 2, 8, 30, tzinfo=UTC)
VENDOR = "Testsoft 2.1"


def run(sources: list[Any], periods: str | None = None, **kw: Any) -> Any:
    srcs = [s if isinstance(s, bytes | Path) else raw(s) for s in sources]
    kw.setdefault("aanleverdatum", T0)
    kw.setdefault("vendor_code", VENDOR)
    return plan(srcs, Period.parse_spec(periods) if periods else [], **kw)


def bodies(p: Any) -> list[tuple[str, bytes]]:
    return [(pg.filename, pg.build()) for d in p.deliveries for pg in d.pages]


def trajecten_of(body: bytes) -> list[dict[str, Any]]:
    doc = orjson.loads(body)["gegevens"]
    return [t for lev in doc["leveringen"] for t in lev["schuldhulptrajecten"]]


# --- period boundaries -------------------------------------------------------------------------------


def test_period_boundaries() -> None:
    ts = [
        traject(1, start="2026-01-10", end="2026-06-30", omschrijving="ends 30 jun"),
        traject(2, start="2026-07-01", omschrijving="starts 1 jul"),
        traject(3, start="2025-03-01", omschrijving="open-ended"),
        traject(4, start="2025-01-01", end="2025-12-31", omschrijving="ended before"),
        traject(5, start="2026-12-31", end="2027-01-05", omschrijving="last day of H2"),
    ]
    with run([export([(derde_org(), ts)])], "2026H1..2026H2") as p:
        got = {}
        for d in p.deliveries:
            got[d.period.code] = sorted(
                t["omschrijving"] for b in [d.pages[0].build()] for t in trajecten_of(b)
            )
        assert got["2026H1"] == ["ends 30 jun", "open-ended"]
        assert got["2026H2"] == ["last day of H2", "open-ended", "starts 1 jul"]
        assert p.findings == []


def test_no_usable_date_is_a_finding_and_never_planned() -> None:
    t = traject(1, start=None, omschrijving="no dates")
    t["client"][0].pop("Geboortedatum")
    ok = traject(2, start="2026-02-01")
    with run([export([(derde_org(), [t, ok])])], "2025H1..2027H2") as p:
        assert p.unplanned == 1
        assert [f.code for f in p.findings] == ["R-PLAN-01"]
        assert p.findings[0].path == "/leveringen/0/schuldhulptrajecten/0"
        assert all("no dates" not in b.decode() for _, b in bodies(p))


def test_missing_startdatum_uses_earliest_phase_date() -> None:
    t = traject(1, start=None, aanmelding={"startdatum": "2026-06-20"}, einddatum="2026-06-30")
    with run([export([(derde_org(), [t])])]) as p:
        assert [d.period.code for d in p.deliveries] == ["2026H1"]


def test_auto_periods_cover_what_the_input_touches() -> None:
    ts = [traject(1, start="2025-02-01", end="2025-03-01"), traject(2, start="2026-01-15")]
    doc = export([(derde_org(), ts)], end="2026-06-30")
    with run([doc], today=datetime(2026, 11, 1).date()) as p:
        assert [x.code for x in p.periods] == ["2025H1", "2025H2", "2026H1"]
        assert [d.period.code for d in p.deliveries] == ["2025H1", "2026H1"]


def test_end_before_start_is_reported_and_planned_over_both_dates() -> None:
    t = traject(1, start="2026-08-01", end="2026-03-01")
    with run([export([(derde_org(), [t])])], "2026H1..2026H2") as p:
        assert [f.code for f in p.findings] == ["R-PLAN-02"]
        assert [d.period.code for d in p.deliveries] == ["2026H1", "2026H2"]


# --- variants ----------------------------------------------------------------------------------------


def test_variant_gemeente_itself() -> None:
    doc = export([(gemeente_org("GM0344"), [traject(i, gm="GM0344") for i in range(3)])])
    with run([doc], "2026H1") as p:
        (d,) = p.deliveries
        assert d.organisation == "gm:GM0344"
        assert d.filename == "SHV_2026H1_GemeenteUtrecht_SHV.json"
        assert d.key == "2026H1|gm:GM0344|SHV"
        g = orjson.loads(d.pages[0].build())
        assert "paginering" not in g
        gegevens = g["gegevens"]
        assert (
            gegevens["startdatumLevering"] == "2026-01-01" and gegevens["einddatumLevering"] == "2026-06-30"
        )
        assert gegevens["aanleverdatumEnTijd"] == "2026-07-02T08:30:00Z"
        assert gegevens["codeGegevensleverancier"] == VENDOR
        assert [lev["teller"] for lev in gegevens["leveringen"]] == [1]
        assert gegevens["leveringen"][0]["aanleverende_organisatie"] == gemeente_org("GM0344")


def test_variant_derde_for_one_gemeente() -> None:
    doc = export([(derde_org("87654321"), [traject(i, gm="GM0599") for i in range(2)])])
    with run([doc], "2026H1") as p:
        (d,) = p.deliveries
        assert d.organisation == "kvk:87654321"
        assert d.gemeenten == [("GM0599", 2)]


def test_variant_meerdere_gemeenten_one_levering_each_onbekend_last() -> None:
    ts = [
        traject(1, gm="Onbekend"),
        traject(2, gm="GM0599"),
        traject(3, gm="GM0344"),
        traject(4, gm="GM0599"),
    ]
    with run([export([(derde_org(), ts)])], "2026H1") as p:
        (d,) = p.deliveries
        assert d.gemeenten == [("GM0344", 1), ("GM0599", 2), ("Onbekend", 1)]
        levs = orjson.loads(d.pages[0].build())["gegevens"]["leveringen"]
        assert [lev["teller"] for lev in levs] == [1, 2, 3]
        for lev in levs:
            assert len({t["gemeentecode"] for t in lev["schuldhulptrajecten"]}) == 1


def test_per_gemeente_gives_one_delivery_per_municipality() -> None:
    ts = [traject(1, gm="GM0344"), traject(2, gm="GM0599"), traject(3, gm="Onbekend")]
    with run([export([(derde_org(), ts)])], "2026H1", per_gemeente=True) as p:
        assert [d.uitvraagdeel for d in p.deliveries] == ["GM0344", "GM0599", "Onbekend"]
        assert [d.filename for d in p.deliveries] == [
            "SHV_2026H1_KredietbankMidden_GM0344.json",
            "SHV_2026H1_KredietbankMidden_GM0599.json",
            "SHV_2026H1_KredietbankMidden_Onbekend.json",
        ]
        for d in p.deliveries:
            levs = orjson.loads(d.pages[0].build())["gegevens"]["leveringen"]
            assert [lev["teller"] for lev in levs] == [1]


def test_same_organisation_from_several_exports_and_leveringen_is_merged() -> None:
    a = export([(derde_org(), [traject(1, gm="GM0344")]), (derde_org(), [traject(2, gm="GM0599")])])
    b = export([(derde_org(), [traject(3, gm="GM0344")]), (gemeente_org(), [traject(4, gm="GM0344")])])
    with run([a, b], "2026H1") as p:
        assert [(d.organisation, d.gemeenten) for d in p.deliveries] == [
            ("gm:GM0344", [("GM0344", 1)]),
            ("kvk:12345678", [("GM0344", 2), ("GM0599", 1)]),
        ]


# --- pages -------------------------------------------------------------------------------------------


def test_pages_repeat_the_levering_header_and_carry_paginering() -> None:
    ts = [traject(i, gm="GM0344" if i < 3 else "GM0599", start=f"2026-02-{i + 1:02d}") for i in range(5)]
    with run([export([(derde_org(), ts)])], "2026H1", page_size=2) as p:
        (d,) = p.deliveries
        assert [pg.trajecten for pg in d.pages] == [2, 2, 1]
        docs = [orjson.loads(pg.build()) for pg in d.pages]
        assert [doc["paginering"] for doc in docs] == [
            {"pageSize": 2, "currentPage": n, "totalPages": 3, "totalRecords": 5} for n in (1, 2, 3)
        ]
        # page 2 holds the last GM0344 traject and the first GM0599 one: both levering headers, same tellers
        assert [
            (lev["teller"], len(lev["schuldhulptrajecten"])) for lev in docs[1]["gegevens"]["leveringen"]
        ] == [
            (1, 1),
            (2, 1),
        ]
        assert [pg.filename for pg in d.pages] == [
            f"SHV_2026H1_KredietbankMidden_SHV_p00{n}-of-003.json" for n in (1, 2, 3)
        ]
        for pg in d.pages:
            assert pg.size == len(pg.build())


def _cheap_export(n: int) -> bytes:
    """n minimal trajecten, serialised directly (fast enough for the real 25,000 boundary)."""
    org = orjson.dumps(derde_org())
    items = b",".join(
        b'{"startdatum":"2026-01-%02d","gemeentecode":"GM0344","client":[{"Burgerservicenummer":"%09d"}]}'
        % (i % 28 + 1, 100000000 + i)
        for i in range(n)
    )
    return (
        b'{"startdatumLevering":"2026-01-01","einddatumLevering":"2026-06-30","aanleverdatumEnTijd":'
        b'"2026-07-01T00:00:00Z","codeGegevensleverancier":"x 1","leveringen":[{"teller":1,'
        b'"aanleverende_organisatie":' + org + b',"schuldhulptrajecten":[' + items + b"]}]}"
    )


@pytest.mark.timeout(60)
def test_exactly_25000_is_one_page_and_25001_is_two() -> None:
    data = _cheap_export(25_001)
    with plan([data], [Period.parse("2026H1")], vendor_code=VENDOR, aanleverdatum=T0) as p:
        (d,) = p.deliveries
        assert [pg.trajecten for pg in d.pages] == [25_000, 1]
        last = orjson.loads(d.pages[1].build())
        assert last["paginering"] == {
            "pageSize": 25000,
            "currentPage": 2,
            "totalPages": 2,
            "totalRecords": 25001,
        }
    with plan([_cheap_export(25_000)], [Period.parse("2026H1")], vendor_code=VENDOR, aanleverdatum=T0) as p:
        (d,) = p.deliveries
        assert d.trajecten == 25_000 and len(d.pages) == 1
        assert "paginering" not in orjson.loads(d.pages[0].build())


def test_page_size_is_bounded() -> None:
    with pytest.raises(ValueError):
        run([export([(derde_org(), [traject(1)])])], "2026H1", page_size=25_001)


# --- determinism -------------------------------------------------------------------------------------


def _three_exports() -> list[bytes]:
    a = export([(derde_org(), [traject(i, gm="GM0344", start=f"2026-03-{i + 1:02d}") for i in range(4)])])
    b = export(
        [(derde_org(), [traject(10 + i, gm="GM0599") for i in range(3)]), (gemeente_org(), [traject(20)])]
    )
    c = export(
        [(derde_org("11112222", "Bureau Schuldhulp"), [traject(30 + i, gm="Onbekend") for i in range(3)])]
    )
    return [raw(a), raw(b), raw(c)]


def test_same_input_same_bytes_whatever_the_order_of_the_files() -> None:
    srcs = _three_exports()
    reference = None
    for order in itertools.permutations(srcs):
        with run(list(order), "2026H1", page_size=2) as p:
            got = (bodies(p), [d.content_hash for d in p.deliveries], [d.key for d in p.deliveries])
        if reference is None:
            reference = got
        assert got == reference


def test_content_hash_does_not_depend_on_the_delivery_time() -> None:
    srcs = _three_exports()
    with (
        run(srcs, "2026H1", page_size=2) as p1,
        run(srcs, "2026H1", page_size=2, aanleverdatum=datetime(2026, 9, 1)) as p2,
    ):
        for d1, d2 in zip(p1.deliveries, p2.deliveries, strict=True):
            assert d1.content_hash == d2.content_hash
            for a, b in zip(d1.pages, d2.pages, strict=True):
                ba, bb = a.build(), b.build()
                assert ba != bb
                assert a.content_hash == b.content_hash == page_hash(ba) == page_hash(bb)


def test_output_is_compact_and_keeps_the_traject_as_written() -> None:
    t = traject(1)
    with run([export([(derde_org(), [t])])], "2026H1") as p:
        body = p.deliveries[0].pages[0].build()
        assert orjson.dumps(t) in body
        assert b"\n" not in body and b": " not in body


# --- duplicates --------------------------------------------------------------------------------------


def test_duplicate_across_inputs_is_a_warning_naming_both_places(tmp_path: Path) -> None:
    dup = traject(1, start="2026-01-05", bsns=[bsn(7)])
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_bytes(raw(export([(derde_org(), [traject(2), dup])])))
    b.write_bytes(raw(export([(derde_org(), [dict(dup, einddatum="2026-05-01")])])))
    with run([a, b], "2026H1") as p:
        (f,) = p.findings
        assert (f.code, f.severity.value) == ("R-DUP-01", "warning")
        assert str(a) in f.message and str(b) in f.message
        assert (
            "/leveringen/0/schuldhulptrajecten/1" in f.message
            and "/leveringen/0/schuldhulptrajecten/0" in f.message
        )
        assert bsn(7) not in f.message and bsn(7)[-4:] in f.message
        assert p.deliveries[0].trajecten == 3
        assert p.deliveries[0].findings == [f]


def test_dedupe_keeps_the_most_complete_record() -> None:
    poor = traject(1, start="2026-01-05", bsns=[bsn(7)])
    rich = traject(
        1,
        start="2026-01-05",
        bsns=[bsn(7)],
        toekenningsdatum="2026-01-20",
        aanmelding={"startdatum": "2026-01-02"},
    )
    with run([export([(derde_org(), [poor, rich])])], "2026H1", dedupe=True) as p:
        assert p.dropped == 1
        (f,) = p.findings
        assert f.code == "R-DUP-01" and f.severity.value == "info" and "dropped" in f.message
        (t,) = trajecten_of(p.deliveries[0].pages[0].build())
        assert t == rich


def test_no_duplicate_for_sequential_trajecten_or_other_organisations() -> None:
    first = traject(1, start="2025-01-05", end="2025-12-01", bsns=[bsn(7)])
    later = traject(2, start="2026-01-05", bsns=[bsn(7)])
    other_org = traject(3, start="2025-06-01", bsns=[bsn(7)])
    doc = export([(derde_org(), [first, later]), (derde_org("99998888", "Ander Bureau"), [other_org])])
    with run([doc], "2025H1..2026H1") as p:
        assert p.findings == []


def test_duplicate_needs_the_same_set_of_clients() -> None:
    single = traject(1, start="2026-01-05", bsns=[bsn(7)])
    couple = traject(2, start="2026-01-05", bsns=[bsn(7), bsn(8)])
    couple_swapped = traject(3, start="2026-02-05", bsns=[bsn(8), bsn(7)])
    with run([export([(derde_org(), [single, couple, couple_swapped])])], "2026H1") as p:
        assert [f.code for f in p.findings] == ["R-DUP-01"]
        assert (
            "schuldhulptrajecten/2" in p.findings[0].message
            and "schuldhulptrajecten/1" in p.findings[0].message
        )


# --- file names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("org", "deel", "expected"),
    [
        ("Gemeente 's-Hertogenbosch", "SHV", "SHV_2026H1_Gemeentes-Hertogenbosch_SHV.json"),
        (
            'ISD "Bollenstreek" [regio] a/b\\c?*:<>|;.',
            "WIJK TEAM.zuid",
            "SHV_2026H1_ISDBollenstreekregioabc_WIJKTEAMzuid.json",
        ),
        (
            "Kredietbank Nederland Zuidoost Fryslân",
            "GM0080",
            "SHV_2026H1_KredietbankNederlandZuidoostFryslan_GM0080.json",
        ),
        ("...", "", "SHV_2026H1_Organisatie_SHV.json"),
    ],
)
def test_make_filename_sanitizes(org: str, deel: str, expected: str) -> None:
    assert make_filename("2026H1", org, deel) == expected
    assert is_generated_name(expected)


def test_page_suffix_and_length_cap() -> None:
    assert make_filename("2026H1", "Org", "SHV", 3, 12) == "SHV_2026H1_Org_SHV_p003-of-012.json"
    assert make_filename("2026H1", "Org", "SHV", 1, 1) == "SHV_2026H1_Org_SHV.json"
    long = make_filename("2026H1", "x" * 500, "y" * 500, 1, 2)
    assert len(long) < 150 and is_generated_name(long)
    assert sanitize_part("---", max_len=10, fallback="F") == "F"
    with pytest.raises(ValueError):
        make_filename("ONBEKEND", "Org", "SHV")


def test_generated_names_pass_the_validators_check() -> None:
    names = [
        make_filename("2026H1", "Gemeente 's-Hertogenbosch", "SHV"),
        make_filename("2026-H1 v2.0", "ISD [x] . / y", "a b", 2, 3),
        make_filename("2026H2", "Ünïcödé ♥ Org", "GM0363", 10, 250),
    ]
    for name in names:
        assert filenames.check_filename(name) == [], name


def test_organisations_with_the_same_name_get_distinct_files() -> None:
    a = export(
        [
            (derde_org("11111111", "Stichting Hulp"), [traject(1)]),
            (derde_org("22222222", "Stichting Hulp"), [traject(2)]),
        ]
    )
    with run([a], "2026H1") as p:
        names = [d.filename for d in p.deliveries]
        assert len(set(names)) == 2
        assert names == [
            "SHV_2026H1_StichtingHulp-11111111_SHV.json",
            "SHV_2026H1_StichtingHulp-22222222_SHV.json",
        ]


def test_code_uitvraag_template_and_clash() -> None:
    doc = export([(derde_org(), [traject(1, start="2025-01-01")])])
    with run([doc], "2025H2..2026H1", code_uitvraag="{period}-v2") as p:
        assert [d.filename.split("_")[1] for d in p.deliveries] == ["2025H2-v2", "2026H1-v2"]
    for bad in ("DDAS{period}", "{nope}", "H1"):
        with pytest.raises(ValueError, match="code uitvraag"):
            run([doc], "2026H1", code_uitvraag=bad)
    with pytest.raises(ValueError, match="clash"):
        run([doc], "2025H2..2026H1", code_uitvraag="2026")
    with run([doc], "2026H1", code_uitvraag="2026-1") as p:
        assert p.deliveries[0].filename.startswith("SHV_2026-1_")


# --- inputs ------------------------------------------------------------------------------------------


def test_envelope_inputs_are_read_too() -> None:
    page = {
        "gegevens": export([(derde_org(), [traject(1)])]),
        "paginering": {"pageSize": 1, "currentPage": 1, "totalPages": 1, "totalRecords": 1},
    }
    with run([page], "2026H1") as p:
        assert p.deliveries[0].trajecten == 1


def test_byte_store_spills_and_reads_back() -> None:
    store = ByteStore(spill_at=10)
    offs = [(store.append(b"abc%d" % i), 4) for i in range(10)]
    assert store.spilled
    assert [store.read(o, n) for o, n in offs] == [b"abc%d" % i for i in range(10)]
    store.close()


def test_any_organisation_and_uitvraagdeel_give_a_valid_name() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=200, deadline=None)
    @given(st.text(max_size=80), st.text(max_size=80), st.integers(1, 2000))
    def prop(org: str, deel: str, pages: int) -> None:
        for name in (make_filename("2026H1", org, deel), make_filename("2026H2", org, deel, pages, pages)):
            assert is_generated_name(name), name
            assert filenames.check_filename(name) == [], name

    prop()


def test_streamed_files_plan_exactly_like_parsed_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are streamed (small windows here, so values straddle reads); bytes are parsed with orjson."""
    from client.planning import sources

    monkeypatch.setattr(sources, "CHUNK", 97)
    paths, blobs = [], []
    for i, data in enumerate(_three_exports()):
        path = tmp_path / f"e{i}.json"
        # header keys after the arrays, pretty-printed: the streaming reader must cope with both
        doc = orjson.loads(data)
        doc = {"leveringen": doc.pop("leveringen"), **doc}
        lev = doc["leveringen"][0]
        doc["leveringen"][0] = {"schuldhulptrajecten": lev.pop("schuldhulptrajecten"), **lev}
        if i == 2:  # and an API message
            pag = {"pageSize": 9, "currentPage": 1, "totalPages": 1, "totalRecords": 3}
            doc = {"gegevens": doc, "paginering": pag}
        blob = b"\xef\xbb\xbf" + orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"
        path.write_bytes(blob)
        paths.append(path)
        blobs.append(blob)
    with run(blobs, "2026H1", page_size=2) as p:
        parsed = bodies(p)
        assert sum(d.trajecten for d in p.deliveries) == 11
    with run(paths, "2026H1", page_size=2) as p:
        streamed = bodies(p)
        assert [f.code for f in p.findings] == []
    assert [b for _, b in streamed] == [b for _, b in parsed]


@pytest.mark.parametrize(
    ("content", "usage"),
    [
        (b'{"leveringen": [{"teller": 1, "schuldhulptrajecten": [{"a": 1} {"b": 2}]}]}', False),
        (b'{"leveringen": [{"teller": 1, "schuldhulptrajecten": [{"a": NaN}]}]}', False),
        (b'{"leveringen": [', False),
        (b"[1, 2]", False),
        (b'{"a": 1} x', False),
        (b'{"a": "\xff"}', False),
    ],
)
def test_broken_files_are_source_errors(tmp_path: Path, content: bytes, usage: bool) -> None:
    from client.planning import SourceError

    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(SourceError) as info:
        run([path], "2026H1")
    assert info.value.usage is usage
    with pytest.raises(SourceError):
        run([tmp_path / "missing.json"], "2026H1")


def test_streaming_keeps_tricky_values_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from client.planning import sources

    monkeypatch.setattr(sources, "CHUNK", 7)
    tricky = traject(
        1,
        omschrijving='brace } bracket ] quote " backslash \\ newline \n é 😀 \u2028',
        totaalSchuldbedragBijAanvangSchuld=123456789012,
        schulden=[
            {"bedrag": 1500, "zakelijkeSchuld": False, "schuldeiser": {"naam": "[x]", "privepersoon": True}}
        ],
    )
    doc = export([(derde_org(), [tricky, traject(2)])])
    text = orjson.dumps(doc).decode().replace("1500", "1.5e3")  # json and orjson agree on floats too
    path = tmp_path / "t.json"
    path.write_text(text.replace("é", "\\u00e9").replace("😀", "\\ud83d\\ude00"), encoding="utf-8")
    with run([text.encode()], "2026H1") as a, run([path], "2026H1") as b:
        assert bodies(a) == bodies(b)
    huge = tmp_path / "huge.json"
    huge.write_text(text.replace("123456789012", "1" + "0" * 30), encoding="utf-8")
    with run([huge], "2026H1") as c:
        assert [f.code for f in c.findings] == ["R-PLAN-04"]
        assert c.deliveries[0].trajecten == 1
