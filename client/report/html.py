"""The quality report as one self-contained HTML page: inline CSS, inline SVG charts, no external resources.

Every chart is an `<svg class="chart" data-chart="NAME" role="img">` with a `<title>`, real `<rect
class="bar">` elements sized by the data, and a table with the same numbers next to it (screen readers,
print, copy-paste). All text from the report goes through `html.escape`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from client.protocol import DeliveryState
from client.report.figures import FUNNEL, PHASE_KEYS
from client.report.text import FAIR, GOOD, fmt_eur, fmt_int, period_label

BAR = "#2f6db5"
PREV = "#1b2a3a"
GREEN, AMBER, RED, GREY = "#2e7d32", "#c77700", "#c62828", "#9aa5b1"
# Okabe-Ito based, readable for the common colour-vision deficiencies.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#6b4c9a", "#7f7f7f")
MAX_BARS = 25
FULL_W, HALF_W = 1040, 500  # viewBox widths: drawn 1:1 on a desktop, scaled down on narrow screens

CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 color:#1b2a3a;background:#f3f5f8}
main{max-width:1120px;margin:0 auto;padding:0 20px 40px}
header.top{background:#1b2a3a;color:#fff;padding:22px 0 18px}
header.top .inner{max-width:1120px;margin:0 auto;padding:0 20px;display:flex;gap:20px;align-items:center;
 justify-content:space-between;flex-wrap:wrap}
header.top h1{margin:0;font-size:24px;font-weight:650}
header.top .meta{color:#c9d3df;font-size:14px;margin-top:4px}
.verdict{border-radius:10px;padding:10px 16px;font-weight:650;font-size:16px;color:#fff;max-width:460px}
.verdict small{display:block;font-weight:400;font-size:13px;opacity:.92}
.verdict.ok{background:#2e7d32}.verdict.bad{background:#c62828}.verdict.neutral{background:#5b6b7d}
.flags{margin:18px 0 0;padding:14px 18px;background:#fff4e0;border:1px solid #f0c36d;
 border-left:6px solid #c77700;border-radius:8px}
.flags h2{margin:0 0 6px;font-size:16px;color:#7a4700}.flags ul{margin:0;padding-left:20px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(128px,1fr));gap:12px;margin:18px 0}
.card{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 3px rgba(27,42,58,.12)}
.card .v{font-size:26px;white-space:nowrap;font-weight:700;line-height:1.1;font-variant-numeric:tabular-nums}
.card .l{color:#5b6b7d;font-size:13px;margin-top:4px}
.card.warn{border-top:4px solid #c77700}.card.err{border-top:4px solid #c62828}
section{background:#fff;border-radius:10px;padding:18px 20px;margin:16px 0;
 box-shadow:0 1px 3px rgba(27,42,58,.12)}
section h2{margin:0 0 4px;font-size:19px}
section p.lead{margin:0 0 12px;color:#5b6b7d;font-size:14px}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(420px,100%),1fr));gap:18px}
figure{margin:8px 0 4px}figure figcaption{font-weight:600;margin-bottom:4px}
svg.chart{display:block;width:100%;height:auto}
svg.chart text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:#1b2a3a}
svg.chart text.muted{fill:#5b6b7d}svg.chart text.in{fill:#fff;font-weight:600}
details{margin-top:6px}summary{cursor:pointer;color:#2f6db5;font-size:13px}
.tw{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:13.5px;margin-top:6px}
th,td{padding:5px 8px;border-bottom:1px solid #e3e8ee;text-align:left;vertical-align:top}
th{background:#f3f5f8;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.flagged td{background:#fff4e0}
.sev{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:600;color:#fff}
.sev.error{background:#c62828}.sev.warning{background:#c77700}.sev.info{background:#5b6b7d}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.pill{display:inline-block;border-radius:10px;padding:0 7px;font-size:12px;background:#fff4e0;color:#7a4700;
 border:1px solid #f0c36d;margin:1px 2px}
footer{color:#5b6b7d;font-size:12.5px;margin-top:22px}footer dt{font-weight:600}footer dd{margin:0 0 6px}
.empty{color:#5b6b7d;font-style:italic}
@media print{body{background:#fff;font-size:12px}
 header.top{background:#fff;color:#000;border-bottom:2px solid #000}
 header.top .meta{color:#333}section,.card{box-shadow:none;border:1px solid #ccc;break-inside:avoid}
 details>summary{display:none}details>*{display:block}.grid2{display:block}}
"""

# Measures every chart after layout and records it on the element (used by the rendering test; harmless).
SCRIPT = (
    "document.querySelectorAll('svg.chart').forEach(function(s){var r=s.getBoundingClientRect(),d=0,"
    "b=s.querySelectorAll('.bar');b.forEach(function(e){var x=e.getBBox();if(x.width>0&&x.height>0)d++});"
    "s.setAttribute('data-rendered',Math.round(r.width)+'x'+Math.round(r.height)+' bars='+b.length+"
    "' drawn='+d)});"
)


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _pct(value: object) -> str:
    return f"{value:.1f}%" if isinstance(value, int | float) else "–"


def _grade(percent: float | None) -> str:
    if percent is None:
        return GREY
    return GREEN if percent >= GOOD else AMBER if percent >= FAIR else RED


def _svg_open(name: str, title: str, width: int, height: int, desc: str = "") -> str:
    ident = f"chart-{name}"
    return (
        f'<svg class="chart" data-chart="{_e(name)}" role="img" aria-labelledby="{ident}-t {ident}-d" '
        f'viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" style="max-width:{width}px" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{ident}-t">{_e(title)}</title>'
        f'<desc id="{ident}-d">{_e(desc or title)}</desc>'
    )


def _empty_svg(name: str, title: str, width: int = FULL_W) -> str:
    return (
        _svg_open(name, title, width, 40, "no data")
        + '<text x="0" y="24" class="muted">No data for this chart.</text></svg>'
    )


def hbar_chart(
    name: str,
    title: str,
    items: Sequence[tuple[str, int]],
    *,
    color: str = BAR,
    markers: Mapping[str, int] | None = None,
    label_w: int = 170,
    width: int = FULL_W,
) -> str:
    """Horizontal bars, one per item, scaled to the largest value; optional markers (previous period)."""
    if not items:
        return _empty_svg(name, title, width)
    row_h, gap, top = 22, 6, 4
    height = top + len(items) * (row_h + gap) + 4
    top_value = max([v for _l, v in items] + list((markers or {}).values()) + [1])
    bar_w = width - label_w - 90
    parts = [_svg_open(name, title, width, height)]
    for i, (label, value) in enumerate(items):
        y = top + i * (row_h + gap)
        w = round(bar_w * value / top_value, 1)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{_e(_clip(label, 26))}</text>'
            f'<rect class="bar" data-value="{value}" x="{label_w}" y="{y}" width="{w}" height="{row_h}" '
            f'rx="3" fill="{color}"><title>{_e(label)}: {fmt_int(value)}</title></rect>'
            f'<text x="{label_w + w + 6}" y="{y + 15}">{fmt_int(value)}</text>'
        )
        if markers and label in markers:
            mx = round(label_w + bar_w * markers[label] / top_value, 1)
            parts.append(
                f'<path class="prev" d="M{mx} {y - 2}V{y + row_h + 2}" stroke="{PREV}" stroke-width="2.5" '
                f'stroke-dasharray="3 2"><title>previous period: {fmt_int(markers[label])}</title></path>'
            )
    parts.append("</svg>")
    return "".join(parts)


def funnel_chart(
    name: str, title: str, steps: Sequence[tuple[str, int]], base: int, width: int = FULL_W
) -> str:
    """Centred bars that narrow step by step, with the share of all trajecten on the right."""
    if not steps or base <= 0:
        return _empty_svg(name, title, width)
    label_w, right_w, row_h, gap = 150, 110, 30, 6
    height = len(steps) * (row_h + gap) + 4
    area = width - label_w - right_w
    top_value = max([v for _l, v in steps] + [1])
    parts = [_svg_open(name, title, width, height, "Trajecten that reached each phase")]
    for i, (label, value) in enumerate(steps):
        y = 2 + i * (row_h + gap)
        w = round(area * value / top_value, 1)
        x = round(label_w + (area - w) / 2, 1)
        shade = PALETTE[0] if i % 2 == 0 else "#3d8fd1"
        parts.append(
            f'<text x="{label_w - 10}" y="{y + 19}" text-anchor="end">{_e(label)}</text>'
            f'<rect class="bar" data-value="{value}" x="{x}" y="{y}" width="{w}" height="{row_h}" rx="4" '
            f'fill="{shade}"><title>{_e(label)}: {fmt_int(value)}</title></rect>'
        )
        if w > 60:
            parts.append(
                f'<text class="in" x="{label_w + area / 2}" y="{y + 19}" text-anchor="middle">'
                f"{fmt_int(value)}</text>"
            )
        parts.append(
            f'<text x="{width - right_w + 10}" y="{y + 19}" class="muted">'
            f"{'' if w > 60 else fmt_int(value) + ' · '}{100 * value / base:.0f}%</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_chart(name: str, title: str, segments: Sequence[tuple[str, int]], width: int = FULL_W) -> str:
    """One 100% bar split into segments, with a legend (label, count, share) underneath."""
    segments = [(label, value) for label, value in segments if value > 0]
    total = sum(v for _l, v in segments)
    if not total:
        return _empty_svg(name, title, width)
    bar_h, legend_row = 34, 20
    cols = max(1, width // 250)
    rows = (len(segments) + cols - 1) // cols
    height = bar_h + 14 + rows * legend_row
    parts = [_svg_open(name, title, width, height)]
    x = 0.0
    for i, (label, value) in enumerate(segments):
        w = width * value / total
        color = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<rect class="bar" data-value="{value}" x="{round(x, 1)}" y="0" width="{round(w, 1)}" '
            f'height="{bar_h}" fill="{color}" stroke="#fff" stroke-width="1">'
            f"<title>{_e(label)}: {fmt_int(value)} ({100 * value / total:.0f}%)</title></rect>"
        )
        if w > 44:
            ink = "" if _dark(color) else ' style="fill:#1b2a3a"'
            parts.append(
                f'<text class="in"{ink} x="{round(x + w / 2, 1)}" y="{bar_h / 2 + 4}" text-anchor="middle">'
                f"{100 * value / total:.0f}%</text>"
            )
        x += w
    col_w = width / cols
    for i, (label, value) in enumerate(segments):
        lx = (i % cols) * col_w
        ly = bar_h + 10 + (i // cols) * legend_row
        parts.append(
            f'<rect class="legend" x="{round(lx, 1)}" y="{ly}" width="12" height="12" rx="2" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{round(lx + 18, 1)}" y="{ly + 11}">{_e(_clip(label, 22))} '
            f'<tspan class="muted">{fmt_int(value)}</tspan></text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def completeness_chart(name: str, title: str, rows: Sequence[Mapping[str, Any]], width: int = FULL_W) -> str:
    """A track per field, filled to the percentage present, coloured green / amber / red."""
    rows = [r for r in rows if r.get("denominator")]
    if not rows:
        return _empty_svg(name, title, width)
    label_w, row_h, gap = 280, 16, 7
    bar_w = width - label_w - 60
    height = len(rows) * (row_h + gap) + 4
    parts = [_svg_open(name, title, width, height, f"Green ≥ {GOOD:.0f}%, amber ≥ {FAIR:.0f}%, red below")]
    for i, r in enumerate(rows):
        y = 2 + i * (row_h + gap)
        pct = float(r["percent"])
        w = round(bar_w * pct / 100, 1)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 12}" text-anchor="end">{_e(_clip(str(r["label"]), 38))}</text>'
            f'<rect class="track" x="{label_w}" y="{y}" width="{bar_w}" height="{row_h}" rx="3" '
            'fill="#e8edf2"/>'
            f'<rect class="bar" data-value="{pct}" x="{label_w}" y="{y}" width="{w}" height="{row_h}" rx="3" '
            f'fill="{_grade(pct)}"><title>{_e(r["label"])}: {pct:.1f}% of {fmt_int(r["denominator"])} '
            f"{_e(r['basis'])}</title></rect>"
            f'<text x="{label_w + bar_w + 8}" y="{y + 12}">{pct:.0f}%</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _dark(color: str) -> bool:
    """Whether white text is readable on this `#rrggbb` fill (a simple luma below 0.55)."""
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.55


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[bool] = ()) -> str:
    num = list(numeric) + [False] * (len(headers) - len(numeric))
    head = "".join(
        f'<th{" class=n" if num[i] else ""} scope="col">{_e(h)}</th>' for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = "".join(f"<td{' class=n' if num[i] else ''}>{_e(v)}</td>" for i, v in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure(caption: str, svg: str, table: str) -> str:
    return (
        f"<figure><figcaption>{_e(caption)}</figcaption>{svg}"
        f"<details><summary>Show as table</summary>{table}</details></figure>"
    )


def _verdict(report: Mapping[str, Any]) -> tuple[str, str, str]:
    status = report.get("status")
    f = report.get("findings") or {}
    errors, warnings = int(f.get("errors") or 0), int(f.get("warnings") or 0)
    detail = f"{fmt_int(errors)} errors · {fmt_int(warnings)} warnings" if f.get("checked") else ""
    if status == DeliveryState.GOEDGEKEURD:
        return "ok", "Technical check passed", detail or str(status)
    if status == DeliveryState.AFGEKEURD:
        return "bad", "Technical check failed", detail or str(status)
    if status:
        return "neutral", f"Status: {status}", detail
    if f.get("checked"):
        if errors:
            return "bad", f"{fmt_int(errors)} errors: the technical check would reject this", detail
        return "ok", "No errors: the technical check should pass", detail + " (checked locally)"
    return "neutral", "Not validated", "figures only; run ddas validate --report for the checks"


def render_html(report: Mapping[str, Any]) -> str:
    """The whole page as a string (UTF-8, no external resources, no network access needed to view it)."""
    t: Mapping[str, Any] = report.get("totals") or {}
    rows: Sequence[Mapping[str, Any]] = report.get("municipalities") or []
    delivery = report.get("delivery") or {}
    flags: Sequence[Mapping[str, Any]] = report.get("plausibility") or []
    findings = report.get("findings") or {}
    title = str(report.get("title") or "Quality report (op-orde rapport)")
    orgs = ", ".join(delivery.get("organisations") or []) or "organisation unknown"
    kind, headline, detail = _verdict(report)

    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)} · {_e(period_label(report))}</title>",
        f"<style>{CSS}</style></head><body>",
        '<header class="top"><div class="inner"><div>',
        f"<h1>{_e(title)}</h1>",
        f'<div class="meta">{_e(orgs)} · period {_e(period_label(report))}</div>',
        f'<div class="meta">generated {_e(report.get("generated_at"))} · report format '
        f"{_e(report.get('report_version'))}"
        + (
            f" · {_e(delivery.get('codeGegevensleverancier'))}"
            if delivery.get("codeGegevensleverancier")
            else ""
        )
        + "</div></div>",
        f'<div class="verdict {kind}" role="status">{_e(headline)}<small>{_e(detail)}</small></div>',
        "</div></header><main>",
    ]

    if flags:
        items = "".join(f"<li>{_e(fl.get('message') or fl.get('code'))}</li>" for fl in flags)
        out.append(
            f'<div class="flags" role="note"><h2>Check these ({len(flags)} plausibility '
            f"flag{'s' if len(flags) != 1 else ''})</h2><ul>{items}</ul></div>"
        )

    debt = (t.get("debts") or {}).get("totaalSchuldbedragBijAanvangSchuld") or {}
    cards = [
        ("Trajecten", fmt_int(t.get("trajecten")), ""),
        ("Clients (distinct)", fmt_int(t.get("clients")), ""),
        ("Started in period", fmt_int(t.get("started_in_period")), ""),
        ("Ended in period", fmt_int(t.get("ended_in_period")), ""),
        ("Running at period end", fmt_int(t.get("running_at_end")), ""),
        ("Median debt at start", fmt_eur(debt.get("median")), ""),
    ]
    if findings.get("checked"):
        cards.append(
            ("Warnings", fmt_int(findings.get("warnings")), "warn" if findings.get("warnings") else "")
        )
        if findings.get("errors"):
            cards.append(("Errors", fmt_int(findings.get("errors")), "err"))
    out.append('<div class="cards">')
    for label, value, cls in cards:
        out.append(
            f'<div class="card {cls}"><div class="v">{_e(value)}</div><div class="l">{_e(label)}</div></div>'
        )
    out.append("</div>")

    out.append(_municipality_section(rows, flags))
    out.append(_phase_section(t))
    out.append(_outcome_section(t))
    out.append(_debt_section(t))
    out.append(_completeness_section(t))
    out.append(_findings_section(findings))
    out.append(_footer(report))
    out.append(f"</main><script>{SCRIPT}</script></body></html>")
    # tables scroll sideways on narrow screens instead of widening the page
    return "\n".join(out).replace("<table>", '<div class="tw"><table>').replace("</table>", "</table></div>")


def _municipality_section(rows: Sequence[Mapping[str, Any]], flags: Sequence[Mapping[str, Any]]) -> str:
    flagged: dict[str, list[str]] = {}
    for fl in flags:
        if fl.get("gemeentecode") is not None:
            flagged.setdefault(str(fl["gemeentecode"]), []).append(str(fl.get("code")))
    ordered = sorted(rows, key=lambda r: (-int(r.get("trajecten") or 0), str(r.get("gemeentecode"))))
    items = [(str(r["gemeentecode"]), int(r.get("trajecten") or 0)) for r in ordered[:MAX_BARS]]
    rest = ordered[MAX_BARS:]
    more = (
        f" The chart shows the {MAX_BARS} largest; {len(rest)} more with "
        f"{fmt_int(sum(int(r.get('trajecten') or 0) for r in rest))} trajecten are in the table."
        if rest
        else ""
    )
    markers = {
        str(r["gemeentecode"]): int(r["previous_trajecten"])
        for r in ordered[:MAX_BARS]
        if isinstance(r.get("previous_trajecten"), int)
    }
    svg = hbar_chart("municipalities", "Trajecten per municipality", items, markers=markers or None)
    has_prev = any("previous_trajecten" in r for r in rows)
    headers = ["Gemeente", "Organisation", "Trajecten"]
    headers += ["Previous"] if has_prev else []
    headers += ["Clients", "Started", "Ended", "Running", "Median debt", "Without BSN", "Flags"]
    body = []
    for r in ordered:
        code = str(r["gemeentecode"])
        records = int(r.get("client_records") or 0)
        median = ((r.get("debts") or {}).get("totaalSchuldbedragBijAanvangSchuld") or {}).get("median")
        cells = [
            f"<td>{_e(code)}</td>",
            f"<td>{_e(', '.join(r.get('organisations') or []))}</td>",
            f'<td class="n">{fmt_int(r.get("trajecten"))}</td>',
        ]
        if has_prev:
            cells.append(f'<td class="n">{fmt_int(r.get("previous_trajecten"))}</td>')
        without = int(r.get("clients_without_bsn") or 0)
        cells += [
            f'<td class="n">{fmt_int(r.get("clients"))}</td>',
            f'<td class="n">{fmt_int(r.get("started_in_period"))}</td>',
            f'<td class="n">{fmt_int(r.get("ended_in_period"))}</td>',
            f'<td class="n">{fmt_int(r.get("running_at_end"))}</td>',
            f'<td class="n">{_e(fmt_eur(median))}</td>',
            f'<td class="n">{_pct(100 * without / records) if records else "–"}</td>',
            "<td>" + "".join(f'<span class="pill">{_e(c)}</span>' for c in flagged.get(code, [])) + "</td>",
        ]
        cls = ' class="flagged"' if code in flagged else ""
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    head = "".join(
        f'<th scope="col"{" class=n" if h not in ("Gemeente", "Organisation", "Flags") else ""}>{_e(h)}</th>'
        for h in headers
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    if len(ordered) > 15:
        table = f"<details><summary>All {len(ordered)} municipalities as a table</summary>{table}</details>"
    note = " The dashed line marks the previous period." if markers else ""
    return (
        "<section><h2>Municipalities</h2>"
        f'<p class="lead">Trajecten per responsible municipality (traject gemeentecode).{note}{more}</p>'
        f"<figure>{svg}</figure>{table}</section>"
    )


def _phase_section(t: Mapping[str, Any]) -> str:
    phases: Mapping[str, int] = t.get("phases") or {}
    n = int(t.get("trajecten") or 0)
    steps = [(p, int(phases.get(p, 0))) for p in FUNNEL]
    svg = funnel_chart("funnel", "Phase funnel: trajecten that have each phase", steps, n, width=HALF_W)
    rows: list[list[object]] = [
        [p, fmt_int(phases.get(p, 0)), _share(phases.get(p, 0), n)] for p in PHASE_KEYS
    ]
    detail: list[list[object]] = []
    for label, key in (
        ("intake", "intake_beschikkingssoort"),
        ("begeleiding", "begeleiding_soort"),
        ("schuldregeling", "schuldregeling"),
    ):
        for value, count in (t.get(key) or {}).items():
            detail.append([label, value, fmt_int(count)])
    return (
        "<section><h2>Phases</h2>"
        '<p class="lead">How many trajecten reached each phase. Phases may be skipped, so the funnel '
        "need not narrow at every step.</p>"
        '<div class="grid2"><div>'
        + _figure(
            "aanmelding → intake → stabilisatie → schuldregeling → oplossing → nazorg",
            svg,
            _table(
                ["Phase", "Trajecten", "Share"],
                [[s, fmt_int(v), _share(v, n)] for s, v in steps],
                [False, True, True],
            ),
        )
        + "</div><div>"
        + "<figure><figcaption>All phases</figcaption>"
        + _table(["Phase", "Trajecten", "Share"], rows, [False, True, True])
        + "</figure></div></div>"
        + "<details><summary>Splits: beschikkingssoort, begeleiding soort, schuldregeling outcome</summary>"
        + _table(["Phase", "Value", "Trajecten"], detail, [False, False, True])
        + "</details></section>"
    )


def _share(part: object, whole: int) -> str:
    return f"{100 * int(part or 0) / whole:.0f}%" if whole else "–"  # type: ignore[call-overload]


def _outcome_section(t: Mapping[str, Any]) -> str:
    uit = [(k, int(v)) for k, v in (t.get("uitstroom_reden") or {}).items()]
    opl = [(k, int(v)) for k, v in (t.get("oplossing_soort") or {}).items()]
    return (
        "<section><h2>Outcomes</h2>"
        '<p class="lead">Why trajecten ended (uitstroom reden) and which kind of solution was reached '
        "(oplossing soort).</p>"
        + _figure(
            "Uitstroom reasons",
            stacked_chart("uitstroom", "Uitstroom reasons", uit),
            _table(["Reden", "Trajecten"], [[k, fmt_int(v)] for k, v in uit], [False, True]),
        )
        + _figure(
            "Oplossing kinds",
            stacked_chart("oplossing", "Oplossing kinds", opl),
            _table(["Soort", "Trajecten"], [[k, fmt_int(v)] for k, v in opl], [False, True]),
        )
        + "</section>"
    )


def _debt_section(t: Mapping[str, Any]) -> str:
    debts = t.get("debts") or {}
    total = debts.get("totaalSchuldbedragBijAanvangSchuld") or {}
    schulden = debts.get("schulden") or {}
    per = debts.get("per_schuldsoort") or {}
    rows: list[list[object]] = [
        ["Total debt at start (per traject)", fmt_int(total.get("count")), fmt_eur(total.get("sum")),
         fmt_eur(total.get("median")), fmt_eur(total.get("p90"))],
        ["All schulden (per debt)", fmt_int(schulden.get("count")), fmt_eur(schulden.get("sum")),
         fmt_eur(schulden.get("median")), fmt_eur(schulden.get("p90"))],
    ]  # fmt: skip
    for soort, d in per.items():
        rows.append(
            [f"schuldsoort {soort}", fmt_int(d.get("count")), fmt_eur(d.get("sum")), fmt_eur(d.get("median")),
             fmt_eur(d.get("p90"))]
        )  # fmt: skip
    items = [(str(s), int(d.get("count") or 0)) for s, d in per.items()]
    ages = (t.get("ages") or {}).get("bands") or {}
    age_items = [(k, int(v)) for k, v in ages.items()]
    return (
        "<section><h2>Debts and clients</h2>"
        '<p class="lead">Amounts in whole euros. Median and p90: half of the amounts are below the median, '
        "nine in ten below p90.</p>"
        + _table(["", "Number", "Sum", "Median", "p90"], rows, [False, True, True, True, True])
        + '<div class="grid2"><div>'
        + _figure(
            "Debts per schuldsoort (number)",
            hbar_chart(
                "schuldsoort", "Debts per schuldsoort", items, color="#6b4c9a", label_w=90, width=HALF_W
            ),
            _table(["Schuldsoort", "Debts"], [[k, fmt_int(v)] for k, v in items], [False, True]),
        )
        + "</div><div>"
        + _figure(
            "Client age at the start of the traject",
            hbar_chart("ages", "Client age at start", age_items, color="#009e73", label_w=90, width=HALF_W),
            _table(["Age", "Clients"], [[k, fmt_int(v)] for k, v in age_items], [False, True]),
        )
        + "</div></div></section>"
    )


def _completeness_section(t: Mapping[str, Any]) -> str:
    rows: Sequence[Mapping[str, Any]] = t.get("completeness") or []
    table = _table(
        ["Field", "Present", "Of", "Basis", "%"],
        [
            [r["label"], fmt_int(r["present"]), fmt_int(r["denominator"]), r["basis"], _pct(r["percent"])]
            for r in rows
        ],
        [False, True, True, False, True],
    )
    return (
        "<section><h2>Completeness</h2>"
        f'<p class="lead">Share of records in which the field is filled. Green ≥ {GOOD:.0f}%, amber ≥ '
        f"{FAIR:.0f}%, red below. Phase dates count only trajecten that have the phase.</p>"
        + _figure("Fields filled", completeness_chart("completeness", "Completeness per field", rows), table)
        + "</section>"
    )


def _findings_section(findings: Mapping[str, Any]) -> str:
    if not findings.get("checked"):
        return (
            "<section><h2>Findings</h2>"
            '<p class="empty">Not validated: this report was built without the validator\'s findings.</p>'
            "</section>"
        )
    groups: Sequence[Mapping[str, Any]] = findings.get("by_rule") or []
    if not groups:
        return '<section><h2>Findings</h2><p class="empty">No findings: nothing to check.</p></section>'
    body = []
    for g in groups:
        sev = str(g.get("severity"))
        examples = "<br>".join(f"<code>{_e(p or '(whole file)')}</code>" for p in g.get("examples") or [])
        body.append(
            f'<tr><td><span class="sev {_e(sev)}">{_e(sev)}</span></td>'
            f"<td><code>{_e(g.get('code'))}</code></td>"
            f'<td>{_e(g.get("title") or "")}</td><td class="n">{fmt_int(g.get("count"))}</td>'
            f"<td>{examples}</td></tr>"
        )
    return (
        "<section><h2>Findings by rule</h2>"
        f'<p class="lead">{fmt_int(findings.get("errors"))} errors, '
        f"{fmt_int(findings.get('warnings'))} warnings, {fmt_int(findings.get('infos'))} infos. "
        "Codes are explained in the rule catalogue.</p>"
        '<table><thead><tr><th scope="col">Severity</th><th scope="col">Rule</th><th scope="col">Title</th>'
        '<th scope="col" class="n">Count</th><th scope="col">Examples (JSON path)</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></section>"
    )


def _footer(report: Mapping[str, Any]) -> str:
    method = report.get("method") or {}
    items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in method.items())
    return f"<footer><h3>How the figures are computed</h3><dl>{items}</dl></footer>"
