"""The rules of RULES.md (sections A-O that need one file) as a one-pass engine over plain dicts.

`RuleEngine` is what the validation facade runs; `dates` and `elfproef` are shared with the
planner and the report.
"""

from __future__ import annotations

from client.validation.rules import dates
from client.validation.rules.api import check_requested_period
from client.validation.rules.clients import elfproef
from client.validation.rules.dates import parse_date, traject_end, traject_start
from client.validation.rules.engine import RuleEngine

__all__ = [
    "RuleEngine",
    "check_requested_period",
    "dates",
    "elfproef",
    "parse_date",
    "traject_end",
    "traject_start",
]
