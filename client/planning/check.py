"""Validation of a page before it leaves the planner (`ddas split`, and anyone else who writes pages).

Uses the project's one validator (`client.validation.validate_bytes`, envelope mode, file name included).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from client.validation.findings import Finding, Severity

if TYPE_CHECKING:
    from client.planning.plan import Page


@dataclass
class PageCheck:
    valid: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def check_page(body: bytes, name: str, rules: bool = False) -> PageCheck:
    """Validate one page (`{"gegevens": ..., "paginering"?: ...}`) and its file name.

    By default the layers of CBS's technical check (bytes, JSON, official-schema conformance with
    formats, file name): what decides whether a file is rejected. `rules=True` adds the rule engine
    (its warnings never block in the standard profile; R-KEY-02 does), at about 2.5x the cost.
    """
    from client.validation import validate_bytes

    report = validate_bytes(body, name=name, envelope=True, rules=rules)
    return PageCheck(report.valid, list(report.findings))


def _warm() -> int:
    """Run once in each worker: import the validator and compile its schemas before pages arrive."""
    check_page(b'{"gegevens":{}}', "SHV_warm_up_x.json")
    return os.getpid()


class PageChecker:
    """Validates pages in worker processes while the main process builds and writes the next ones.

    Workers are forked at `start()` (call it before planning, while the heap is small, so their memory
    stays small); validation of a page is independent of the others, so `jobs` pages are checked at once.
    Results come back in page order. `jobs=1` checks in-process.
    """

    def __init__(self, jobs: int, rules: bool = False) -> None:
        self.jobs = max(1, jobs)
        self.rules = rules
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> PageChecker:
        if self.jobs > 1 and self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=ctx)
            for _ in range(self.jobs):  # fork every worker now and warm it up in the background
                self._pool.submit(_warm)
        return self

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> PageChecker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check_all(self, pages: Iterable[Page]) -> Iterator[tuple[Page, bytes, PageCheck]]:
        if self._pool is None:
            for page in pages:
                body = page.build()
                yield page, body, check_page(body, page.filename, self.rules)
            return
        window: deque[tuple[Page, bytes, Future[PageCheck]]] = deque()
        for page in pages:
            body = page.build()
            window.append((page, body, self._pool.submit(check_page, body, page.filename, self.rules)))
            if len(window) > self.jobs:
                done_page, done_body, fut = window.popleft()
                yield done_page, done_body, fut.result()
        while window:
            done_page, done_body, fut = window.popleft()
            yield done_page, done_body, fut.result()
