"""The streamed reader's fast pre-scan (skipping the trajecten by bracket counting) and the planner's view
of the same reader (`client.planning.sources`)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from client.planning import sources
from client.validation import reader
from client.validation.reader import Header, LeveringStart, iter_events, stream_bytes

_TRICKY = st.text(alphabet='[]{}"\\,:/ aé😀\n\t\u2028', max_size=10)
_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _TRICKY,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_TRICKY, children, max_size=3),
    max_leaves=12,
)


def _late_keys_document(leveringen: list[list[Any]], header: dict[str, Any]) -> dict[str, Any]:
    """Every header key after the array it belongs next to: the case the pre-scan exists for."""
    levs = [
        {"schuldhulptrajecten": trajecten, "teller": i + 1, "naam": f'lev "{i}" ]}}'}
        for i, trajecten in enumerate(leveringen)
    ]
    return {"leveringen": levs, **header}


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(
    leveringen=st.lists(st.lists(_values, max_size=3), min_size=1, max_size=3),
    header=st.dictionaries(_TRICKY.filter(lambda k: k != "leveringen"), _values, max_size=3),
    chunk=st.integers(1, 30),
    piece=st.integers(1, 40),
    indent=st.sampled_from([None, 2]),
)
def test_skipping_agrees_with_parsing(
    leveringen: list[list[Any]], header: dict[str, Any], chunk: int, piece: int, indent: int | None
) -> None:
    doc = _late_keys_document(leveringen, header)
    data = json.dumps(doc, indent=indent, ensure_ascii=False).encode()
    saved = (reader.CHUNK_SIZE, reader.HEAD_SIZE, reader._SKIP_PIECE)
    reader.CHUNK_SIZE, reader.HEAD_SIZE, reader._SKIP_PIECE = chunk, max(4, chunk), piece
    try:
        streamed = list(stream_bytes(data))
    finally:
        reader.CHUNK_SIZE, reader.HEAD_SIZE, reader._SKIP_PIECE = saved
    assert streamed == list(iter_events(data))
    assert streamed[0] == Header(header)
    starts = [e for e in streamed if isinstance(e, LeveringStart)]
    assert [s.data["teller"] for s in starts] == list(range(1, len(leveringen) + 1))


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 64])
def test_skip_array_stops_right_after_the_array(piece: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "_SKIP_PIECE", piece)
    array = r'[{"a": "]\"}\\", "b": [[], {}]}, "[", "\\\\", {"c": "}}}"}]'
    text = array + ' , "next": 1}'
    for chunk in (1, 2, 5, 100):
        source = reader._TextSource(io.BytesIO(text.encode()), reader._noop, chunk)
        scanner = reader._Scanner(source)
        scanner.peek()
        scanner.skip_array()
        consumed = scanner.where(scanner.pos)[1] - 1  # one line: the column is the offset + 1
        assert consumed == len(array), (chunk, consumed)
        assert scanner.peek() == ","


def test_skip_array_on_broken_input_is_a_read_error() -> None:
    source = reader._TextSource(io.BytesIO(b'[{"a": [1, 2}'), reader._noop)
    scanner = reader._Scanner(source)
    with pytest.raises(reader.ReadError):
        scanner.skip_array()


def _items(source: Path | bytes) -> list[tuple[str, int, int, Any]]:
    _, items = sources.iter_items(source, "export.json")
    return [(i.kind, i.levering_index, i.index, i.data) for i in items]


def test_planner_gets_each_levering_once_and_complete_before_its_trajecten(tmp_path: Path) -> None:
    doc = {
        "leveringen": [
            {"schuldhulptrajecten": [{"n": 1}, {"n": 2}], "aanleverende_organisatie": {"naam": "A"}},
            "not an object",
            {"aanleverende_organisatie": {"naam": "B"}, "schuldhulptrajecten": [{"n": 3}]},
        ],
        "einddatumLevering": "2026-06-30",
    }
    path = tmp_path / "late.json"
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    expected = [
        ("header", -1, -1, {"einddatumLevering": "2026-06-30"}),
        ("levering", 0, -1, {"aanleverende_organisatie": {"naam": "A"}}),
        ("traject", 0, 0, {"n": 1}),
        ("traject", 0, 1, {"n": 2}),
        ("levering", 2, -1, {"aanleverende_organisatie": {"naam": "B"}}),
        ("traject", 2, 0, {"n": 3}),
    ]
    assert _items(path) == expected
    assert _items(path.read_bytes()) == expected


def test_planner_reads_envelopes_and_ignores_duplicates(tmp_path: Path) -> None:
    body = b'{"gegevens": {"a": 1, "a": 2, "leveringen": [{"schuldhulptrajecten": [{"x": 1, "x": 2}]}]}}'
    path = tmp_path / "message.json"
    path.write_bytes(body)
    for source in (path, body):
        envelope, items = sources.iter_items(source, "m")
        assert envelope
        got = [(i.kind, i.data) for i in items]
        assert got == [("header", {"a": 2}), ("levering", {}), ("traject", {"x": 2})]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"gegevens": 5, "paginering": {}}', "not a JSON object"),
        (b'{"paginering": {}}', "not a JSON object"),
        ('{"a": "é"}'.encode("utf-16"), "not UTF-8"),
        (b'{"a": "\xe9"}', "not UTF-8"),
        (b'{"a": \n  tru}', "line 2"),
    ],
)
def test_planner_stops_on_unreadable_input(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    for source in (path, content):
        with pytest.raises(sources.SourceError) as info:
            _items(source)
        assert message in str(info.value)
        assert info.value.usage is False


def test_a_value_beyond_the_cap_is_an_error_not_unbounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "CHUNK_SIZE", 64)
    monkeypatch.setattr(reader, "HEAD_SIZE", 64)
    monkeypatch.setattr(reader, "MAX_VALUE", 1000)
    data = b'{"leveringen": [{"schuldhulptrajecten": [{"a": "' + b"x" * 5000 + b"]}]}"
    with pytest.raises(reader.ReadError) as info:
        list(stream_bytes(data))
    assert "larger than" in info.value.findings[0].message
    assert "line 1, column 42" in info.value.findings[0].message  # where the traject starts
    fits = b'{"leveringen": [{"schuldhulptrajecten": [{"a": "' + b"x" * 500 + b'"}]}]}'
    assert list(stream_bytes(fits)) == list(iter_events(fits))
