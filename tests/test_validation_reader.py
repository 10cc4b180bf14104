"""The reader: the streamed path gives exactly the events of the in-memory path, in the contract's order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import client.validation.reader as reader
from client.validation import validate_bytes, validate_path
from client.validation.findings import Finding
from client.validation.reader import (
    End,
    Header,
    LeveringEnd,
    LeveringStart,
    ReadError,
    TrajectItem,
    iter_events,
    stream_bytes,
)
from tests.conftest import OFFICIAL_EXAMPLES, shared_missing

DOC: dict[str, Any] = {
    "startdatumLevering": "2024-01-01",
    "einddatumLevering": "2024-12-31",
    "aanleverdatumEnTijd": "2025-01-05T10:00:00Z",
    "codeGegevensleverancier": "Acmé Schuldhulp 4.2",
    "leveringen": [
        {
            "teller": 1,
            "aanleverende_organisatie": {"(Statutaire) Naam": "Org ø", "KvK-nummer": "12345678"},
            "schuldhulptrajecten": [
                {
                    "gemeentecode": "GM0363",
                    "omschrijving": "één € traject",
                    "totaalSchuldbedragBijAanvangSchuld": 12345,
                },
                {"gemeentecode": "GM0363", "client": [{"Burgerservicenummer": "111222333"}]},
            ],
        },
        {"teller": 2, "aanleverende_organisatie": {}, "schuldhulptrajecten": []},
        {"teller": 3, "aanleverende_organisatie": {}},
        "not an object",
    ],
}


def both(data: bytes, **kw: Any) -> tuple[list[Any], list[Any]]:
    return list(iter_events(data, **kw)), list(stream_bytes(data, **kw))


@pytest.fixture(params=[1, 3, 17, 256])
def tiny_chunks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(reader, "CHUNK_SIZE", request.param)
    monkeypatch.setattr(reader, "HEAD_SIZE", max(4, request.param))
    return int(request.param)


def test_event_order_in_memory() -> None:
    events = list(iter_events(orjson.dumps(DOC)))
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "Header",
        "LeveringStart",
        "TrajectItem",
        "TrajectItem",
        "LeveringEnd",
        "LeveringStart",
        "LeveringEnd",
        "LeveringStart",
        "LeveringEnd",
        "LeveringStart",
        "LeveringEnd",
        "End",
    ]
    header = events[0]
    assert isinstance(header, Header) and "leveringen" not in header.data
    assert isinstance(events[1], LeveringStart) and "schuldhulptrajecten" not in events[1].data
    assert isinstance(events[2], TrajectItem) and (events[2].levering_index, events[2].index) == (0, 0)
    assert events[4] == LeveringEnd(0, 2, True)
    assert events[8] == LeveringEnd(2, 0, False)
    assert events[-1] == End(None, 4, 2)


def test_stream_equals_memory_on_every_chunk_boundary(tiny_chunks: int) -> None:
    for indent in (None, 2):
        data = json.dumps(DOC, indent=indent, ensure_ascii=False).encode()
        memory, streamed = both(data)
        assert memory == streamed


def test_stream_equals_memory_on_the_official_examples(tiny_chunks: int) -> None:
    if not OFFICIAL_EXAMPLES:
        shared_missing("../shared/ddas-spec is absent: the official examples are needed")
    for example in OFFICIAL_EXAMPLES:
        data = example.read_bytes()
        memory, streamed = both(data)
        assert memory == streamed, example.name
        message = json.dumps({"gegevens": json.loads(data), "paginering": {"pageSize": 1}}).encode()
        memory, streamed = both(message, envelope=True)
        assert memory == streamed


def test_keys_after_the_arrays_still_come_first(tiny_chunks: int) -> None:
    text = (
        '{"leveringen": [{"schuldhulptrajecten": [{"gemeentecode": "GM0001"}], "teller": 1}],'
        ' "startdatumLevering": "2024-01-01"}'
    )
    memory, streamed = both(text.encode())
    assert memory == streamed
    assert streamed[0] == Header({"startdatumLevering": "2024-01-01"})
    assert streamed[1] == LeveringStart(0, {"teller": 1})
    message = '{"gegevens": {"leveringen": []}, "paginering": {"pageSize": 5}}'
    memory, streamed = both(message.encode(), envelope=True)
    assert memory == streamed
    assert isinstance(streamed[0], Header) and streamed[0].paginering == {"pageSize": 5}
    assert streamed[-1] == End({"pageSize": 5}, 0, 0)


def test_odd_roots(tiny_chunks: int) -> None:
    for text in ("[1, 2]", '"x"', "3", '{"leveringen": null}', '{"leveringen": {"a": 1}}', "{}"):
        memory, streamed = both(text.encode())
        assert memory == streamed, text
    for text in ("[]", '{"paginering": 1}', '{"gegevens": 5}', '{"gegevens": {}}'):
        memory, streamed = both(text.encode(), envelope=True)
        assert memory == streamed, text


def _stream_findings(data: bytes) -> tuple[list[Finding], list[Finding]]:
    soft: list[Finding] = []
    try:
        list(stream_bytes(data, on_finding=soft.append))
    except ReadError as exc:
        return soft, exc.findings
    return soft, []


def test_stream_reports_bytes_and_syntax_problems(tiny_chunks: int) -> None:
    soft, hard = _stream_findings(b'{\n  "a": 1,\n  "b": tru\n}')
    assert hard and "line 3, column 8" in hard[0].message
    soft, hard = _stream_findings('{"a": "café", "b": "\xe9"}'.encode().replace(b'\xc3\xa9"}', b'\xe9"}'))
    assert [f.code for f in soft] == ["R-ENC-01"] and "byte offset 21" in soft[0].message
    soft, hard = _stream_findings(b"\xef\xbb\xbf{}")
    assert [f.code for f in soft] == ["R-ENC-02"] and not hard
    soft, hard = _stream_findings(b'{"a": "x\x00"}')
    assert any("NUL" in f.message and "byte offset 8" in f.message for f in soft) and hard
    soft, hard = _stream_findings(b'{"a": [1, 2')
    assert hard and "truncated" in hard[0].message
    soft, hard = _stream_findings(b'{"a": NaN}')
    assert hard
    soft, hard = _stream_findings(b'{"a": 1e400}')
    assert hard and "infinity" in hard[0].message
    soft, hard = _stream_findings(b'{"a": 1} x')
    assert hard


def test_stream_duplicates_everywhere(tiny_chunks: int) -> None:
    text = (
        '{"a": 1, "a": 2, "leveringen": [{"teller": 1, "teller": 2, '
        '"aanleverende_organisatie": {"x": 1, "x": 2},'
        ' "schuldhulptrajecten": [{"gemeentecode": "1", "client": [{"b": 1, "b": 2}]}]}]}'
    )
    soft, hard = _stream_findings(text.encode())
    assert not hard
    paths = sorted(f.path for f in soft if f.code == "R-JSON-01")
    assert paths == [
        "/a",
        "/leveringen/0/aanleverende_organisatie/x",
        "/leveringen/0/schuldhulptrajecten/0/client/0/b",
        "/leveringen/0/teller",
    ]


def test_stream_deep_nesting_is_a_finding() -> None:
    _soft, hard = _stream_findings(b'{"a": ' + b"[" * 100_000)
    assert hard and "nested" in hard[0].message


def test_validate_path_streams_and_agrees(tmp_path: Path) -> None:
    data = dict(DOC)
    data["einddatumLevering"] = "2024-02-30"
    raw = json.dumps(data, indent=1).encode()
    path = tmp_path / "SHV_2024_Org.json"
    path.write_bytes(raw)
    small = validate_path(path)
    streamed = validate_path(path, stream_threshold=0)
    assert [f.to_dict() for f in small.findings] == [f.to_dict() for f in streamed.findings]
    assert small.trajecten == streamed.trajecten == 2
    in_memory = validate_bytes(raw, name=path.name)
    assert [f.to_dict() for f in in_memory.findings] == [f.to_dict() for f in small.findings]


def test_stream_big_values_grow_geometrically(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "CHUNK_SIZE", 64)
    monkeypatch.setattr(reader, "HEAD_SIZE", 64)
    calls = {"n": 0}
    original = reader._Scanner.more

    def counting(self: Any) -> bool:
        calls["n"] += 1
        return original(self)

    monkeypatch.setattr(reader._Scanner, "more", counting)
    doc = {
        "codeGegevensleverancier": "x" * 200_000,
        "leveringen": [{"schuldhulptrajecten": [{"a": "y" * 50_000}]}],
    }
    data = json.dumps(doc).encode()
    memory, streamed = both(data)
    assert memory == streamed
    assert calls["n"] < 2 * len(data) // 64 + 50  # linear in the chunks read, not quadratic


def test_stream_does_not_read_a_root_array() -> None:
    data = b"[" + b'{"gemeentecode": "GM0001"},' * 50_000 + b"{}]"
    events = list(stream_bytes(data))
    assert events[0] == Header({}, None, "", False, False, [], None, True)
    report = validate_bytes(data, rules=False)
    assert [(f.code, f.path) for f in report.findings] == [("R-SCHEMA-01", "")]


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False, width=64)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    header=st.dictionaries(st.text(max_size=8), _json_values, max_size=4),
    trajecten=st.lists(_json_values, max_size=4),
    chunk=st.integers(1, 40),
    indent=st.sampled_from([None, 1, 4]),
    late=st.booleans(),
)
def test_stream_equals_memory_on_random_documents(
    header: dict[str, Any], trajecten: list[Any], chunk: int, indent: int | None, late: bool
) -> None:
    header.pop("leveringen", None)
    levering = {"teller": 1, "schuldhulptrajecten": trajecten}
    doc = {"leveringen": [levering], **header} if late else {**header, "leveringen": [levering]}
    data = json.dumps(doc, indent=indent, ensure_ascii=False).encode()
    original = (reader.CHUNK_SIZE, reader.HEAD_SIZE)
    reader.CHUNK_SIZE, reader.HEAD_SIZE = chunk, max(4, chunk)
    try:
        assert list(stream_bytes(data)) == list(iter_events(data))
    finally:
        reader.CHUNK_SIZE, reader.HEAD_SIZE = original
