"""The rules of RULES.md (sections A-O that need one file) as a one-pass engine over plain dicts.

`RuleEngine` is what the validation facade runs; `dates` and `elfproef` are shared with the
planner and the report.
"""

from __future__ import annotations

from client.validation.rules._native import use_compiled

use_compiled(__path__)  # a fresh mypyc build of these modules, when there is one (see _native)

from client.validation.rules import dates  # noqa: E402
from client.validation.rules.api import check_requested_period  # noqa: E402
from client.validation.rules.clients import elfproef  # noqa: E402
from client.validation.rules.dates import parse_date, traject_end, traject_start  # noqa: E402
from client.validation.rules.engine import RuleEngine  # noqa: E402

__all__ = [
    "RuleEngine",
    "check_requested_period",
    "dates",
    "elfproef",
    "parse_date",
    "traject_end",
    "traject_start",
]
