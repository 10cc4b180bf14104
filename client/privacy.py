"""Masking of personal data: a BSN never leaves this process unmasked (RULES.md R-PRIV-01)."""

from __future__ import annotations

import re
from typing import Any

_NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")
_DIGIT_RUN = re.compile(r"\d{5,}")


def mask_bsn(value: object) -> str:
    """`123456782` -> `*****6782`; anything else is masked all the same, keeping at most 4 characters."""
    text = str(value)
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]


# bytes.translate maps every ASCII digit to "0" and everything else to "."; a run of nine digits is then
# a run of nine "0"s. Both steps are C loops over bytes, many times faster than the regular expression.
_DIGIT_SHAPE = bytes(0x30 if 0x30 <= b <= 0x39 else 0x2E for b in range(256))
_NINE_ZEROS = b"0" * 9


def _mask_match(match: re.Match[str]) -> str:
    return mask_bsn(match.group(0))


def may_hold_bsn(data: bytes) -> bool:
    """False when `data` surely holds no run of nine digits: ASCII without nine digits in a row."""
    return not data.isascii() or _NINE_ZEROS in data.translate(_DIGIT_SHAPE)


def mask_text(text: str) -> str:
    """Mask every run of exactly nine digits in free text (messages, log lines, and every piece of input
    a server echoes: ids in paths and queries, file names, request logs).

    Hot (every finding that is output, three times): ASCII text without nine digits in a row, nearly
    all text, is recognised by a byte scan and returned as is; the rest (and any non-ASCII text, whose
    Unicode digits the expression also knows) goes through the regular expression.
    """
    if not may_hold_bsn(text.encode()):
        return text
    return _NINE_DIGITS.sub(_mask_match, text)


def mask_digit_runs(text: str) -> str:
    """Mask every run of five or more digits, keeping its last four: for text cut out of raw input
    (a JSON syntax-error excerpt), where a BSN may be cut short: 8 of its 9 digits plus the 11-check
    would give it away, so no run longer than four digits is shown."""
    return _DIGIT_RUN.sub(lambda m: mask_bsn(m.group(0)), text)


def mask_value(value: Any) -> Any:
    """Mask a value before it goes into a message or an answer: nine-digit runs in text lose their
    head, so does a nine-digit integer (a BSN typed as a number); lists and objects are masked all
    through (keys too). Other numbers, booleans and None are returned as they are."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return mask_bsn(value) if 100_000_000 <= abs(value) <= 999_999_999 else value
    if isinstance(value, dict):
        return {mask_value(key): mask_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(item) for item in value]
    return value
