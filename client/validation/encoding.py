"""Layer (a): the bytes. Is this UTF-8 JSON text at all?

Why a layer of its own: CBS's technical check rejects files that are not UTF-8 (R-ENC-01), and the
most common causes (an export in UTF-16 from a Windows tool, Latin-1/Windows-1252 from an old database,
a BOM from Notepad) each have a one-line fix that the vendor can only apply when we name the cause.
After reporting, we repair what can be repaired (transcode UTF-16, read stray bytes as Windows-1252) so
that the later layers still report everything else in one run.

The checks are cheap on the happy path: the facade only runs `diagnose` when orjson refuses the bytes
(orjson validates UTF-8 and rejects NUL bytes itself), so a valid file costs one BOM sniff.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from client.validation.findings import Finding, Severity

__all__ = [
    "BINARY_SIGNATURES",
    "Prepared",
    "Utf8Diagnosis",
    "diagnose_utf8",
    "line_col",
    "prepare",
    "repair_surrogates",
    "sniff",
]

UTF8_BOM = codecs.BOM_UTF8

# Magic numbers of files people upload by mistake (the portal accepts zips; exports come as xlsx...).
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive (or an Office document such as .xlsx/.docx)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document (.xls/.doc)"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

_SURROGATE = re.compile("[\udc80-\udcff]")

ENC_HINT_UTF8 = (
    "Export or save the file as UTF-8 (without BOM); in most editors and export dialogs choose "
    "'Encoding: UTF-8'. Do not convert an already broken file by hand: export it again from the source."
)


def _enc(message: str, hint: str = ENC_HINT_UTF8) -> Finding:
    return Finding("R-ENC-01", Severity.ERROR, "", message, hint)


def line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset in (mostly) UTF-8 bytes."""
    offset = max(0, min(offset, len(data)))
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def sniff(head: bytes) -> tuple[str, int]:
    """Guess the encoding from the first bytes: (codec, BOM length). JSON text starts with ASCII
    (`{`, `[` or whitespace), so a NUL next to it betrays UTF-16 even without a BOM."""
    if head.startswith(UTF8_BOM):
        return "utf-8", 3
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return ("utf-32-le" if head[0] == 0xFF else "utf-32-be"), 4
    if head.startswith(b"\xff\xfe"):
        return "utf-16-le", 2
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be", 2
    if len(head) >= 4:
        if head[0] != 0 and head[1] == 0 and head[2] != 0 and head[3] == 0:
            return "utf-16-le", 0
        if head[0] == 0 and head[1] != 0 and head[2] == 0 and head[3] != 0:
            return "utf-16-be", 0
    elif len(head) >= 2:
        if head[0] != 0 and head[1] == 0:
            return "utf-16-le", 0
        if head[0] == 0 and head[1] != 0:
            return "utf-16-be", 0
    return "utf-8", 0


def _binary_kind(head: bytes) -> str | None:
    for magic, kind in BINARY_SIGNATURES:
        if head.startswith(magic):
            return kind
    sample = head[:4096]
    if not sample:
        return None
    controls = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0D))
    if len(sample) >= 64 and controls * 10 > len(sample):  # >10% control bytes: not text in any encoding
        return "a binary file"
    return None


def encoding_name(codec: str, bom: int) -> str:
    pretty = {
        "utf-16-le": "UTF-16 LE",
        "utf-16-be": "UTF-16 BE",
        "utf-32-le": "UTF-32 LE",
        "utf-32-be": "UTF-32 BE",
    }
    return pretty.get(codec, codec) + (" with a byte-order mark" if bom else " without a byte-order mark")


@dataclass
class Prepared:
    """What the bytes layer hands to the JSON layer: UTF-8 bytes without BOM, or None (stop)."""

    findings: list[Finding] = field(default_factory=list)
    payload: bytes | None = None
    offset: int = 0  # byte offset of payload[0] in the original file (the BOM length)
    transcoded: bool = False  # payload offsets no longer match the file's bytes


def bom_finding() -> Finding:
    return Finding(
        "R-ENC-02",
        Severity.WARNING,
        "",
        "The file starts with a UTF-8 byte-order mark (bytes EF BB BF at offset 0); JSON text must not "
        "begin with one (RFC 8259 §8.1) and some parsers reject it.",
        "Save the file as 'UTF-8' rather than 'UTF-8 with BOM' (e.g. in Notepad, VS Code or your export).",
    )


def wide_finding(codec: str, bom: int) -> Finding:
    return _enc(
        f"The file is encoded as {encoding_name(codec, bom)} (detected at byte offset 0), not UTF-8; "
        "CBS accepts only UTF-8. The rest of this report reads it as "
        + codec.upper()
        + " to find other problems.",
    )


def binary_finding(kind: str) -> Finding:
    return _enc(
        f"The file is not JSON text: its first bytes (offset 0) look like {kind}.",
        "Upload the JSON export itself (a .json file with UTF-8 text); a .zip may only contain .json files.",
    )


def prepare(data: bytes) -> Prepared:
    """Cheap checks that must happen before parsing: empty, binary, UTF-16/32, BOM."""
    out = Prepared()
    if not data or (not data[:4096].strip() and not data.strip()):  # strip() copies: look at the head first
        what = "empty (0 bytes)" if not data else f"blank ({len(data)} bytes of white space only)"
        out.findings.append(
            Finding(
                "R-JSON-01",
                Severity.ERROR,
                "",
                f"The file is {what}: there is no JSON document (byte offset 0).",
                "Export the data again; a delivery is one JSON object with startdatumLevering, "
                "einddatumLevering, aanleverdatumEnTijd, codeGegevensleverancier and leveringen.",
            )
        )
        return out
    codec, bom = sniff(data[:4])
    if codec != "utf-8":
        # The sniff only answers UTF-16/32 on a BOM or the NUL pattern of ASCII text: trust it.
        text = data[bom:].decode(codec, errors="replace")
        out.findings.append(wide_finding(codec, bom))
        out.payload = text.encode("utf-8", errors="replace")
        out.transcoded = True
        return out
    kind = _binary_kind(data[:4096])
    if kind is not None:
        out.findings.append(binary_finding(kind))
        return out
    if bom:
        out.findings.append(bom_finding())
        out.payload = data[3:]
        out.offset = 3
        return out
    out.payload = data
    return out


@dataclass
class Utf8Diagnosis:
    findings: list[Finding]
    repaired: bytes | None  # None when there was nothing to repair


def _guess_8bit(bad: list[int]) -> str:
    if any(0x80 <= b <= 0x9F for b in bad):
        return "Windows-1252 (cp1252)"
    return "Latin-1 (ISO-8859-1) or Windows-1252"


def repair_surrogates(text: str) -> str:
    """Replace bytes that were not UTF-8 (kept as lone surrogates by `surrogateescape`) by their
    Windows-1252 reading, which is what such bytes almost always mean in Dutch exports."""
    if not _SURROGATE.search(text):
        return text

    def fix(match: re.Match[str]) -> str:
        return bytes([ord(match.group(0)) - 0xDC00]).decode("cp1252", errors="replace")

    return _SURROGATE.sub(fix, text)


def describe_bad_bytes(
    first_offset: int, first_byte: int, count: int, sample: list[int], where: str
) -> Finding:
    name = _guess_8bit(sample)
    try:
        shown = bytes([first_byte]).decode("cp1252")
    except UnicodeDecodeError:
        shown = "?"
    return _enc(
        f"The file is not valid UTF-8: byte 0x{first_byte:02X} at byte offset {first_offset}"
        + (f" ({where})" if where else "")
        + " "
        f"is not part of a UTF-8 character ({count} such byte{'s' if count != 1 else ''} in total). "
        f"The file looks like {name}: 0x{first_byte:02X} is '{shown}' there. The rest of this report "
        "reads those bytes as Windows-1252.",
    )


def nul_finding(first_offset: int, count: int, where: str) -> Finding:
    return _enc(
        f"The file contains {count} NUL byte{'s' if count != 1 else ''} (0x00); the first at byte offset "
        f"{first_offset}" + (f" ({where})" if where else "") + ". NUL bytes are never valid in JSON text.",
        "Remove the NUL bytes: they usually come from a fixed-width database field or a file that was "
        "padded or cut off while copying. Export the file again.",
    )


def diagnose_utf8(payload: bytes, base_offset: int = 0) -> Utf8Diagnosis:
    """Precise byte-level diagnosis, run only when the JSON parser refused the payload."""
    findings: list[Finding] = []
    repaired: bytes | None = None
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = payload.decode("utf-8", errors="surrogateescape")
        bad = [ord(ch) - 0xDC00 for ch in _SURROGATE.findall(text)]
        line, col = line_col(payload, exc.start)
        findings.append(
            describe_bad_bytes(
                base_offset + exc.start,
                payload[exc.start],
                len(bad),
                bad[:1000],
                f"line {line}, column {col}",
            )
        )
        repaired = repair_surrogates(text).encode("utf-8")
    nul = payload.find(b"\x00")
    if nul >= 0:
        line, col = line_col(payload, nul)
        findings.append(nul_finding(base_offset + nul, payload.count(b"\x00"), f"line {line}, column {col}"))
    return Utf8Diagnosis(findings, repaired)
