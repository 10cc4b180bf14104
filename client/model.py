"""Uitwisselmodel v1.0 as pydantic v2 models, wire names as aliases.

Why these choices:
- Parsing then dumping an official example must give the same JSON back, so every optional field
  defaults to "unset" and `dump_document` excludes unset fields; explicit `null` is rejected (the
  official schema allows `null` nowhere for the known properties; R-NULL-01).
- Unknown keys are forbidden exactly where the official schema has `additionalProperties: false`
  (root, levering, schuldhulptraject); elsewhere they are kept (and dumped back) so that the validator,
  not the model, can report them as R-KEY-01 warnings.
- Dates are real `date`s but only accepted as `YYYY-MM-DD`, so they dump back unchanged; the delivery
  timestamp keeps its original text (so `Z` stays `Z`).
- `client.schema` generates the JSON Schema from these classes, so they carry the schema's constraints
  (enums, formats, minItems/maxItems, required) and nothing the schema does not have.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import orjson
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictStr,
    WithJsonSchema,
    WrapValidator,
    field_validator,
)
from pydantic_core.core_schema import ValidatorFunctionWrapHandler

from client.formats import is_date, is_datetime, is_schema_email

__all__ = [
    "AanleverendeOrganisatie",
    "Aanmelding",
    "Begeleiding",
    "Begeleidingssoort",
    "Bericht",
    "Beschikkingssoort",
    "Client",
    "Contactpersoon",
    "Crisisinterventie",
    "Geslacht",
    "InformatieEnAdvies",
    "Intake",
    "Levering",
    "Moratorium",
    "Nazorg",
    "Oplossing",
    "Oplossingssoort",
    "Paginering",
    "PlanVanAanpak",
    "Schuld",
    "Schuldeiser",
    "Schuldensoort",
    "Schuldhulptraject",
    "Schuldregeling",
    "Stabilisatie",
    "Uitstroom",
    "Uitstroomreden",
    "Uitwisselmodel",
    "VoorlopigeVoorziening",
    "dump_document",
    "parse_document",
]


# --------------------------------------------------------------------------- enumerations (SCH $defs)


class Beschikkingssoort(StrEnum):
    """`$defs.EnumBeschikkingssoort` (v1.0 dropped `Beeindigingsbeschikking`)."""

    AFWIJZINGSBESCHIKKING = "Afwijzingsbeschikking"
    TOELATINGSBESCHIKKING = "Toelatingsbeschikking"


class Geslacht(StrEnum):
    """`$defs.geslacht`. Defined but never referenced by the official schema (Q-SCH-01): the field
    `Geslachtsaanduiding` is a plain string, so this enum is for the rules and the generator only."""

    MAN = "Man"
    VROUW = "Vrouw"
    ONBEKEND = "Onbekend"
    LEEG = "Leeg"


class Begeleidingssoort(StrEnum):
    BUDGETCOACHING = "Budgetcoaching"
    BUDGETBEHEER = "Budgetbeheer"
    BESCHERMINGSBEWIND = "Beschermingsbewind"
    LANGE_TERMIJN_BEGELEIDING_DFD = "Lange Termijn Begeleiding (DFD)"
    BUDGETBEGELEIDING = "Budgetbegeleiding"


class Uitstroomreden(StrEnum):
    OVERLEDEN = "Overleden"
    VERHUISD = "Verhuisd"
    NIETVERSCHENEN = "Nietverschenen"
    INGETROKKEN = "Ingetrokken"
    NIET_PASSEND = "Niet passend"
    OVERIG = "Overig"
    VOLDOET_NIET = "Voldoet niet"
    AFGEROND = "Afgerond"
    ZELF = "Zelf"


class Schuldensoort(StrEnum):
    ZORG = "Zorg"
    PUBLIEK = "Publiek"
    NUTS = "Nuts"
    OVERIG = "Overig"


class Oplossingssoort(StrEnum):
    BETALINGSREGELING = "Betalingsregeling"
    HERFINANCIERING = "Herfinanciering"
    SANERINGSKREDIET = "Saneringskrediet"
    SCHULDBEMIDDELING = "Schuldbemiddeling"
    NUL_PROCENT_AANBOD = "0%-aanbod"


# --------------------------------------------------------------------------- scalar types

# Formats: one definition in client.formats (the model accepts exactly what the official schema does).


def _to_date(value: Any) -> Any:
    """Accept only `YYYY-MM-DD` text (or a `date`), so that a dump reproduces the input exactly."""
    if isinstance(value, str):
        if not is_date(value):
            raise ValueError("a date must be a real calendar day written as YYYY-MM-DD")
        return date.fromisoformat(value)
    if isinstance(value, datetime):
        raise ValueError("a date is expected, not a date-time")
    if isinstance(value, date):
        return value
    raise ValueError("a date must be a string YYYY-MM-DD")


Datum = Annotated[
    date,
    BeforeValidator(_to_date),
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
]
"""`$defs.datum`: `{"type": "string", "format": "date"}`."""


class DatumTijdValue(datetime):
    """A timezone-aware datetime that remembers the text it was read from, so it dumps back unchanged."""

    __slots__ = ("text",)
    text: str | None

    @classmethod
    def from_datetime(cls, value: datetime, text: str | None = None) -> DatumTijdValue:
        out = cls(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            value.tzinfo,
            fold=value.fold,
        )
        out.text = text
        return out

    def wire(self) -> str:
        text = getattr(self, "text", None)  # absent after copy/pickle (datetime's reduce drops slots)
        return text if text is not None else format_datetime(self)


def format_datetime(value: datetime) -> str:
    """RFC 3339 text with `Z` for UTC (the form the official examples use)."""
    offset = value.utcoffset()
    if offset is None:
        raise ValueError("a date-time needs a time zone")
    text = value.replace(tzinfo=None).isoformat()
    if offset.total_seconds() == 0:
        return text + "Z"
    return text + value.isoformat()[-6:]


def _to_datetime(value: Any, handler: ValidatorFunctionWrapHandler) -> DatumTijdValue:
    if isinstance(value, DatumTijdValue):
        return value
    if isinstance(value, str):
        if not is_datetime(value):
            raise ValueError("a date-time must be RFC 3339 with a zone, e.g. 2025-01-01T00:00:00Z")
        parsed = handler(value)
        return DatumTijdValue.from_datetime(parsed, value)
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError("a date-time needs a time zone (e.g. UTC, written as Z)")
        return DatumTijdValue.from_datetime(value)
    raise ValueError("a date-time must be a string like 2025-01-01T00:00:00Z")


DatumTijd = Annotated[
    datetime,
    WrapValidator(_to_datetime),
    PlainSerializer(
        lambda d: d.wire() if isinstance(d, DatumTijdValue) else format_datetime(d), return_type=str
    ),
]
"""`$defs.datum-tijd`: `{"type": "string", "format": "date-time"}`; keeps its original text."""


def _check_email(value: Any) -> Any:
    """What the official schema accepts (client.formats); a stricter address check is R-FMT-04's."""
    if not isinstance(value, str):
        raise ValueError("an e-mail address must be a string")
    if not is_schema_email(value):
        raise ValueError("not an e-mail address: it has no '@'")
    return value


Email = Annotated[
    str,
    BeforeValidator(_check_email),
    WithJsonSchema({"type": "string", "format": "email"}),
]
"""`$defs.email`: what the official schema accepts (R-FMT-03), kept as written; see client.formats."""


def _to_bedrag(value: Any) -> Any:
    """JSON Schema `integer`: ints, and floats with a zero fraction (`10000.0`); no bools, no strings."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("an amount must be a whole number of euros (a JSON integer)")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("an amount must be whole euros")
        return int(value)
    return value


Bedrag = Annotated[int, BeforeValidator(_to_bedrag)]
"""`$defs.bedrag`: whole euros."""

Integer = Annotated[int, BeforeValidator(_to_bedrag)]


# --------------------------------------------------------------------------- bases


class _Wire(BaseModel):
    """Base of every model: aliases on the wire, python names in code, `null` never accepted."""

    model_config = ConfigDict(populate_by_name=True, extra="allow", use_enum_values=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("null is not allowed: omit the key when the value is unknown (R-NULL-01)")
        return value


class _Closed(_Wire):
    """Objects with `additionalProperties: false` in the official schema."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")


# --------------------------------------------------------------------------- organisation


class Contactpersoon(_Wire):
    email: Email | None = None
    functietitel: StrictStr | None = None
    naam: StrictStr | None = None
    telefoonnummer: StrictStr | None = None


class AanleverendeOrganisatie(_Wire):
    """The delivering organisation: a gemeente (gemeentecode, no KvK) or a third party (KvK)."""

    statutaire_naam: StrictStr | None = Field(default=None, alias="(Statutaire) Naam")
    kvk_nummer: StrictStr | None = Field(default=None, alias="KvK-nummer")
    postcode: StrictStr | None = None
    gemeentecode: StrictStr | None = None
    contactpersonen: Annotated[list[Contactpersoon], Field(min_length=1)] | None = None


# --------------------------------------------------------------------------- phases


class Aanmelding(_Wire):
    crisisinterventie: StrictBool | None = None
    einddatum: Datum | None = None
    startdatum: Datum | None = None


class Begeleiding(_Wire):
    einddatum: Datum | None = None
    soort: Begeleidingssoort | None = None
    startdatum: Datum | None = None


class Client(_Wire):
    """One client. `Geboortedatum` and `Geslachtsaanduiding` are plain strings in the official schema
    (Q-SCH-01/02); the rules check their values."""

    burgerservicenummer: StrictStr | None = Field(default=None, alias="Burgerservicenummer")
    geboortedatum: StrictStr | None = Field(default=None, alias="Geboortedatum")
    geslachtsaanduiding: StrictStr | None = Field(default=None, alias="Geslachtsaanduiding")
    postcode: StrictStr | None = Field(default=None, alias="Postcode")
    huisnummer: StrictStr | None = Field(default=None, alias="Huisnummer")
    huisnummertoevoeging: StrictStr | None = Field(default=None, alias="Huisnummertoevoeging")


class Crisisinterventie(_Wire):
    einddatum: Datum | None = None
    startdatum: Datum | None = None


class InformatieEnAdvies(_Wire):
    einddatum: Datum | None = None
    startdatum: Datum | None = None


class Intake(_Wire):
    beschikkingsdatum: Datum | None = None
    beschikkingssoort: Beschikkingssoort | None = None
    einddatum: Datum | None = None
    startdatum: Datum | None = None


class Moratorium(_Wire):
    datum_aanvraag: Datum | None = Field(default=None, alias="datumAanvraag")
    datum_goedkeuring: Datum | None = Field(default=None, alias="datumGoedkeuring")
    einddatum: Datum | None = None
    startdatum: Datum | None = None


class Nazorg(_Wire):
    einddatum: Datum | None = None
    startdatum: Datum | None = None


class Oplossing(_Wire):
    einddatum: Datum | None = None
    soort: Oplossingssoort | None = None
    startdatum: Datum | None = None
    vtlb: Bedrag | None = None


class PlanVanAanpak(_Wire):
    datum_afronding: Datum | None = Field(default=None, alias="datumAfronding")


class Schuldeiser(_Wire):
    """`naam` and `Naam` are two different keys; FAQ#9 asks for both with the same value (R-SCH-01)."""

    naam: StrictStr | None = None
    kvknummer: StrictStr | None = None
    naam_subject: StrictStr | None = Field(default=None, alias="Naam")
    postcode: StrictStr | None = None
    privepersoon: StrictBool | None = None


class Schuld(_Wire):
    bedrag: Bedrag | None = None
    peildatum: Datum | None = None
    schuldsoort: Schuldensoort | None = None
    zakelijke_schuld: StrictBool | None = Field(default=None, alias="zakelijkeSchuld")
    schuldeiser: Schuldeiser | None = None


class Schuldregeling(_Wire):
    afgewezen: Datum | None = None
    datum: Datum | None = None
    datum_verzoek_dwangakkoord: Datum | None = Field(default=None, alias="datumVerzoekDwangakkoord")
    dwangakkoord: StrictBool | None = None
    ingetrokken: Datum | None = None
    toegekend: Datum | None = None


class VoorlopigeVoorziening(_Wire):
    einddatum: Datum | None = None
    startdatum: Datum | None = None


class Uitstroom(_Wire):
    datum: Datum | None = None
    datum_beeindigingsbeschikking: Datum | None = Field(default=None, alias="datumBeeindigingsbeschikking")
    omschrijving: StrictStr | None = None
    reden: Uitstroomreden | None = None


class Stabilisatie(_Wire):
    einddatum: Datum | None = None
    startdatum: Datum | None = None


# --------------------------------------------------------------------------- traject, levering, root


class Schuldhulptraject(_Closed):
    """One debt-assistance traject. Only `gemeentecode` is required by the official schema."""

    einddatum: Datum | None = None
    omschrijving: StrictStr | None = None
    startdatum: Datum | None = None
    toekenningsdatum: Datum | None = None
    totaal_schuldbedrag_bij_aanvang_schuld: Bedrag | None = Field(
        default=None, alias="totaalSchuldbedragBijAanvangSchuld"
    )
    gemeentecode: StrictStr
    aanmelding: Aanmelding | None = None
    begeleiding: list[Begeleiding] | None = None
    client: Annotated[list[Client], Field(min_length=1, max_length=2)] | None = None
    crisisinterventies: list[Crisisinterventie] | None = None
    informatie_en_advies: InformatieEnAdvies | None = Field(default=None, alias="informatieEnAdvies")
    intake: Intake | None = None
    moratoria: list[Moratorium] | None = None
    nazorg: Nazorg | None = None
    oplossing: Oplossing | None = None
    plan_van_aanpak: PlanVanAanpak | None = Field(default=None, alias="planVanAanpak")
    schulden: list[Schuld] | None = None
    schuldregeling: Schuldregeling | None = None
    voorlopige_voorzieningen: list[VoorlopigeVoorziening] | None = Field(
        default=None, alias="voorlopigeVoorzieningen"
    )
    uitstroom: Uitstroom | None = None
    stabilisatie: Stabilisatie | None = None


class Levering(_Closed):
    """One organisation with its trajecten; `teller` is the sequence number 1..n in the file."""

    teller: Integer
    aanleverende_organisatie: AanleverendeOrganisatie
    schuldhulptrajecten: list[Schuldhulptraject] | None = None


class Uitwisselmodel(_Closed):
    """The root of a delivery file (and of `gegevens` in an API message)."""

    startdatum_levering: Datum = Field(alias="startdatumLevering")
    einddatum_levering: Datum = Field(alias="einddatumLevering")
    aanleverdatum_en_tijd: DatumTijd = Field(alias="aanleverdatumEnTijd")
    code_gegevensleverancier: StrictStr = Field(alias="codeGegevensleverancier")
    leveringen: Annotated[list[Levering], Field(min_length=1)]


# --------------------------------------------------------------------------- API envelope (DDAS-SHV.yaml)


class Paginering(_Wire):
    """`components.schemas.Paginering` of the official OpenAPI: all four fields required when present."""

    page_size: Annotated[int, Field(ge=1, strict=True)] = Field(alias="pageSize")
    current_page: Annotated[int, Field(ge=1, strict=True)] = Field(alias="currentPage")
    total_pages: Annotated[int, Field(ge=1, strict=True)] = Field(alias="totalPages")
    total_records: Annotated[int, Field(ge=0, strict=True)] = Field(alias="totalRecords")


class Bericht(_Wire):
    """The 200 response of `POST /gegevens` (and the push message): `gegevens` plus optional `paginering`."""

    gegevens: Uitwisselmodel
    paginering: Paginering | None = None


# --------------------------------------------------------------------------- helpers


def parse_document(data: bytes | str | dict[str, Any]) -> Uitwisselmodel:
    """Parse a delivery file's bytes (or an already parsed dict) into the model.

    Raises `pydantic.ValidationError` (locations use the wire names) or `orjson.JSONDecodeError`.
    """
    if isinstance(data, bytes | str):
        data = orjson.loads(data)
    return Uitwisselmodel.model_validate(data)


def parse_bericht(data: bytes | str | dict[str, Any]) -> Bericht:
    """Parse an API message `{"gegevens": ..., "paginering": ...}`."""
    if isinstance(data, bytes | str):
        data = orjson.loads(data)
    return Bericht.model_validate(data)


def to_wire(model: BaseModel) -> dict[str, Any]:
    """The JSON-able dict of a model: wire names, only what was set (so no invented `null`s)."""
    out: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return out


def dump_document(model: BaseModel) -> bytes:
    """Serialise a model (usually `Uitwisselmodel` or `Bericht`) to compact JSON bytes; exact round trip."""
    return orjson.dumps(to_wire(model))
