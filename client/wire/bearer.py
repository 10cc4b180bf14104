"""Access tokens in request headers, for both servers: `Authorization: Bearer T` and FSC's
`Fsc-Authorization: [Bearer ]T` (`../shared/SIGNING.md` §3; the `Bearer ` prefix is optional there)."""

from __future__ import annotations


def token_in(value: str, *, prefix_optional: bool) -> str:
    """The token of one header value; "" when there is none (`Bearer ` missing where it is required)."""
    text = value.strip()
    if text[:7].lower() == "bearer ":
        return text[7:].strip()
    return text if prefix_optional else ""


def bearer_token(authorization: str | None, fsc_authorization: str | None) -> str | None:
    """The token of `Authorization: Bearer T`, else of `Fsc-Authorization: [Bearer ]T`; None when absent."""
    if authorization:
        token = token_in(authorization, prefix_optional=False)
        if token:
            return token
    if fsc_authorization:
        return token_in(fsc_authorization, prefix_optional=True) or None
    return None
