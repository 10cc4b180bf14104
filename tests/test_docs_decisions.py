"""docs/decisions.md opens with a table of contents of its sections that stays true to the headings."""

from __future__ import annotations

import re
from pathlib import Path

DECISIONS = Path(__file__).resolve().parent.parent / "docs" / "decisions.md"
START, END = "<!-- contents -->", "<!-- /contents -->"


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def expected_contents(text: str) -> str:
    """One line per `##` section, with its number of `###` entries."""
    lines: list[str] = []
    section, entries = "", 0
    body = text.split(END, 1)[-1]
    for line in [*body.splitlines(), "## end"]:
        if line.startswith("## "):
            if section:
                lines.append(f"- [{section}](#{slug(section)}) ({entries})")
            section, entries = line[3:].strip(), 0
        elif line.startswith("### "):
            entries += 1
    return "\n".join(lines)


def test_the_contents_list_every_section_with_its_entries() -> None:
    text = DECISIONS.read_text(encoding="utf-8")
    assert START in text and END in text, f"docs/decisions.md needs a {START} ... {END} block"
    found = text.split(START, 1)[1].split(END, 1)[0].strip()
    expected = expected_contents(text)
    assert found == expected, f"replace the contents of docs/decisions.md with:\n{expected}"


def test_slug_matches_githubs_anchors() -> None:
    assert slug("Quality (op-orde) report") == "quality-op-orde-report"
    assert (
        slug("Production (`ddas serve` behind TLS, replicas)") == "production-ddas-serve-behind-tls-replicas"
    )
    assert slug("Rules engine (`client/validation/rules/`)") == "rules-engine-clientvalidationrules"
