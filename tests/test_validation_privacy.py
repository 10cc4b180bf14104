"""A BSN used as an object key never reaches a finding's path unmasked."""

from __future__ import annotations

import orjson

from client.validation import validate_bytes
from client.validation.findings import pointer
from tests.documents import one_levering


def test_pointer_masks_nine_digit_keys_but_not_indices() -> None:
    assert pointer("leveringen", 0, "client", "123456782") == "/leveringen/0/client/*****6782"
    assert pointer("a/b", "c~d") == "/a~1b/c~0d"


def test_unknown_key_that_is_a_bsn_is_masked_in_the_finding() -> None:
    traject = {"gemeentecode": "GM0363", "startdatum": "2024-03-01", "client": [{"123456782": "x"}]}
    document = one_levering(traject)
    report = validate_bytes(orjson.dumps(document), check_name=False)
    paths = [f.path for f in report.findings if f.code == "R-KEY-01"]
    assert paths and all("123456782" not in p for p in paths)
    assert any(p.endswith("/*****6782") for p in paths)
