"""The official 2026 route, vendor side: `POST /v1/gegevens` served from the exports (`ddas serve`)."""

from client.provider.app import create_provider_app
from client.provider.settings import ProviderSettings, TokenConfig, load_provider_settings

__all__ = ["ProviderSettings", "TokenConfig", "create_provider_app", "load_provider_settings"]
