"""Layer (e): the file name rules of the Aanleverprotocol (§4.1 and Bijlage I).

`SHV_[code uitvraag]_[naam organisatie]_[uitvraagdeel].json`: the fixed text `SHV`, the code of the
request (the year, e.g. `2024`; from 2026 a period code such as `2026H1` is expected, so any code that
starts with a four-digit year is accepted), the organisation's name, optionally an uitvraagdeel (and,
per Bijlage I, free text after it). Forbidden: `\\ / ? : ; * " > < | [ ]`, and `.` anywhere but before
the extension; the only extension is `.json`. CBS's technical check rejects a wrong name, so every
problem is an error (R-FILE-01).
"""

from __future__ import annotations

import re

from client.privacy import mask_text
from client.validation.findings import Finding, Severity

__all__ = ["FORBIDDEN", "check_filename", "claims_protocol_name", "name_findings"]

FORBIDDEN = '\\/?:;*"><|[]'
_YEAR_CODE = re.compile(r"^\d{4}[A-Za-z0-9-]*$")
_EXAMPLE = "SHV_2026H1_Amsterdam_WIJKTEAMZUID.json"


def _f(message: str, hint: str) -> Finding:
    return Finding("R-FILE-01", Severity.ERROR, "", message, hint)


def claims_protocol_name(name: str) -> bool:
    """A name that claims to be a delivery file of the protocol: it starts with `SHV_` (any case)."""
    return name[:4].upper() == "SHV_"


def name_findings(name: str, check: bool | None = None) -> list[Finding]:
    """The file-name layer. `check` True: the rules; False: nothing; None: the rules when the name
    claims to be a protocol file, otherwise one info finding (an export is not a delivery file)."""
    if check is False:
        return []
    if check or claims_protocol_name(name):
        return check_filename(name)
    shown = mask_text(name if len(name) <= 120 else name[:117] + "...")
    return [
        Finding(
            "R-FILE-01",
            Severity.INFO,
            "",
            f"'{shown}' is not named as a delivery file (it does not start with 'SHV_'), so the "
            "protocol's file-name rules were not applied.",
            "`ddas split` writes protocol-named delivery files (SHV_[code uitvraag]_[naam organisatie]_"
            "[uitvraagdeel].json); use --name-check to apply the rules to this name anyway.",
        )
    ]


def check_filename(name: str) -> list[Finding]:
    """Every way in which `name` (a file name, not a path) breaks the protocol's naming rules."""
    findings: list[Finding] = []
    shown = mask_text(name if len(name) <= 120 else name[:117] + "...")  # never echo nine digits
    if not name:
        return [_f("The file has no name.", f"Name it like {_EXAMPLE}.")]
    bad = sorted({ch for ch in name if ch in FORBIDDEN})
    if bad:
        findings.append(
            _f(
                f"File name '{shown}' contains forbidden character{'s' if len(bad) > 1 else ''} "
                + " ".join(repr(ch) for ch in bad)
                + '; the protocol does not allow \\ / ? : ; * " > < | [ ] in file names.',
                "Remove or replace those characters (e.g. by '-').",
            )
        )
    controls = [ch for ch in name if ord(ch) < 32 or ord(ch) == 127]
    if controls:
        findings.append(
            _f(
                f"File name '{shown!r}' contains control characters.",
                "Use letters, digits, '-' and '_' only.",
            )
        )
    if not name.endswith(".json"):
        ext = name.rsplit(".", 1)[1] if "." in name else ""
        findings.append(
            _f(
                f"File name '{shown}' has "
                + (f"the extension '.{ext}'" if ext else "no extension")
                + "; CBS reads only files with the extension .json (lower case).",
                "Save the export as a .json file"
                + (" (rename '.JSON' to '.json')" if ext.lower() == "json" else "")
                + "; a zip may contain only .json files.",
            )
        )
        stem = name.rsplit(".", 1)[0] if ext.lower() == "json" else name
    else:
        stem = name[: -len(".json")]
    if "." in stem:
        findings.append(
            _f(
                f"File name '{shown}' contains a '.' before the extension; a dot is allowed only in '.json'.",
                "Replace the dot(s) by '-' or '_' (e.g. a version 1.2 becomes 1-2).",
            )
        )
    parts = stem.split("_")
    if parts[0] != "SHV":
        findings.append(
            _f(
                f"File name '{shown}' does not start with 'SHV_'; the protocol's pattern is "
                "SHV_[code uitvraag]_[naam organisatie]_[uitvraagdeel].json.",
                f"Rename it like {_EXAMPLE}.",
            )
        )
        return findings
    if len(parts) < 3:
        findings.append(
            _f(
                f"File name '{shown}' lacks the code of the uitvraag and/or the name of the organisation; "
                "the pattern is SHV_[code uitvraag]_[naam organisatie]_[uitvraagdeel].json.",
                f"Rename it like {_EXAMPLE} (the uitvraagdeel is optional).",
            )
        )
    if len(parts) >= 2 and not _YEAR_CODE.match(parts[1]):
        findings.append(
            _f(
                f"File name '{shown}': '{parts[1]}' is not a code uitvraag; it must be the year (and period) "
                "the file is about, e.g. 2024 or 2026H1.",
                "Put the code of the uitvraag right after 'SHV_', e.g. SHV_2024_... .",
            )
        )
    if any(not part.strip() for part in parts[1:]):
        findings.append(
            _f(
                f"File name '{shown}' has an empty part (two '_' in a row, or '_' before the extension).",
                "Remove the extra underscore or fill in the missing part.",
            )
        )
    return findings
