"""Protocol file names: `SHV_<code uitvraag>_<organisatie>_<uitvraagdeel>[_pNNN-of-NNN].json`.

The protocol (aanleverprotocol 2024 §4.1, Bijlage I) forbids `\\ / ? : ; * " > < | [ ]` and any `.` except
before `json`. We go further so that a generated name is never invalid on any checker or file system:
each part keeps only ASCII letters, digits and `-` (accents are folded, everything else dropped), parts
are length-capped, and an empty part gets a fallback.
"""

from __future__ import annotations

import re
import unicodedata

PREFIX = "SHV"
MAX_CODE = 20
MAX_ORGANISATIE = 60
MAX_UITVRAAGDEEL = 40
_CODE = re.compile(r"^\d{4}[A-Za-z0-9-]*$")  # a code uitvraag starts with the year (R-FILE-01)
_DROP = re.compile(r"[^A-Za-z0-9-]+")
_DASHES = re.compile(r"-{2,}")
VALID = re.compile(r"^SHV_\d{4}[A-Za-z0-9-]*_[A-Za-z0-9-]+_[A-Za-z0-9-]+(_p\d{3,}-of-\d{3,})?\.json$")


def sanitize_part(text: str, *, max_len: int, fallback: str) -> str:
    """Fold accents, drop every character outside [A-Za-z0-9-], cap the length; `fallback` when empty."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    # Words are glued (CamelCase kept as written): "Gemeente Den Haag" -> "GemeenteDenHaag", like the
    # protocol's own examples (`ISDBollenstreek`).
    clean = _DASHES.sub("-", _DROP.sub("", folded)).strip("-")
    clean = clean[:max_len].strip("-")
    return clean or fallback


def check_code_uitvraag(code_uitvraag: str) -> str:
    """The sanitised code, or ValueError when it does not start with a four-digit year (CBS rejects it)."""
    code = sanitize_part(code_uitvraag, max_len=MAX_CODE, fallback="")
    if not _CODE.match(code):
        raise ValueError(
            f"code uitvraag {code_uitvraag!r} must start with the year the file is about, e.g. 2026H1 or 2026"
        )
    return code


def page_suffix(page: int, pages: int) -> str:
    width = max(3, len(str(pages)))
    return f"_p{page:0{width}d}-of-{pages:0{width}d}"


def make_filename(
    code_uitvraag: str,
    organisatie: str,
    uitvraagdeel: str,
    page: int | None = None,
    pages: int | None = None,
) -> str:
    """A protocol file name that always passes `client.validation.filenames.check_filename`.

    A page suffix is added only when the delivery has more than one page. Raises ValueError for a code
    uitvraag that does not start with a four-digit year: no name with it would pass the check.
    """
    code = check_code_uitvraag(code_uitvraag)
    org = sanitize_part(organisatie, max_len=MAX_ORGANISATIE, fallback="Organisatie")
    deel = sanitize_part(uitvraagdeel, max_len=MAX_UITVRAAGDEEL, fallback="SHV")
    name = f"{PREFIX}_{code}_{org}_{deel}"
    if page is not None and pages is not None and pages > 1:
        name += page_suffix(page, pages)
    return name + ".json"


def is_generated_name(name: str) -> bool:
    """True for names of the shape `make_filename` produces (a self-check used by tests and `split`)."""
    return bool(VALID.match(name))
