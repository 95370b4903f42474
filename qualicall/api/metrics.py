"""Prometheus metrics in the text exposition format, without a client library: request counts and latencies
per route, plus gauges read at scrape time (jobs by status, queue depth)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def _labels(**labels: str) -> str:
    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    return "{" + ",".join(f'{k}="{escape(v)}"' for k, v in labels.items()) + "}"


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str, str], int] = defaultdict(int)
        self._latency: dict[tuple[str, str], list[float]] = {}  # per bucket counts, then sum, then count
        self.gauges: list[Callable[[], list[tuple[str, str, dict[str, str], float]]]] = []

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self._requests[(method, route, str(status))] += 1
            slot = self._latency.setdefault((method, route), [0.0] * (len(BUCKETS) + 2))
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    slot[i] += 1
            slot[-2] += seconds
            slot[-1] += 1

    def middleware(self, app):  # type: ignore[no-untyped-def]
        """A plain ASGI middleware (cheaper than BaseHTTPMiddleware) recording each HTTP request."""

        async def wrapped(scope, receive, send):  # type: ignore[no-untyped-def]
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            start = time.perf_counter()
            status = [500]

            async def send_status(message):  # type: ignore[no-untyped-def]
                if message["type"] == "http.response.start":
                    status[0] = message["status"]
                await send(message)

            try:
                await app(scope, receive, send_status)
            finally:
                route = scope.get("route")
                # The route's template (/v1/interactions/{interaction_id}), never the raw path: bounded label values.
                path = getattr(route, "path", None) or "unmatched"
                self.observe(scope["method"], path, status[0], time.perf_counter() - start)

        return wrapped

    def render(self) -> str:
        lines = [
            "# HELP qualicall_http_requests_total HTTP requests by method, route and status.",
            "# TYPE qualicall_http_requests_total counter",
        ]
        with self._lock:
            requests = dict(self._requests)
            latency = {k: list(v) for k, v in self._latency.items()}
        for (method, route, status), count in sorted(requests.items()):
            lines.append(f"qualicall_http_requests_total{_labels(method=method, route=route, status=status)} {count}")
        lines += [
            "# HELP qualicall_http_request_duration_seconds HTTP request latency by method and route.",
            "# TYPE qualicall_http_request_duration_seconds histogram",
        ]
        for (method, route), slot in sorted(latency.items()):
            for bound, count in zip(BUCKETS, slot):
                lines.append(f"qualicall_http_request_duration_seconds_bucket{_labels(method=method, route=route, le=str(bound))} {int(count)}")
            lines.append(f"qualicall_http_request_duration_seconds_bucket{_labels(method=method, route=route, le='+Inf')} {int(slot[-1])}")
            lines.append(f"qualicall_http_request_duration_seconds_sum{_labels(method=method, route=route)} {slot[-2]:.6f}")
            lines.append(f"qualicall_http_request_duration_seconds_count{_labels(method=method, route=route)} {int(slot[-1])}")
        declared: set[str] = set()
        for gauge in self.gauges:
            for name, help_text, labels, value in gauge():
                if name not in declared:
                    declared.add(name)
                    lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
                lines.append(f"{name}{_labels(**labels) if labels else ''} {value}")
        return "\n".join(lines) + "\n"
