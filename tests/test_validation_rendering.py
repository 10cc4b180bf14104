"""The duplicate-key proof by equal text, part by part (`parse.rendered_digests`), and the R-DUP-01
digests it hands to the rules: the same verdicts as the whole-document proofs and the rules' own digest."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest

from client.validation import validate_bytes
from client.validation.parse import rendered_digests, rendering_digest
from client.validation.reader import TrajectItem, iter_events
from tests.test_rules_fixtures import clean_traject, copy_doc

NOW = "2026-07-02T00:00:00Z"


def _doc() -> dict[str, Any]:
    doc = copy_doc()
    lev = doc["leveringen"][0]
    other = clean_traject()
    other["omschrijving"] = "another one"
    lev["schuldhulptrajecten"] = [lev["schuldhulptrajecten"][0], other, copy.deepcopy(other)]
    extra = copy.deepcopy(lev)
    del extra["schuldhulptrajecten"]  # a levering without a traject array: no digests
    doc["leveringen"].append(extra)
    return doc


def _expected(doc: dict[str, Any]) -> list[list[int] | None]:
    out: list[list[int] | None] = []
    for lev in doc["leveringen"]:
        items = lev.get("schuldhulptrajecten")
        out.append([rendering_digest(t) or 0 for t in items] if isinstance(items, list) else None)
    return out


@pytest.mark.parametrize("tail", [b"", b"\n", b" \r\n\t"])
def test_compact_rendering_gives_the_rules_digests(tail: bytes) -> None:
    doc = _doc()
    raw = orjson.dumps(doc) + tail
    assert rendered_digests(raw, orjson.loads(raw)) == _expected(doc)
    envelope = {"gegevens": doc, "paginering": {"page": 1}}
    raw = orjson.dumps(envelope) + tail
    assert rendered_digests(raw, orjson.loads(raw), envelope=True) == _expected(doc)


def _variants(raw: bytes) -> dict[str, bytes]:
    """Texts of the same document (or with one key twice) that are not orjson's compact rendering."""
    first_key = b'"omschrijving":'
    assert first_key in raw
    return {
        "indented": orjson.dumps(orjson.loads(raw), option=orjson.OPT_INDENT_2),
        "space-after-colon": raw.replace(b'"teller":', b'"teller": ', 1),
        "leading-space": b" " + raw,
        "escaped-unicode": raw.replace(b"e", b"\\u0065", 1),
        "float-exponent": raw.replace(b'"teller":1', b'"teller":1e0', 1),
        "duplicate-key": raw.replace(first_key, b'"omschrijving":"x",' + first_key, 1),
    }


@pytest.mark.parametrize("name", list(_variants(orjson.dumps(_doc()))))
def test_any_other_text_is_not_taken_for_the_rendering(name: str) -> None:
    raw = _variants(orjson.dumps(_doc()))[name]
    assert rendered_digests(raw, orjson.loads(raw)) is None


@pytest.mark.parametrize("name", ["compact", *_variants(orjson.dumps(_doc()))])
def test_verdicts_and_digests_do_not_depend_on_the_text(name: str) -> None:
    """Whichever proof runs, the findings are the same: R-DUP-01 on the copied traject, R-JSON-01 only
    where a key is written twice; the events carry the digest exactly when the proof made them."""
    compact = orjson.dumps(_doc())
    raw = compact if name == "compact" else _variants(compact)[name]
    report = validate_bytes(raw, profile="standard")
    found = {(f.code, f.path) for f in report.findings if f.code in ("R-DUP-01", "R-JSON-01")}
    expected = {("R-DUP-01", "/leveringen/0/schuldhulptrajecten/2")}
    if name == "duplicate-key":
        expected.add(("R-JSON-01", "/leveringen/0/schuldhulptrajecten/0/omschrijving"))
    assert found == expected
    items = [e for e in iter_events(raw) if isinstance(e, TrajectItem)]
    assert len(items) == 3
    for item in items:
        assert item.digest == (rendering_digest(item.data) if name == "compact" else None)


def test_not_json_values_have_no_digest() -> None:
    assert rendering_digest({"a": {1, 2}}) is None
    assert rendering_digest({"a": 1}) == hash(b'{"a":1}')


@pytest.mark.parametrize("name", ["compact", *_variants(orjson.dumps(_doc()))])
def test_the_streaming_reader_proves_traject_by_traject(name: str, tmp_path: Any) -> None:
    """Streamed (large files, `--stream`), each traject whose text is orjson's rendering carries its
    digest, whatever the text around it; the findings are those of the in-memory reader."""
    from pathlib import Path

    from client.validation import validate_path
    from client.validation.reader import iter_stream_events

    compact = orjson.dumps(_doc())
    raw = compact if name == "compact" else _variants(compact)[name]
    path = Path(tmp_path) / "export.json"
    path.write_bytes(raw)
    streamed = validate_path(path, profile="standard", stream_threshold=0, check_name=False)
    in_memory = validate_bytes(raw, profile="standard")
    assert {(f.code, f.path) for f in streamed.findings} == {(f.code, f.path) for f in in_memory.findings}
    for chunk_size in (None, 97):  # 97: trajecten split across reads
        events = iter_stream_events(lambda: path.open("rb"), chunk_size=chunk_size)
        items = [e for e in events if isinstance(e, TrajectItem)]
        assert len(items) == 3
        for item in items:
            own_text = orjson.dumps(item.data) in raw
            assert item.digest == (rendering_digest(item.data) if own_text else None), (name, item.index)
    if name == "duplicate-key":
        assert [e.digest is None for e in items] == [True, False, False]
