"""Aggregated operational and quality indicators (`qualicall report`, GET /v1/reports).

    from qualicall.reports import aggregate
    report = aggregate(results, by=["agent"], period="week")
    report.to_json()      # per group: value, numerator, denominator, target, met
"""

from qualicall.reports.aggregate import AGGREGATES, Group, Report, aggregate, aggregate_frame, aggregate_parts
from qualicall.reports.frame import ResultsError, read_results, results_frame

__all__ = ["AGGREGATES", "Group", "Report", "ResultsError", "aggregate", "aggregate_frame", "aggregate_parts", "read_results", "results_frame"]
