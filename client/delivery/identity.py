"""Idempotency keys of the push route: derived from content, so every retry and rerun sends the same key.

A page's key covers the receiver, the organisation, the period, the uitvraagdeel, the page number and
the page's `client.planning.page_hash` (its bytes without `aanleverdatumEnTijd`), so it holds even when
the journal is gone; a withdrawal's key covers the delivery id.
"""

from __future__ import annotations

import hashlib

IDEMPOTENCY_VERSION = "ddas-push-v1"


def idempotency_key(
    receiver: str, organisatie: str, period: str, uitvraagdeel: str, page: int, page_hash: str
) -> str:
    """SHA-256 over (receiver, organisation, period, uitvraagdeel, page, page hash): stable across runs."""
    material = "\n".join(
        [IDEMPOTENCY_VERSION, receiver.rstrip("/"), organisatie, period, uitvraagdeel, str(page), page_hash]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def withdrawal_key(delivery_id: str) -> str:
    """The key of `POST /aanleveringen/{id}/intrekking`: a repeated withdrawal is the same request."""
    return hashlib.sha256(f"withdraw\n{delivery_id}".encode()).hexdigest()
