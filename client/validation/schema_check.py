"""Layer (c): the schema, per part of the document, with a compiled validator (jsonschema_rs).

Why per part: the reader hands us the root skeleton, each levering header and each traject; each is
checked against a validator derived from the one generated schema (`client.schema`), so memory stays
at one traject and the paths come out as absolute RFC 6901 pointers. Error paths follow the JSON
Schema convention exactly (a `required` or `additionalProperties` error sits on the object), so our
set of error paths equals what a reference validator reports on the whole file.

Fast path: a traject is first checked with `is_valid` against a *closed* variant of its schema (every
object `additionalProperties: false`). When that passes there are neither violations nor unknown keys,
which is the common case; only on failure do we iterate the real errors and walk for unknown keys.

Codes: R-NULL-01 (the value is null), R-FMT-01/02/03 (date, date-time, email: as `client.formats`
defines what the official schema accepts), R-SCHEMA-01 (the rest);
R-KEY-01 (warning) for keys the schema does not define in open objects, with a "did you mean";
R-KEY-02 (error) for keys and values of older model versions, with a migration hint.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

from client.formats import is_date, is_datetime, is_schema_email
from client.privacy import mask_text, mask_value
from client.validation.findings import Finding, Severity, pointer

__all__ = [
    "FORMATS",
    "GENERATED_SCHEMAS_FILE",
    "LEGACY_KEYS",
    "SchemaChecker",
    "default_checker",
    "format_code",
]

# `client.schema`'s output, key order kept, committed beside this module (a drift test keeps it equal):
# reading it costs a millisecond, importing pydantic and the models to generate it costs 0.1-0.2 s of
# every `ddas validate` start.
GENERATED_SCHEMAS_FILE = Path(__file__).resolve().parent / "generated_schemas.json"

_FORMAT_CODES = {"date": "R-FMT-01", "date-time": "R-FMT-02", "email": "R-FMT-03"}

# R-KEY-02: keys of model versions before v1.0, by the object they used to live in (RULES.md §4).
# The object is named by the last property name on its path ("" = the root).
LEGACY_KEYS: dict[str, dict[str, str]] = {
    "": {
        "aanleverperiodeStartdatum": "v0.8 name: rename it to 'startdatumLevering'.",
        "aanleverperiodeEinddatum": "v0.8 name: rename it to 'einddatumLevering'.",
    },
    "client": {
        "leefsituatie": (
            "v0.9 'leefsituatie' no longer exists (since v0.10): move its 'schulden' to the traject's "
            "'schulden' array (schuldhulptrajecten[].schulden, with 'soort' renamed to 'schuldsoort'); "
            "as it stands those debts are silently lost."
        ),
        "bsn": "v0.8 name: rename it to 'Burgerservicenummer'.",
        "geboortedatum": "v0.8 name: rename it to 'Geboortedatum' (capital G).",
        "geslacht": "v0.8 name: rename it to 'Geslachtsaanduiding' (values Man, Vrouw, Onbekend, Leeg).",
        "gezagsdragerbekend": "Removed in v0.9: leave it out.",
        "ondernemer": "Removed in v0.9: leave it out (record business debts as schulden[].zakelijkeSchuld).",
    },
    "intake": {
        "toelatingsbeschikking": (
            "v0.9 field, replaced in v0.10: put the date in 'beschikkingsdatum' and set 'beschikkingssoort' "
            "to 'Toelatingsbeschikking'."
        ),
    },
    "begeleiding": {"begeleidingssoort": "v0.8 object: use the field 'soort' with one of the v1.0 values."},
    "oplossing": {"oplossingssoort": "v0.8 object: use the field 'soort' with one of the v1.0 values."},
    "uitstroom": {"uitstroomredensoort": "v0.8 object: use the field 'reden' with one of the v1.0 values."},
}
_LEGACY_ANYWHERE = {key: hint for hints in LEGACY_KEYS.values() for key, hint in hints.items()}
_LEGACY_VALUES = {
    ("intake", "beschikkingssoort", "Beeindigingsbeschikking"): (
        "'Beeindigingsbeschikking' existed only in v0.10; v1.0 knows Afwijzingsbeschikking and "
        "Toelatingsbeschikking. Record the end of a traject in 'uitstroom' (datumBeeindigingsbeschikking)."
    ),
}

_JSON_TYPES = {
    type(None): "null",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "an array",
    dict: "an object",
}


def format_code(fmt: str) -> str:
    return _FORMAT_CODES.get(fmt, "R-SCHEMA-01")


def _type_name(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    """A short, masked rendering of a value for a message (BSNs never appear whole)."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = mask_text(str(value))  # nine digits anywhere (string or number) may be a BSN
    if len(text) > 60:
        text = text[:57] + "..."
    return f"'{text}'" if isinstance(value, str) else text


def _where(path: str) -> str:
    return path or "/ (the root)"


def _article(types: Iterable[str]) -> str:
    names = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "a boolean"}
    names |= {"object": "an object", "array": "an array", "null": "null"}
    return " or ".join(names.get(t, t) for t in types)


def suggest(key: str, known: Iterable[str]) -> str | None:
    """ "Did you mean": a case-insensitive match first, then the closest name by edit distance."""
    known = list(known)
    lower = {k.lower(): k for k in known}
    if key.lower() in lower:
        return lower[key.lower()]
    squashed = {k.lower().replace("_", "").replace("-", "").replace(" ", ""): k for k in known}
    probe = key.lower().replace("_", "").replace("-", "").replace(" ", "")
    if probe in squashed:
        return squashed[probe]
    close = difflib.get_close_matches(key.lower(), list(lower), n=1, cutoff=0.75)
    return lower[close[0]] if close else None


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    """Follow local `$ref`s (`#/$defs/X`) to the subschema they name."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 32:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            break
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
        seen += 1
    return node


# The fast path runs jsonschema_rs' own (native, fast) format checks, which accept year 0000 and a leap
# second where `client.formats` (the referee) does not: these patterns make it at least as strict, so a
# pass is final; a failure takes the exact path with `FORMATS`. The date one (some 20 per traject) has
# no look-ahead, so the plain regex engine runs it, not the backtracking one (15% of a traject's check):
# on a string that passes the native date format it says "the year is not 0000", as `^(?!0000)` does.
_FAST_PATTERNS = {"date": "^(?:[1-9]|0[1-9]|00[1-9]|000[1-9])", "date-time": "^(?!0000)(?!.{17}60)"}


def _closed(node: Any) -> Any:
    """A copy in which every object schema with `properties` forbids other keys (and dates are checked
    at least as strictly as `FORMATS` does, see `_FAST_PATTERNS`)."""
    if isinstance(node, list):
        return [_closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _closed(value) for key, value in node.items()}
    if isinstance(out.get("properties"), dict) and "additionalProperties" not in out:
        out["additionalProperties"] = False
    fmt = out.get("format")
    fast = _FAST_PATTERNS.get(fmt) if isinstance(fmt, str) else None
    if fast is not None and "pattern" not in out:
        out["pattern"] = fast
    return out


def _compile_fast(schema: dict[str, Any]) -> Any:
    """The fast path's validator: native formats (the e-mail one is stricter than `FORMATS`: a miss
    only sends the part down the exact path)."""
    return jsonschema_rs.validator_for(schema, validate_formats=True)


# The formats exactly as the official schema is checked (client.formats): never stricter than CBS.
FORMATS = {"date": is_date, "date-time": is_datetime, "email": is_schema_email}


def _compile(schema: dict[str, Any]) -> Any:
    """A jsonschema_rs validator for `schema` with the formats of `client.formats`."""
    return jsonschema_rs.validator_for(schema, validate_formats=True, formats=FORMATS)


class _Part:
    """One part: its schema (for walking), its validator and its closed validator (the fast path).

    Each validator is compiled on first use: a clean file needs only the closed ones of levering and
    traject, and the root's exact one, so a fresh process (`ddas validate`) compiles three, not six.
    Two threads may both compile one at first use; either result is the same validator."""

    __slots__ = ("_closed", "_validator", "schema")

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self._validator: Any = None
        self._closed: Any = None

    @property
    def validator(self) -> Any:
        if self._validator is None:
            self._validator = _compile(self.schema)
        return self._validator

    @property
    def closed(self) -> Any:
        if self._closed is None:
            self._closed = _compile_fast(_closed(self.schema))
        return self._closed


class SchemaChecker:
    """Checks the parts of one document. Build once (compiling is the expensive step) and reuse:
    `default_checker()` caches one per mode."""

    def __init__(
        self, schema: dict[str, Any] | None = None, *, bericht: dict[str, Any] | None = None
    ) -> None:
        if schema is None:
            from client.schema import uitwisselmodel_schema

            schema = uitwisselmodel_schema()
        schema = copy.deepcopy(schema)
        defs = schema.get("$defs", {})
        dialect = schema.get("$schema", "https://json-schema.org/draft/2020-12/schema")
        props = schema.get("properties", {})

        lev_container = copy.deepcopy(props.get("leveringen", {}))
        levering = copy.deepcopy(_resolve(lev_container.pop("items", {}), schema))
        lev_props = levering.get("properties", {})
        traject_container = copy.deepcopy(lev_props.get("schuldhulptrajecten", {}))
        traject = copy.deepcopy(_resolve(traject_container.pop("items", {}), schema))

        def standalone(body: dict[str, Any]) -> dict[str, Any]:
            out = {"$schema": dialect, **body}
            if defs:
                out["$defs"] = defs
            return out

        def part(body: dict[str, Any]) -> _Part:
            return _Part(standalone(body))

        # Root skeleton: `leveringen` is checked apart (container at the end, items per levering).
        root = {k: v for k, v in schema.items() if k not in ("$defs", "$schema", "$id")}
        root["properties"] = dict(props)
        root["properties"]["leveringen"] = lev_container
        self.leveringen_required = "leveringen" in root.get("required", [])
        root["required"] = [r for r in root.get("required", []) if r != "leveringen"]
        self.root = part(root)
        self.leveringen_container = _compile(
            standalone(
                {
                    "type": "object",
                    "properties": {"leveringen": lev_container},
                    "required": ["leveringen"] if self.leveringen_required else [],
                }
            )
        )
        header = dict(levering)
        header["properties"] = dict(lev_props)
        header["properties"]["schuldhulptrajecten"] = traject_container
        self.levering = part(header)
        self.traject_bounds = any(k in traject_container for k in ("minItems", "maxItems"))
        # the schema bounds no traject array today: then there is nothing to compile
        self.traject_container = _compile(standalone(traject_container)) if self.traject_bounds else None
        self.traject = part(traject)
        self.bericht: _Part | None = None
        if bericht is not None:
            env = copy.deepcopy(bericht)
            env.setdefault("properties", {})["gegevens"] = {}  # checked part by part, like a plain file
            self.bericht = _Part(env)

    # ------------------------------------------------------------------ the parts

    def root_findings(self, data: Any, prefix: str = "") -> list[Finding]:
        out = self._errors(self.root, data, prefix)
        self._walk_keys(data, self.root.schema, self.root.schema, prefix, "", out)
        return out

    def leveringen_findings(self, value: Any, prefix: str = "") -> list[Finding]:
        """`leveringen` as a container: `value` is the array (only its length matters) or MISSING."""
        return self._errors_of(self.leveringen_container, value, prefix)

    def levering_findings(self, data: Any, path: str) -> list[Finding]:
        return self._part_findings(self.levering, data, path, "leveringen")

    def traject_container_findings(self, count: int, path: str) -> list[Finding]:
        if not self.traject_bounds:
            return []
        return self._errors_of(self.traject_container, [0] * count, path + "/schuldhulptrajecten")

    def traject_findings(self, data: Any, path: str) -> list[Finding]:
        return self._part_findings(self.traject, data, path, "schuldhulptrajecten")

    @property
    def traject_valid(self) -> Callable[[Any], bool]:
        """The fast path's test of one traject (True: `traject_findings` has nothing to say), for a
        caller's hot loop: test first, and build the traject's path only when it fails."""
        check: Callable[[Any], bool] = self.traject.closed.is_valid
        return check

    def envelope_findings(self, envelope: Any) -> list[Finding]:
        if self.bericht is None:
            return []
        out = []
        for finding in self._errors(self.bericht, envelope, ""):
            code = "R-API-02" if finding.path.startswith("/paginering") else "R-API-03"
            out.append(Finding(code, finding.severity, finding.path, finding.message, finding.hint))
        return out

    # ------------------------------------------------------------------ errors -> findings

    def _errors_of(self, validator: Any, instance: Any, prefix: str) -> list[Finding]:
        return self._map(validator.iter_errors(instance), prefix, None)

    def _part_findings(self, part: _Part, data: Any, path: str, owner: str) -> list[Finding]:
        """A levering or traject: nothing when it passes the closed schema, else errors and key findings."""
        if part.closed.is_valid(data):
            return []
        out = self._errors(part, data, path)
        self._walk_keys(data, part.schema, part.schema, path, owner, out)
        return out

    def _errors(self, part: _Part, instance: Any, prefix: str) -> list[Finding]:
        return self._map(part.validator.iter_errors(instance), prefix, part.schema)

    def _map(self, errors: Iterable[Any], prefix: str, schema: dict[str, Any] | None) -> list[Finding]:
        out: list[Finding] = []
        seen_values: set[str] = set()
        for err in errors:
            path = prefix + pointer(*err.instance_path)
            finding = self._finding(err, path, schema)
            if type(err.kind).__name__ in ("Type", "Enum", "Format"):
                # A value check: null or a number where an enum string is expected fails both `type`
                # and `enum`; that is one problem with the value, so one finding.
                if path in seen_values:
                    continue
                seen_values.add(path)
            out.append(finding)
        return out

    def _known_keys(self, schema: dict[str, Any] | None, rel: list[str | int]) -> list[str]:
        if schema is None:
            return []
        node = _resolve(schema, schema)
        for part in rel:
            node = _resolve(node, schema)
            if not isinstance(node, dict):
                return []
            if isinstance(part, int):
                node = node.get("items", {})
            else:
                node = node.get("properties", {}).get(part, {})
        node = _resolve(node, schema)
        return list(node.get("properties", {})) if isinstance(node, dict) else []

    def _finding(self, err: Any, path: str, schema: dict[str, Any] | None) -> Finding:
        kind = err.kind
        name = type(kind).__name__
        value = err.instance
        label = _where(path)
        if value is None and name in ("Type", "Enum", "Format"):
            return Finding(
                "R-NULL-01",
                Severity.ERROR,
                path,
                f"{label} is null; the schema never allows null values.",
                "Leave the key out when the value is unknown or not yet known (for a running traject: omit "
                "'einddatum' instead of writing null).",
            )
        if name == "Format":
            fmt = str(kind.format)
            code = format_code(fmt)
            if fmt == "date":
                msg = f"{label} is {_show(value)}, which is not a real date in the form YYYY-MM-DD."
                hint = (
                    "Write dates as YYYY-MM-DD with an existing calendar day, e.g. 2024-02-29 "
                    "(not 20240229 or 2024-02-30)."
                )
            elif fmt == "date-time":
                msg = f"{label} is {_show(value)}, which is not an RFC 3339 date-time with a time zone."
                hint = "Write it as YYYY-MM-DDTHH:MM:SSZ (UTC) or with an offset: 2025-01-05T10:00:00+01:00."
            elif fmt == "email":
                msg = f"{label} is {_show(value)}, which is not an e-mail address: it has no '@'."
                hint = (
                    "Give one plain address like naam@organisatie.nl (no display name, no spaces); "
                    "CBS sends the op-orde report there."
                )
            else:
                msg = f"{label} is {_show(value)}, which is not a valid '{fmt}'."
                hint = f"Use the '{fmt}' format."
            return Finding(code, Severity.ERROR, path, msg, hint)
        if name == "Required":
            prop = str(kind.property)
            return Finding(
                "R-SCHEMA-01",
                Severity.ERROR,
                path,
                f"Required property '{prop}' is missing in the object at {_where(path)}.",
                f"Add '{prop}'; the official schema requires it.",
            )
        if name == "AdditionalProperties":
            unexpected = [str(k) for k in kind.unexpected]
            known = self._known_keys(schema, list(err.instance_path)) if schema is not None else []
            tips = []
            for key in unexpected:
                if key in _LEGACY_ANYWHERE:
                    tips.append(f"'{key}' is a key of an older model version: {_LEGACY_ANYWHERE[key]}")
                    continue
                guess = suggest(key, known)
                if guess:
                    tips.append(f"did you mean '{guess}' instead of '{key}'?")
            names = ", ".join(f"'{k}'" for k in unexpected)
            allowed = ", ".join(known) if known else "only the keys of the schema"
            return Finding(
                "R-SCHEMA-01",
                Severity.ERROR,
                path,
                f"Key{'s' if len(unexpected) > 1 else ''} {names} not allowed in the object at "
                f"{_where(path)}: "
                f"the official schema closes this object (additionalProperties: false). Allowed: {allowed}.",
                " ".join(tips) if tips else "Remove the key or move its data to the right place.",
            )
        if name == "Type":
            wanted = _article(str(t) for t in kind.types)
            return Finding(
                "R-SCHEMA-01",
                Severity.ERROR,
                path,
                f"{label} must be {wanted}, but is {_type_name(value)}"
                + (
                    f" ({_show(value)})."
                    if isinstance(value, str | int | float) and not isinstance(value, bool)
                    else "."
                ),
                f"Write {wanted} here"
                + (" (whole euros, no decimals or quotes)" if "integer" in wanted else "")
                + ".",
            )
        if name == "Enum":
            options = [str(o) for o in kind.options]
            hint = "Use exactly one of the listed values (spelling and capitals count)."
            if isinstance(value, str):
                guess = suggest(value, options)
                if guess:
                    hint = f"Did you mean '{guess}'? " + hint
            return Finding(
                "R-SCHEMA-01",
                Severity.ERROR,
                path,
                f"{label} is {_show(value)}, which is not an allowed value. Allowed: "
                + ", ".join(options)
                + ".",
                hint,
            )
        if name in ("MinItems", "MaxItems"):
            count = len(value) if isinstance(value, list) else 0
            bound = "at least" if name == "MinItems" else "at most"
            return Finding(
                "R-SCHEMA-01",
                Severity.ERROR,
                path,
                f"{label} has {count} item{'s' if count != 1 else ''}; "
                f"the schema requires {bound} {kind.limit}.",
                "Leave the array out when it would be empty (where it is optional)."
                if name == "MinItems"
                else f"Give {bound} {kind.limit} items.",
            )
        return Finding(
            "R-SCHEMA-01",
            Severity.ERROR,
            path,
            f"{label}: {mask_value(str(err.message))}.",
            "Make the value conform to the official Uitwisselmodel v1.0 schema.",
        )

    # ------------------------------------------------------------------ unknown and legacy keys

    def _walk_keys(
        self, instance: Any, node: Any, root: dict[str, Any], path: str, owner: str, out: list[Finding]
    ) -> None:
        """R-KEY-01/02: walk the instance along the schema (so depth is bounded by the schema)."""
        stack: list[tuple[Any, Any, str, str]] = [(instance, node, path, owner)]
        while stack:
            value, schema_node, at, name = stack.pop()
            schema_node = _resolve(schema_node, root)
            if not isinstance(schema_node, dict):
                continue
            if isinstance(value, dict):
                props = schema_node.get("properties")
                if not isinstance(props, dict):
                    continue
                closed = schema_node.get("additionalProperties") is False
                legacy = LEGACY_KEYS.get(name, {})
                for key, child in value.items():
                    here = at + pointer(key)
                    if key in props:
                        hint_v = _LEGACY_VALUES.get((name, key, child)) if isinstance(child, str) else None
                        if hint_v:
                            out.append(
                                Finding(
                                    "R-KEY-02",
                                    Severity.ERROR,
                                    here,
                                    f"'{key}' has the value '{child}' of an older model version (v0.10).",
                                    hint_v,
                                )
                            )
                        if isinstance(child, dict | list):
                            stack.append((child, props[key], here, key))
                        continue
                    hint = legacy.get(key) or (None if closed else _LEGACY_ANYWHERE.get(key))
                    if hint:
                        out.append(
                            Finding(
                                "R-KEY-02",
                                Severity.ERROR,
                                here,
                                f"Key '{key}' at {_where(at)} belongs to an older version of the "
                                "Uitwisselmodel (before v1.0); v1.0 does not know it: its data is lost.",
                                hint,
                            )
                        )
                    elif not closed:
                        guess = suggest(key, props)
                        out.append(
                            Finding(
                                "R-KEY-01",
                                Severity.WARNING,
                                here,
                                f"Unknown key '{key}' in the object at {_where(at)}: the schema does not "
                                "define it (this object is open, so the schema check lets it pass, but CBS "
                                "ignores it).",
                                f"Did you mean '{guess}'? Rename the key, or its value is lost."
                                if guess
                                else "Remove the key, or check the spelling against the Uitwisselmodel v1.0 "
                                "(known here: " + ", ".join(props) + ").",
                            )
                        )
            elif isinstance(value, list):
                items = schema_node.get("items")
                if items is None:
                    continue
                for index, child in enumerate(value):
                    if isinstance(child, dict | list):
                        stack.append((child, items, f"{at}/{index}", name))


def generated_schemas() -> dict[str, Any]:
    """{"uitwisselmodel": ..., "bericht": ...}: the committed file, or generated when it is missing."""
    try:
        data: dict[str, Any] = orjson.loads(GENERATED_SCHEMAS_FILE.read_bytes())
        return data
    except (OSError, orjson.JSONDecodeError):
        from client.schema import bericht_schema, uitwisselmodel_schema

        return {"uitwisselmodel": uitwisselmodel_schema(), "bericht": bericht_schema()}


@lru_cache(maxsize=4)
def default_checker(envelope: bool = False) -> SchemaChecker:
    """The checker for the generated schema (compiled once per process and mode)."""
    schemas = generated_schemas()
    return SchemaChecker(schemas["uitwisselmodel"], bericht=schemas["bericht"] if envelope else None)
