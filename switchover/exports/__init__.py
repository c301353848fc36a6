"""Exports for leads' spreadsheets and tools: an announcement's deliveries, readiness per person,
problem reports and their timelines, each as rows read a batch at a time (:class:`Export`) and
written as CSV for Excel or as JSON (:mod:`switchover.exports.table`). ``api/exports.py`` serves them.
"""

from switchover.exports.deliveries import delivery_export
from switchover.exports.problems import FILTERS as PROBLEM_FILTERS
from switchover.exports.problems import event_export, problem_export
from switchover.exports.readiness import readiness_export
from switchover.exports.table import Export, csv_header, csv_rows, json_end, json_rows, json_start

__all__ = [
    "PROBLEM_FILTERS",
    "Export",
    "csv_header",
    "csv_rows",
    "delivery_export",
    "event_export",
    "json_end",
    "json_rows",
    "json_start",
    "problem_export",
    "readiness_export",
]
