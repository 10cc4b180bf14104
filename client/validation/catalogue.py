"""The catalogue of finding codes (RULES.md) and the two severity profiles.

Every finding any layer emits carries one of these codes. `Rule.severity` is the severity RULES.md
lists (where it lists two, the higher one): that is what the `strict` profile reports. The
`standard` profile caps everything at warning except the handful of codes that stand for what
CBS's technical check rejects (encoding, JSON, schema, pre-v1.0 keys, file names, API envelope).
"""

from __future__ import annotations

from dataclasses import dataclass

from client.validation.findings import Profile, Severity

__all__ = ["RULES", "STANDARD_ERRORS", "Rule", "effective_severity", "markdown_table"]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


@dataclass(frozen=True, slots=True)
class Rule:
    """One catalogue entry. `checked_by`: which part emits it (rules engine, a validation layer, ...)."""

    code: str
    title: str
    severity: Severity
    source: str
    checked_by: str = "rules"
    cases: str = ""  # when the severity depends on the case: which case gets which listed severity


# Codes that stay errors under `standard` (RULES.md "Severity profiles").
STANDARD_ERRORS: frozenset[str] = frozenset(
    {
        "R-ENC-01",
        "R-JSON-01",
        "R-SCHEMA-01",
        "R-FMT-01",
        "R-FMT-02",
        "R-FMT-03",
        "R-NULL-01",
        "R-KEY-02",
        "R-FILE-01",
        "R-API-01",
        "R-API-02",
        "R-API-03",
        "R-INTERNAL-01",
    }
)

_L = "layers"
_X = "cross-file"
_G = "guidance"
_P = "planner"

_ENTRIES: tuple[tuple[str, str, Severity, str, str], ...] = (
    # A. File, encoding, technical (validation layers)
    ("R-ENC-01", "File is valid UTF-8", E, "US §Encoding; API-BER §Encoding", _L),
    ("R-ENC-02", "No byte-order mark", W, "inferred; RFC 8259 §8.1", _L),
    ("R-JSON-01", "Valid JSON without duplicate keys", E, "RFC 8259", _L),
    ("R-SCHEMA-01", "Conforms to the official Uitwisselmodel v1.0 schema", E, "SCH", _L),
    ("R-FMT-01", "Dates are real YYYY-MM-DD calendar dates", E, "SCH $defs.datum", _L),
    ("R-FMT-02", "aanleverdatumEnTijd is an RFC 3339 date-time with zone", E, "SCH $defs.datum-tijd", _L),
    ("R-FMT-03", "Contact e-mail has the form the schema checks (an '@')", E, "SCH $defs.email; FAQ#20", _L),
    (
        "R-FMT-04",
        "Contact e-mail is a plain RFC 5321 address",
        E,
        "SCH $defs.email (RFC 5321); FAQ#20",
        "rules",
    ),
    ("R-NULL-01", "No null values", E, "SCH", _L),
    ("R-KEY-01", "Unknown key in an open object", W, "SCH (open nested objects)", _L),
    ("R-KEY-02", "Key or value from a pre-v1.0 model version", E, "schema diffs v0.8-v1.0; FAQ#5", _L),
    ("R-FILE-01", "File name follows the protocol", E, "Aanleverprotocol", _L),
    # B. Delivery period and inclusion
    ("R-PERIOD-01", "startdatumLevering <= einddatumLevering", E, "SCH root; US §Inleiding 1", "rules"),
    (
        "R-PERIOD-02",
        "Delivery timestamp after the period and not in the future",
        W,
        "US §Inleiding 1",
        "rules",
    ),
    ("R-PERIOD-03a", "Traject starts after the delivery period", E, "US §Inleiding 3", "rules"),
    ("R-PERIOD-03b", "Traject ended before the delivery period", W, "US §Inleiding 3; FAQ#18", "rules"),
    ("R-PERIOD-04", "Date after the delivery timestamp", E, "inferred-logical; DET §Oplossing", "rules"),
    ("R-PERIOD-05", "Date after the period end", I, "inferred; API-BER §Vraagbericht", "rules"),
    ("R-PERIOD-06", "Open traject of the previous delivery reappears", W, "US §Inleiding 3", _X),
    ("R-PERIOD-07", "Period is not a calendar quarter, half-year or year", I, "API-BER", "rules"),
    # C. Metadata, leveringen, organisation
    ("R-META-01", "codeGegevensleverancier is vendor name + version", W, "FAQ#13; US", "rules"),
    ("R-LEV-01", "teller is the sequence number 1..n", E, "US §Aanlevering voor meerdere gemeenten", "rules"),
    ("R-LEV-02", "Levering without trajecten", W, "inferred", "rules"),
    (
        "R-LEV-03",
        "One levering per organisation and gemeente",
        W,
        "US §Aanlevering voor meerdere gemeenten",
        "rules",
    ),
    ("R-ORG-01", "Organisation name present", E, "US §Uitwisselvarianten", "rules"),
    (
        "R-ORG-02",
        "Organisation gemeentecode versus KvK-nummer",
        E,
        "FAQ#1; US §Gebruik gemeentecode",
        "rules",
    ),
    ("R-ORG-03", "A contact person with a valid e-mail", W, "FAQ#20; SCH", "rules"),
    (
        "R-ORG-04",
        "Organisation KvK-nummer and postcode format",
        W,
        "DET §Schuldhulporganisatie; EXT",
        "rules",
    ),
    # D. Gemeentecode
    ("R-GEM-01", "Traject gemeentecode filled", E, "FAQ#1; FAQ#19; SCH required", "rules"),
    ("R-GEM-02", "Onbekend used (or misspelt)", E, "FAQ#19", "rules"),
    ("R-GEM-03", "Gemeentecode format GM+4 digits or 4 digits", E, "DET AN4; EXT CBS", "rules"),
    ("R-GEM-04", "One gemeentecode per levering", E, "US §Aanlevering voor meerdere gemeenten 3.1", "rules"),
    (
        "R-GEM-05",
        "Traject gemeentecode equals the organisation's",
        W,
        "US §Aanlevering door de gemeente zelf",
        "rules",
    ),
    ("R-GEM-06", "Consistent gemeentecode notation in a file", W, "inferred", "rules"),
    ("R-GEM-07", "Gemeentecode is not derived from the client address", I, "US §Inleiding 4; FAQ#1", _G),
    # E. Clients and identity
    ("R-CLIENT-01", "One or two clients per traject", E, "HFD; UIT §Cliëntgegevens", "rules"),
    ("R-CLIENT-02", "Two clients in a traject are different persons", E, "inferred-logical", "rules"),
    ("R-ID-01", "Client identifiable by BSN or full fallback", E, "UIT §Cliëntgegevens", "rules"),
    ("R-ID-BSN-01", "BSN is exactly 9 digits", E, "DET §Client AN9", "rules"),
    ("R-ID-BSN-02", "BSN passes the elfproef", E, "EXT (BSN 11-proef)", "rules"),
    ("R-ID-BSN-03", "Placeholder BSN", E, "inferred", "rules"),
    ("R-CLIENT-GESL-01", "Geslachtsaanduiding is Man, Vrouw, Onbekend or Leeg", E, "FAQ#16; DET", "rules"),
    ("R-CLIENT-GEB-01", "Geboortedatum is a valid YYYY-MM-DD date", E, "DET §Client", "rules"),
    ("R-CLIENT-GEB-02", "Geboortedatum plausible", E, "inferred", "rules"),
    ("R-CLIENT-ADR-01", "Client postcode format", W, "DET §Client AN6", "rules"),
    ("R-CLIENT-ADR-02", "House number and toevoeging format", W, "DET §Client", "rules"),
    ("R-CLIENT-OVL-01", "One traject per client at a time", W, "HFD §Hoofdindeling; FAQ#18", "rules"),
    ("R-CLIENT-OVL-02", "Possible partners in separate trajecten", I, "HFD §Hoofdindeling", "rules"),
    # F. Traject-level fields
    ("R-TRAJ-01", "Traject startdatum present", W, "UIT; US §Inleiding", "rules"),
    ("R-TRAJ-02", "Traject startdatum <= einddatum", E, "inferred-logical", "rules"),
    ("R-TRAJ-03", "Empty traject", W, "inferred", "rules"),
    ("R-TRAJ-04", "omschrijving may hold personal data", I, "FAQ#14; ACH", "rules"),
    ("R-TRAJ-05", "Total debt at start present and plausible", W, "UIT; SCH", "rules"),
    # G. Dates
    ("R-DATE-PHASE-01", "Phase startdatum <= einddatum", E, "inferred-logical", "rules"),
    ("R-DATE-PHASE-02", "Phase einddatum without startdatum", W, "inferred", "rules"),
    ("R-DATE-PHASE-03", "Empty phase object", W, "inferred", "rules"),
    ("R-DATE-ORDER-01", "Phase order aanmelding..nazorg", W, "HFD §Processen", "rules"),
    ("R-DATE-ORDER-02", "Predecessor ends before successor starts", I, "inferred", "rules"),
    ("R-DATE-ORDER-03", "Aanmelding is the first contact", W, "DET §Aanmelding", "rules"),
    ("R-DATE-TRAJ-01", "Phase dates inside the traject", W, "HFD Figure 3; DET §Nazorg", "rules"),
    ("R-DATE-TRAJ-02", "Open phases on a closed traject", W, "inferred", "rules"),
    ("R-DATE-PVA-01", "Plan van aanpak after intake start", W, "DET §Intake", "rules"),
    # H. Intake
    ("R-INT-01", "intake.einddatum equals beschikkingsdatum", W, "FAQ#7; FAQ#12", "rules"),
    ("R-INT-02", "beschikkingsdatum and beschikkingssoort together", W, "inferred", "rules"),
    ("R-INT-03", "beschikkingsdatum >= intake.startdatum", E, "DET §Intake", "rules"),
    ("R-INT-04", "beschikkingssoort is Afwijzing- or Toelatingsbeschikking", E, "SCH; FAQ#5", "rules"),
    ("R-INT-05", "Rejected intake continues", W, "DET §Intake", "rules"),
    # I. Schuldregeling
    ("R-SR-01", "dwangakkoord needs toegekend", E, "FAQ#8", "rules"),
    ("R-SR-02", "toekenningsdatum equals schuldregeling.toegekend", E, "FAQ#15; UIT", "rules"),
    ("R-SR-03", "At most one schuldregeling outcome", W, "UIT §Schuldregeling", "rules"),
    ("R-SR-04", "Outcome after submission", E, "DET §Schuldregeling", "rules"),
    ("R-SR-05", "Dwangakkoord dates", W, "DET/UIT §Schuldregeling", "rules"),
    ("R-SR-06", "toekenningsdatum inside the traject", W, "inferred", "rules"),
    (
        "R-SR-07",
        "Settlement oplossing needs a granted schuldregeling",
        W,
        "DET §Schuldregeling; FAQ#17",
        "rules",
    ),
    ("R-SR-08", "Settlement oplossing after a failed schuldregeling", W, "inferred", "rules"),
    # J. Oplossing
    ("R-OPL-01", "Settlement at most 18 months", W, "DET/UIT §Schuldregeling", "rules"),
    ("R-OPL-02", "vtlb plausible (euros per month)", W, "DET §Oplossing", "rules"),
    ("R-OPL-03", "One oplossing; 0%-aanbod spelling", I, "HFD §Processen; FAQ#17", "rules"),
    # K. Uitstroom
    ("R-END-01", "The three end dates agree", E, "FAQ#21; DET §Uitstroom", "rules"),
    ("R-END-02", "The three end dates complete", W, "FAQ#21", "rules"),
    ("R-END-03", "Ending needs a reason and a date", W, "HFD §Processen; UIT; DET", "rules"),
    ("R-END-04", "uitstroom without reden", W, "inferred", "rules"),
    # L. Crisis, moratorium, begeleiding, nazorg, voorlopige voorziening
    ("R-CRI-01", "Crisis flag needs crisis records", W, "UIT §Aanmelding", "rules"),
    ("R-CRI-02", "Flag false but crisis during aanmelding", I, "inferred", "rules"),
    ("R-MOR-01", "Moratorium date order", E, "DET §Moratorium", "rules"),
    ("R-MOR-02", "Moratorium at most six months", W, "DET/UIT §Moratorium", "rules"),
    ("R-MOR-03", "Moratorium while a schuldregeling is handled", I, "DET §Moratorium", "rules"),
    ("R-BEG-01", "Overlapping begeleiding of the same kind", W, "FAQ#18", "rules"),
    ("R-BEG-02", "Beschermingsbewind for adults only", W, "DET §EnumBegeleidingssoort", "rules"),
    ("R-NAZ-01", "Nazorg after oplossing", I, "DET §Nazorg; FAQ#11", "rules"),
    ("R-VV-01", "Voorlopige voorziening also recorded elsewhere", I, "DET §VoorlopigeVoorziening", "rules"),
    # M. Schulden
    ("R-SCH-01", "schuldeiser naam and Naam equal", E, "FAQ#9", "rules"),
    ("R-SCH-02", "peildatum inside the traject", W, "DET §Schuld; UIT", "rules"),
    ("R-SCH-03", "Complete debt record", W, "UIT; HFD Figure 4", "rules"),
    ("R-SCH-04", "Creditor KvK number", W, "DET AN20; EXT", "rules"),
    ("R-SCH-05", "Creditor postcode", W, "DET §Schuldeiser", "rules"),
    ("R-SCH-06", "Several debts per creditor are legitimate", I, "SCH", _G),
    # N. Amounts
    ("R-AMT-01", "Whole euros", I, "SCH $defs.bedrag", "rules"),
    ("R-AMT-02", "No negative amounts", E, "DET §Schuld, §Oplossing", "rules"),
    ("R-AMT-03", "Amount plausible", W, "inferred", "rules"),
    # O. API mode
    ("R-API-01", "At most 25 000 trajecten per message", E, "API-NF §Performance", "rules"),
    ("R-API-02", "Pagination fields complete and consistent", E, "OAS Paginering; API-NF", "rules"),
    ("R-API-03", "Response envelope {gegevens, paginering?}", E, "OAS /gegevens 200", "rules"),
    ("R-API-04", "Period matches the request", W, "API-BER §Vraagbericht", "rules"),
    # P. Hygiene and project codes
    ("R-PRIV-01", "No BSNs in reports (masked)", I, "API-NF §Logging", _G),
    ("R-DUP-01", "Duplicate traject", W, "inferred (US §Inleiding: same traject)", "rules"),
    (
        "R-INTERNAL-01",
        "A rule check failed with an internal error: the file is not passed",
        E,
        "project",
        "engine",
    ),
    # Q. Planning (`ddas plan`, `ddas split`, `ddas push`): what the planner reports about its input
    ("R-PLAN-01", "Traject has no usable date: not planned", W, "RULES.md §0; decisions.md", _P),
    ("R-PLAN-02", "Traject ends before it starts: planned over both dates", W, "inferred", _P),
    ("R-PLAN-03", "One organisation with different headers: the most complete is used", I, "inferred", _P),
    ("R-PLAN-04", "Traject is not an object or holds an out-of-range number: not planned", W, "SCH", _P),
)

# Rules whose listed severity depends on the case (RULES.md lists two or more).
_CASES: dict[str, str] = {
    "R-PERIOD-04": "error for Geboortedatum, warning for other dates",
    "R-LEV-01": "error for a duplicate or < 1, warning when not 1..n in file order",
    "R-ORG-02": "error when both are empty, warning when both are filled, info for a gemeente-like name",
    "R-ORG-03": "warning; error in API mode",
    "R-GEM-02": "warning for Onbekend, error for variants (onbekend, Unknown, 0000, ...)",
    "R-GEM-04": "error for two real codes, warning for a real code mixed with Onbekend",
    "R-ID-01": "error without BSN and fallback, warning for an incomplete fallback",
    "R-CLIENT-GEB-01": "error for an invalid date, warning for a partly unknown BRP date (1980-00-00)",
    "R-CLIENT-GEB-02": "error when born after the traject start, warning for an age < 18 or > 110",
    "R-TRAJ-05": "warning when the total is missing, info when it differs much from the sum",
    "R-DATE-TRAJ-01": "warning; info for aanmelding, crisis, informatie en advies before and nazorg after",
    "R-DATE-TRAJ-02": "warning; info for begeleiding and nazorg",
    "R-SR-02": "error when both differ, warning when only one is filled",
    "R-SR-05": "warning; info for a request date without dwangakkoord true",
    "R-MOR-01": "error for approval before request, warning for start before approval",
    "R-BEG-01": "warning for an exact duplicate, info for an overlap of the same kind",
    "R-SCH-01": "error when both differ, warning when only one is filled",
    "R-SCH-05": "warning; info when the postcode looks foreign",
    "R-API-02": "error for missing or out-of-range fields and for totalPages over 10,000 or not "
    "ceil(totalRecords / pageSize); warning for currentPage past totalPages or a page over pageSize",
    "R-FILE-01": "error for a name that starts with SHV_ or under --name-check, info for any other name",
}

RULES: dict[str, Rule] = {
    code: Rule(code, title, sev, src, by, _CASES.get(code, "")) for code, title, sev, src, by in _ENTRIES
}

_CAP: dict[tuple[str, Severity, Profile], Severity] = {}


def effective_severity(code: str, listed: Severity, profile: Profile) -> Severity:
    """The severity a finding reports under `profile` (RULES.md "Severity profiles").

    `listed` is the case-specific severity the check chose (for rules with two, e.g. R-LEV-01).
    `strict` keeps it; `standard` keeps it for the technical-check codes and caps the rest at warning.
    """
    key = (code, listed, profile)
    cached = _CAP.get(key)
    if cached is not None:
        return cached
    if profile is Profile.STRICT or code in STANDARD_ERRORS or listed is not Severity.ERROR:
        result = listed
    else:
        result = Severity.WARNING
    _CAP[key] = result
    return result


def markdown_table() -> str:
    """The catalogue as the Markdown table of docs/rules.md (a test keeps them in sync)."""
    lines = ["| code | meaning | standard | strict | by |", "| --- | --- | --- | --- | --- |"]
    for code, rule in RULES.items():
        standard = effective_severity(code, rule.severity, Profile.STANDARD).value
        meaning = rule.title + (f" ({rule.cases})" if rule.cases else "")
        lines.append(f"| `{code}` | {meaning} | {standard} | {rule.severity.value} | {rule.checked_by} |")
    return "\n".join(lines) + "\n"
