"""Which organisations a client acts for: the mock is multi-tenant, like CBS's receiver.

Each configured client has `organisations` (`kvk:<KvK-nummer>`, `gm:<gemeentecode>`, `naam:<naam>`: the
ids the receiver gives a delivery's `organisatie.id`), or `*` for all. A client delivers pages only
for those (403 naming the organisation otherwise) and sees, reads reports of and withdraws only their
deliveries: any other delivery answers 404, exactly as an unknown id does, so that no client learns
what another organisation delivered. Visibility follows the organisation, not the client that sent
the delivery: two clients mandated for one organisation (a vendor switch) see the same deliveries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from client.wire.adr import ProblemError
from mock_server.problems import fail
from mock_server.technical_check import ORGANISATION_IDS, ORGANISATION_PREFIXES

ALL = "*"


def check_organisation_id(value: str) -> str:
    """`value` when it is `*` or `<kvk|gm|naam>:<id>`; else a `ValueError` saying how to write it."""
    prefix, sep, ident = value.partition(":")
    if value == ALL or (sep and prefix in ORGANISATION_PREFIXES and ident.strip() == ident and ident):
        return value
    forms = ", ".join(f"{prefix}:<{field}>" for prefix, field in ORGANISATION_IDS)
    raise ValueError(f"{value!r} is not an organisation id; write {forms}, or {ALL!r} for all")


@dataclass(frozen=True)
class Mandate:
    """The organisations one client acts for; `organisations` None means all of them."""

    organisations: frozenset[str] | None

    @classmethod
    def of(cls, ids: Iterable[str]) -> Mandate:
        """The mandate of a configured list (`["*"]`, or containing `*`, is all organisations)."""
        chosen = frozenset(ids)
        return cls(None if ALL in chosen else chosen)

    @classmethod
    def everything(cls) -> Mandate:
        return cls(None)

    def covers(self, org_key: str) -> bool:
        return self.organisations is None or org_key in self.organisations

    def sql(self) -> tuple[str, list[str]]:
        """A WHERE clause on `org_key` (and its arguments) keeping these organisations' rows; "" for all."""
        if self.organisations is None:
            return "", []
        if not self.organisations:
            return "0", []
        ids = sorted(self.organisations)
        return f"org_key IN ({', '.join('?' for _ in ids)})", ids


def not_mandated(org_key: str) -> ProblemError:
    """The 403 for a page of an organisation the client may not deliver for."""
    return fail(
        403,
        "Organisation not mandated",
        f"this client may not deliver for organisation {org_key}; ask the receiver to add it to "
        "the client's organisations, or deliver it with that organisation's own client",
        slug="organisation-not-mandated",
        organisatie=org_key,  # taken from the page: a BSN typed in the KvK field is masked by `problem`
    )
