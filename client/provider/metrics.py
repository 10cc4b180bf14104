"""The provider's own metrics, next to the request counter and histogram every server has.

`ddas_provider_trajecten_served_total` counts trajecten answered; the page-cache builds and the data's
age are read at scrape time from the cache, so the cache itself knows nothing of Prometheus.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client import Counter
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from client.provider.cache import DataUnavailable, PageCache
from client.provider.consistency import data_version
from client.wire.observability import Metrics

PREFIX = "ddas_provider"


class _CacheCollector(Collector):
    """Page-cache builds, the exports' age and the data version served, read when scraped."""

    def __init__(self, cache: PageCache) -> None:
        self.cache = cache

    def collect(self) -> Iterator[Metric]:
        builds = CounterMetricFamily(
            f"{PREFIX}_page_cache_builds", "Plans built for the page cache (period x pageSize)"
        )
        builds.add_metric([], self.cache.plans_built)
        yield builds
        try:
            version = self.cache.version()
        except DataUnavailable:
            return  # no age when the data cannot be read: /ready says so, and the alert on absence fires
        age = GaugeMetricFamily(
            f"{PREFIX}_export_age_seconds", "Seconds since the newest export file was written"
        )
        newest = max((ns for _, ns, _ in version.fingerprint.stats), default=0) / 1e9
        age.add_metric([], max(0.0, time.time() - newest))
        yield age
        info = GaugeMetricFamily(
            f"{PREFIX}_data_version", "The data version served (1); replicas should agree", labels=["version"]
        )
        info.add_metric([data_version(version)], 1)
        yield info


class ProviderMetrics:
    """The provider's registry: requests, latency, trajecten served, cache builds, export age."""

    def __init__(self, cache: PageCache) -> None:
        self.base = Metrics(PREFIX)
        self.trajecten_served: Counter = self.base.counter("trajecten_served", "Trajecten answered in pages")
        self.base.register(_CacheCollector(cache))
