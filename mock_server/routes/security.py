"""The bearer-token dependency shared by the routes, with its OAuth2 scheme for the OpenAPI document."""

from __future__ import annotations

from fastapi import Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2

from mock_server.auth import SCOPE, Principal
from mock_server.context import context

oauth2 = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(
            tokenUrl="oauth/token", scopes={SCOPE: "deliver DDAS data (push route)"}
        )
    ),
    scheme_name="oauth2",
    auto_error=False,
)


def principal(request: Request, _token: str | None = Security(oauth2, scopes=[SCOPE])) -> Principal:
    """Authenticate (401/403) and rate-limit (429) the request; runs in the thread pool."""
    ctx = context(request)
    who = ctx.tokens.authenticate(
        request.headers.get("authorization"), request.headers.get("fsc-authorization")
    )
    request.state.client_id = who.client_id
    return who
