"""The one definition of each string format of the Uitwisselmodel: date, date-time and e-mail.

The model (`client.model`), the schema layer (`client.validation.schema_check`, for jsonschema_rs) and
the rules all import these, so what the toolkit accepts never differs between them. Two levels:

- *what the official schema accepts* (`is_date`, `is_datetime`, `is_schema_email`): exactly what CBS's
  technical check accepts, as the referee (python-jsonschema Draft 2020-12 with its FormatChecker) does;
  failing it is an error in every profile (R-FMT-01/02/03);
- *a valid e-mail address* (`email_problem`, `is_valid_email`): an RFC 5321 mailbox, stricter than the
  schema, so at most a warning under `standard` (R-FMT-04; docs/decisions.md "E-mail addresses").
"""

from __future__ import annotations

import calendar
import re
from datetime import date

__all__ = [
    "email_problem",
    "is_date",
    "is_datetime",
    "is_schema_email",
    "is_valid_email",
    "parse_date",
]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# RFC 3339 §5.6 `date-time`; `T` and `Z` in either case (the referee upper-cases before it matches).
_DATETIME = re.compile(
    r"(\d{4})-(0[1-9]|1[0-2])-(\d{2})[Tt](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?"
    r"(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)

# RFC 5321 §4.1.2 Mailbox = Local-part "@" ( Domain / address-literal ), ASCII only (RFC 6531 is not
# the format the schema names). Local-part = Dot-string / Quoted-string.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_STRING = rf"{_ATEXT}(?:\.{_ATEXT})*"
_QUOTED = r'"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"'
_LOCAL = re.compile(rf"(?:{_DOT_STRING}|{_QUOTED})", re.ASCII)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*", re.ASCII)
_IPV4 = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}"
_LITERAL = re.compile(rf"\[(?:{_IPV4}|IPv6:[0-9A-Fa-f:.]+)\]", re.ASCII)
MAX_LOCAL = 64  # RFC 5321 §4.5.3.1.1
MAX_ADDRESS = 254  # RFC 5321 §4.5.3.1.3 path (256) less the angle brackets


def parse_date(text: str) -> date | None:
    """`format: date` read: the day of YYYY-MM-DD when it is a real calendar day (year 0000 is none),
    else None. For callers that need the date itself, so that it is checked and parsed once."""
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def is_date(text: str) -> bool:
    """`format: date`: YYYY-MM-DD and a real calendar day (`parse_date` succeeds)."""
    return parse_date(text) is not None


def is_datetime(text: str) -> bool:
    """`format: date-time`: RFC 3339 with a zone, a real day, no leap second (as the referee)."""
    match = _DATETIME.fullmatch(text)
    if match is None:
        return False
    year, month, day = (int(part) for part in match.groups())
    return year > 0 and 1 <= day <= calendar.monthrange(year, month)[1]


def is_schema_email(text: str) -> bool:
    """`format: email` as the official schema is checked (the referee): the text holds an `@`."""
    return "@" in text


def email_problem(text: str) -> str | None:
    """Why `text` is not an RFC 5321 mailbox (`local@domain`), or None when it is one."""
    if not is_schema_email(text):
        return "it has no '@'"
    if not text.isascii():
        return "it has characters outside ASCII (an internationalised address many mail servers refuse)"
    local, _, domain = text.rpartition("@")
    if not local:
        return "nothing stands before the '@'"
    if not domain:
        return "nothing stands after the '@'"
    if len(text) > MAX_ADDRESS:
        return f"it is longer than {MAX_ADDRESS} characters"
    if not _LOCAL.fullmatch(local):
        return "the part before the '@' has a space, a display name or a character a mailbox cannot have"
    if len(local) > MAX_LOCAL:
        return f"the part before the '@' is longer than {MAX_LOCAL} characters"
    if not (_DOMAIN.fullmatch(domain) or _LITERAL.fullmatch(domain)):
        return "the part after the '@' is not a domain name"
    return None


def is_valid_email(text: str) -> bool:
    """A valid e-mail address: an RFC 5321 mailbox (`jan@localhost`, `a@b`, `"jan jansen"@x.nl` are)."""
    return email_problem(text) is None
