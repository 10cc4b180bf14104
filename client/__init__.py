"""ddas: deliver DDAS debt-assistance (SHV) data to CBS by API — the Python API (docs/api.md).

    import client
    report = client.validate("SHV_2026H1_Gemeente_Utrecht_SHV.json")
    with client.plan(["export.json"], periods=["2026H1"]) as plan: ...
    result = client.push(["export.json"], settings, periods=["2026H1"])

Names are imported when first used (`__getattr__`), so `import client` stays cheap: the `ddas` command
starts without loading pydantic, httpx or the validator.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from client.api import plan, validate
    from client.delivery.config import ConfigError, PushSettings, load_settings
    from client.delivery.push import NotDelivered, ProblemAnswer, PushError, Refused
    from client.delivery.results import DeliveryResult, Outcome, PushResult
    from client.delivery.run import NothingToWithdraw, StatusReport, Withdrawal, push, status, withdraw
    from client.planning import Plan, PlannedDelivery
    from client.protocol import MAX_PAGE_TRAJECTEN, DeliveryState
    from client.validation import FileReport
    from client.validation.findings import Finding, Severity

# public name -> the module that defines it (one definition; this is only the address book)
_EXPORTS = {
    "validate": "client.api",
    "plan": "client.api",
    "push": "client.delivery.run",
    "status": "client.delivery.run",
    "withdraw": "client.delivery.run",
    "Finding": "client.validation.findings",
    "Severity": "client.validation.findings",
    "FileReport": "client.validation",
    "Plan": "client.planning",
    "PlannedDelivery": "client.planning",
    "PushSettings": "client.delivery.config",
    "load_settings": "client.delivery.config",
    "PushResult": "client.delivery.results",
    "DeliveryResult": "client.delivery.results",
    "Outcome": "client.delivery.results",
    "StatusReport": "client.delivery.run",
    "Withdrawal": "client.delivery.run",
    "DeliveryState": "client.protocol",
    "MAX_PAGE_TRAJECTEN": "client.protocol",
    "ConfigError": "client.delivery.config",
    "PushError": "client.delivery.push",
    "NotDelivered": "client.delivery.push",
    "Refused": "client.delivery.push",
    "ProblemAnswer": "client.delivery.push",
    "NothingToWithdraw": "client.delivery.run",
}

__all__ = [
    "MAX_PAGE_TRAJECTEN",
    "ConfigError",
    "DeliveryResult",
    "DeliveryState",
    "FileReport",
    "Finding",
    "NotDelivered",
    "NothingToWithdraw",
    "Outcome",
    "Plan",
    "PlannedDelivery",
    "ProblemAnswer",
    "PushError",
    "PushResult",
    "PushSettings",
    "Refused",
    "Severity",
    "StatusReport",
    "Withdrawal",
    "__version__",
    "load_settings",
    "plan",
    "push",
    "status",
    "validate",
    "withdraw",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'client' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
