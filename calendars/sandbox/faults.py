"""Injected faults: answer matching requests with an error status, or delay them.

A fault matches on HTTP method, a regular expression searched in the path and optionally the listener
("google", "microsoft", "microsoft-http"). It fires either for the next `count` matching requests, or only
on the `nth` matching request ("500 on the 3rd page").
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .web import Response

if TYPE_CHECKING:
    from .web import Listener, Request

_ids = itertools.count(1)


@dataclass
class Fault:
    path: str = ".*"
    method: str = "*"
    listener: str | None = None
    status: int | None = None  # None with a delay: slow but otherwise normal answer
    delay: float = 0.0
    retry_after: int | None = None
    body: Any = None  # JSON-able or str; None means the provider's own error shape for `status`
    reason: str | None = None  # Google error reason / Graph error code for the default body
    count: int | None = 1  # how many matching requests to hit; None = until cleared
    nth: int | None = None  # hit only the nth matching request (1-based)
    id: int = field(default_factory=lambda: next(_ids))
    seen: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        self._regex = re.compile(self.path)
        if self.status is None and not self.delay:
            raise ValueError("a fault needs a status or a delay")
        if self.status is not None and not 100 <= int(self.status) <= 599:
            raise ValueError("status must be an HTTP status code")

    def matches(self, listener: Listener, req: Request) -> bool:
        if self.listener and self.listener != listener.name:
            return False
        if self.method != "*" and self.method.upper() != req.method:
            return False
        return bool(self._regex.search(req.path))

    @property
    def exhausted(self) -> bool:
        if self.nth is not None:
            return self.seen >= self.nth
        return self.count is not None and self.fired >= self.count

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "path": self.path, "method": self.method, "listener": self.listener,
            "status": self.status, "delay": self.delay, "retry_after": self.retry_after, "reason": self.reason,
            "count": self.count, "nth": self.nth, "seen": self.seen, "fired": self.fired,
            "exhausted": self.exhausted,
        }


class FaultTable:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, **spec: Any) -> Fault:
        fault = Fault(**spec)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.as_dict() for f in self._faults]

    def _pick(self, listener: Listener, req: Request) -> Fault | None:
        # Every matching fault counts the request, even one another fault answers, so `nth=3` and `nth=4`
        # side by side mean the third and the fourth matching requests.
        chosen = None
        with self._lock:
            for fault in self._faults:
                if fault.exhausted or not fault.matches(listener, req):
                    continue
                fault.seen += 1
                if fault.nth is not None and fault.seen != fault.nth:
                    continue
                if chosen is None:
                    fault.fired += 1
                    chosen = fault
        return chosen

    def apply(self, listener: Listener, req: Request) -> Response | None:
        fault = self._pick(listener, req)
        if fault is None:
            return None
        if fault.delay:
            time.sleep(fault.delay)
        if fault.status is None:
            return None
        if fault.body is None:
            resp = listener.error_body(fault.status, fault.reason, None, req.path)
        elif isinstance(fault.body, str):
            resp = Response(fault.status, fault.body.encode(), [("Content-Type", "text/plain; charset=utf-8")])
        else:
            resp = Response(fault.status, json.dumps(fault.body).encode(), [("Content-Type", "application/json")])
        resp.status = fault.status
        if fault.retry_after is not None:
            resp.headers.append(("Retry-After", str(fault.retry_after)))
        resp.note = f"fault {fault.id}"
        return resp
