"""A compact terminal summary of the quality report (for `ddas validate --report` and `ddas push`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from client.report.figures import FUNNEL

GOOD, FAIR = 95.0, 80.0  # completeness thresholds shared with the HTML (green / amber / red)
MAX_MUNICIPALITIES = 12


def fmt_int(value: object) -> str:
    """`12345` -> `12,345`; None -> `–` (so a missing figure never reads as zero)."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else "–"


def fmt_eur(value: object) -> str:
    return "€ " + fmt_int(value) if isinstance(value, int) and not isinstance(value, bool) else "–"


def period_label(report: Mapping[str, Any]) -> str:
    period = report.get("period") or {}
    start, end = period.get("start"), period.get("end")
    if start or end:
        return f"{start or '?'} – {end or '?'}"
    return "period unknown"


def render_text(report: Mapping[str, Any], *, max_municipalities: int = MAX_MUNICIPALITIES) -> str:
    """A dozen lines: key figures, phases, debts, weak completeness, findings by rule, plausibility flags."""
    t = report.get("totals") or {}
    orgs = ", ".join((report.get("delivery") or {}).get("organisations") or []) or "organisation unknown"
    lines = [f"Quality report {period_label(report)} · {orgs}"]
    status = report.get("status")
    if status:
        lines.append(f"  status: {status}")
    lines.append(
        "  trajecten {} · clients {} · started {} · ended {} · running at end {}".format(
            fmt_int(t.get("trajecten")),
            fmt_int(t.get("clients")),
            fmt_int(t.get("started_in_period")),
            fmt_int(t.get("ended_in_period")),
            fmt_int(t.get("running_at_end")),
        )
    )
    phases = t.get("phases") or {}
    lines.append("  phases: " + " → ".join(f"{p} {fmt_int(phases.get(p, 0))}" for p in FUNNEL))
    debts = (t.get("debts") or {}).get("totaalSchuldbedragBijAanvangSchuld") or {}
    if debts.get("count"):
        lines.append(
            f"  debt at start: median {fmt_eur(debts.get('median'))} · p90 {fmt_eur(debts.get('p90'))}"
            f" · sum {fmt_eur(debts.get('sum'))} over {fmt_int(debts.get('count'))} trajecten"
        )
    weak = [
        f"{row['label']} {row['percent']:.0f}%"
        for row in t.get("completeness") or []
        if row.get("percent") is not None and row["percent"] < GOOD
    ]
    if weak:
        lines.append("  completeness below 95%: " + ", ".join(weak[:8]) + (" …" if len(weak) > 8 else ""))
    f = report.get("findings") or {}
    if f.get("checked"):
        rules = ", ".join(f"{g['code']} ×{g['count']}" for g in (f.get("by_rule") or [])[:6])
        lines.append(
            f"  findings: {fmt_int(f.get('errors'))} errors, {fmt_int(f.get('warnings'))} warnings, "
            f"{fmt_int(f.get('infos'))} infos" + (f" ({rules})" if rules else "")
        )
    rows = report.get("municipalities") or []
    if len(rows) > 1:
        shown = sorted(rows, key=lambda r: -int(r.get("trajecten") or 0))[:max_municipalities]
        lines.append(
            "  per municipality: "
            + ", ".join(f"{r['gemeentecode']} {fmt_int(r.get('trajecten'))}" for r in shown)
            + (f" … (+{len(rows) - len(shown)})" if len(rows) > len(shown) else "")
        )
    flags = report.get("plausibility") or []
    by_code: dict[str, list[Mapping[str, Any]]] = {}
    for flag in flags:
        by_code.setdefault(str(flag.get("code")), []).append(flag)
    for code, group in by_code.items():
        if len(group) > 3:
            where = ", ".join(str(fl.get("gemeentecode") or "total") for fl in group[:10])
            more = f" … (+{len(group) - 10})" if len(group) > 10 else ""
            lines.append(f"  ! {code} in {len(group)} municipalities: {where}{more}")
        else:
            lines.extend(f"  ! {fl.get('message') or code}" for fl in group)
    return "\n".join(lines) + "\n"
