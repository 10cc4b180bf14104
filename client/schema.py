"""JSON Schema 2020-12 of Uitwisselmodel v1.0 and of the API message, generated from `client.model`.

Why generated: one source of truth. The models are what the code uses; the schema the validator compiles
(and that `openapi/` publishes) is derived from them and tested to be semantically equal to the official
schema (same required lists, enums, formats, array bounds, `additionalProperties: false` on exactly the
root, levering and traject). A drift test keeps the committed files equal to what this module generates.

`python -m client.schema --write` regenerates `openapi/uitwisselmodel-v1.0.schema.json` and
`openapi/bericht.schema.json`, and the validator's copy `client/validation/generated_schemas.json`.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from client.model import Bericht, Uitwisselmodel

__all__ = [
    "BERICHT_SCHEMA_FILE",
    "DIALECT",
    "UITWISSELMODEL_SCHEMA_FILE",
    "bericht_schema",
    "render",
    "render_generated",
    "traject_schema",
    "uitwisselmodel_schema",
    "write_schemas",
]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ROOT = Path(__file__).resolve().parent.parent
UITWISSELMODEL_SCHEMA_FILE = ROOT / "openapi" / "uitwisselmodel-v1.0.schema.json"
BERICHT_SCHEMA_FILE = ROOT / "openapi" / "bericht.schema.json"

# Keywords whose value is a map of name -> subschema (the names are data, not keywords).
_SCHEMA_MAPS = ("properties", "$defs", "patternProperties", "dependentSchemas")
# Keywords whose value is a subschema or a list of subschemas.
_SUBSCHEMA = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames")
_SUBSCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")


class _WireSchema(GenerateJsonSchema):
    """pydantic's generator, minus what the official schema does not have.

    Optional fields are `X | None = None` in Python, but `null` is never allowed on the wire (R-NULL-01)
    and the default is "absent", so both the `null` branch and `"default": null` are dropped.
    """

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])


def _clean(node: Any) -> Any:
    """Drop titles (pydantic's are made from Python names) and `additionalProperties: true` (the
    official schema leaves open objects without the keyword)."""
    if isinstance(node, list):
        return [_clean(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title":
            continue
        if key == "additionalProperties" and value is True:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _clean(sub) for name, sub in value.items()}
        elif key in _SUBSCHEMA or key in _SUBSCHEMA_LISTS:
            out[key] = _clean(value)
        else:
            out[key] = value
    return out


def _generate(model: type[BaseModel], title: str, description: str) -> dict[str, Any]:
    raw = model.model_json_schema(by_alias=True, mode="validation", schema_generator=_WireSchema)
    body = _clean(raw)
    out: dict[str, Any] = {"$schema": DIALECT, "title": title, "description": description}
    out.update({k: v for k, v in body.items() if k not in ("$schema", "description")})
    return out


@lru_cache(maxsize=1)
def _uitwisselmodel() -> dict[str, Any]:
    return _generate(
        Uitwisselmodel,
        "Uitwisselmodel",
        "DDAS SHV Uitwisselmodel v1.0, generated from client.model (semantically equal to the official "
        "json_schema_Uitwisselmodel.json of VNG-Realisatie/ddas v1.0).",
    )


@lru_cache(maxsize=1)
def _bericht() -> dict[str, Any]:
    return _generate(
        Bericht,
        "Bericht",
        "The 200 response of POST /gegevens (DDAS-SHV.yaml) and the push message: "
        "gegevens (Uitwisselmodel v1.0) plus paginering when the delivery is paged.",
    )


def uitwisselmodel_schema() -> dict[str, Any]:
    """The Uitwisselmodel schema; `$defs` holds `Levering` and `Schuldhulptraject` (and the rest).

    Returns a fresh copy each call (the generated schema itself is cached), so callers may mutate it.
    """
    return copy.deepcopy(_uitwisselmodel())


def bericht_schema() -> dict[str, Any]:
    """The API message schema `{"gegevens": Uitwisselmodel, "paginering"?: Paginering}`."""
    return copy.deepcopy(_bericht())


def traject_schema() -> dict[str, Any]:
    """A schema for one traject on its own (for validators that check trajecten one at a time)."""
    full = _uitwisselmodel()
    return {"$schema": DIALECT, "$ref": "#/$defs/Schuldhulptraject", "$defs": copy.deepcopy(full["$defs"])}


def render(schema: dict[str, Any]) -> str:
    """The committed form: sorted keys, 2-space indent, trailing newline (stable diffs)."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_generated() -> bytes:
    """The validator's copy (`client.validation.schema_check.GENERATED_SCHEMAS_FILE`): both schemas in
    their generated key order (messages list properties in that order), compact."""
    import orjson

    return orjson.dumps({"uitwisselmodel": _uitwisselmodel(), "bericht": _bericht()}) + b"\n"


def write_schemas(
    uitwisselmodel_path: Path = UITWISSELMODEL_SCHEMA_FILE,
    bericht_path: Path = BERICHT_SCHEMA_FILE,
    generated_path: Path | None = None,
) -> list[Path]:
    from client.validation.schema_check import GENERATED_SCHEMAS_FILE

    written = []
    for path, schema in ((uitwisselmodel_path, _uitwisselmodel()), (bericht_path, _bericht())):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    generated = generated_path or GENERATED_SCHEMAS_FILE
    generated.write_bytes(render_generated())
    written.append(generated)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m client.schema", description=__doc__)
    parser.add_argument("--write", action="store_true", help="write the schemas into openapi/")
    parser.add_argument("--bericht", action="store_true", help="print the API message schema instead")
    args = parser.parse_args(argv)
    if args.write:
        for path in write_schemas():
            print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        return 0
    sys.stdout.write(render(_bericht() if args.bericht else _uitwisselmodel()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
