"""Section C: delivery metadata and organisation (R-META-01, R-LEV-01, R-ORG-01..04, R-FMT-04)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from client.formats import email_problem, is_schema_email
from client.validation.findings import Severity
from client.validation.rules.context import E, I, W, pstr, show

__all__ = ["check_meta", "check_organisation", "check_teller", "looks_like_version_code"]

Emit = Callable[[str, Severity, str, str, str], None]

# name part, then a separator (or a 'v'), then a version token; a dotted version needs no separator.
_VERSIONED = re.compile(
    r"(?P<name>.*[A-Za-z].*?)(?:[\s_\-/:]+[vV]?|[vV])\d+(?:\.\d+)*|(?P<name2>.*[A-Za-z].*?)\d+(?:\.\d+)+"
)
_KVK = re.compile(r"\d{8}")
_POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")


def looks_like_version_code(code: str) -> bool:
    """R-META-01: 'vendor name' + 'version' (e.g. 'Acme Schuldhulp 4.2.1', 'Acme-v3')."""
    return bool(_VERSIONED.fullmatch(code.strip()))


def check_meta(data: dict[str, Any], prefix: str, emit: Emit) -> None:
    code = data.get("codeGegevensleverancier")
    if type(code) is str and not looks_like_version_code(code):
        emit(
            "R-META-01",
            W,
            prefix + "/codeGegevensleverancier",
            f"codeGegevensleverancier {show(code)} is not a software vendor name followed by a version "
            "number.",
            "Fill 'name of the software vendor' + 'version of the delivering software', e.g. 'Acme "
            "Schuldhulp 4.2.1' "
            "(FAQ#13).",
        )


def check_teller(teller: Any, index: int, seen: set[int], rel: str, emit: Emit, *, first: int = 1) -> None:
    """R-LEV-01: error for < 1 or a duplicate, warning when not first..n in file order.

    `first` is 1 for a file; for an API page it is the page's first teller, because a levering that
    continues from the previous page keeps its teller (pages 2.. need not start at 1).
    """
    if type(teller) is not int:
        return
    if teller < 1:
        emit(
            "R-LEV-01",
            E,
            rel,
            f"teller is {teller}; it must be 1 or more.",
            "Number the leveringen 1, 2, 3, ...",
        )
    elif teller in seen:
        emit(
            "R-LEV-01",
            E,
            rel,
            f"teller {teller} is used by an earlier levering in this file.",
            "Number the leveringen 1, 2, 3, ... in file order, each once.",
        )
    elif teller != first + index:
        emit(
            "R-LEV-01",
            W,
            rel,
            f"teller is {teller} for levering number {index + 1} in the file (expected {first + index}).",
            "teller is the sequence number of the levering in the file: 1, 2, 3, ...",
        )
    seen.add(teller)


def check_organisation(org: Any, rel: str, envelope: bool, emit: Emit) -> None:
    """R-ORG-01..04 on `aanleverende_organisatie`."""
    if type(org) is not dict:
        return
    naam = org.get("(Statutaire) Naam")
    if pstr(naam) is None and (naam is None or type(naam) is str):
        emit(
            "R-ORG-01",
            E,
            rel + "/(Statutaire) Naam",
            "The delivering organisation has no name.",
            "Fill '(Statutaire) Naam' with the organisation's (statutory) name: every variant requires it.",
        )
    gem = pstr(org.get("gemeentecode"))
    kvk = pstr(org.get("KvK-nummer"))
    if gem is None and kvk is None:
        emit(
            "R-ORG-02",
            E,
            rel + "/KvK-nummer",
            "The delivering organisation has neither a gemeentecode nor a KvK-nummer.",
            "A gemeente fills its gemeentecode; any other organisation fills its KvK-nummer (FAQ#1).",
        )
    elif gem is not None and kvk is not None:
        emit(
            "R-ORG-02",
            W,
            rel + "/gemeentecode",
            "The delivering organisation has both a gemeentecode and a KvK-nummer.",
            "Fill gemeentecode only when the organisation is a gemeente (then no KvK-nummer); "
            "otherwise leave "
            "it empty and fill the KvK-nummer.",
        )
    elif gem is None and type(naam) is str and naam.strip().lower().startswith("gemeente "):
        emit(
            "R-ORG-02",
            I,
            rel + "/gemeentecode",
            f"The organisation {show(naam)} looks like a gemeente but has no gemeentecode.",
            "When a gemeente delivers itself, fill its gemeentecode and leave KvK-nummer empty.",
        )
    contacts = org.get("contactpersonen")
    ok = False  # a contact with a plain address (R-ORG-03 otherwise)
    if type(contacts) is list:
        for index, person in enumerate(contacts):
            email = person.get("email") if type(person) is dict else None
            if type(email) is not str:
                continue
            problem = email_problem(email)
            if problem is None:
                ok = True
            elif is_schema_email(email):  # no "@": the schema layer reports it (R-SCHEMA-01, R-FMT-03)
                emit(
                    "R-FMT-04",
                    E,
                    f"{rel}/contactpersonen/{index}/email",
                    f"E-mail {show(email)} is not a plain address: {problem}. The official schema "
                    "accepts it, but mail to it may not arrive.",
                    "Give one address like naam@organisatie.nl (no display name, no spaces); CBS sends the "
                    "op-orde report there.",
                )
    if not ok:
        emit(
            "R-ORG-03",
            E if envelope else W,
            rel + "/contactpersonen",
            "The organisation has no contact person with a valid e-mail address.",
            "Add at least one contactpersonen[] entry with an e-mail: CBS sends the op-orde-rapport there.",
        )
    if kvk is not None and not _KVK.fullmatch(kvk):
        emit(
            "R-ORG-04",
            W,
            rel + "/KvK-nummer",
            f"KvK-nummer {show(kvk)} is not 8 digits.",
            "A KvK-nummer has 8 digits, without spaces or dots.",
        )
    pc = pstr(org.get("postcode"))
    if pc is not None and not _POSTCODE.fullmatch(pc):
        emit(
            "R-ORG-04",
            W,
            rel + "/postcode",
            f"Postcode {show(pc)} is not in the form 1234AB.",
            "A Dutch postcode is 4 digits and 2 capital letters without a space (AN6).",
        )
