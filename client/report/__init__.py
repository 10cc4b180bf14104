"""The quality (op-orde) report: figures from one pass over a delivery, as JSON, HTML or terminal text."""

from client.report.builder import REPORT_VERSION, ReportBuilder, build_report
from client.report.html import render_html
from client.report.text import render_text

__all__ = ["REPORT_VERSION", "ReportBuilder", "build_report", "render_html", "render_text"]
