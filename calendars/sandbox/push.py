"""Push notifications: Google watch channels and Microsoft Graph subscriptions.

Notifications are POSTed from one background thread (the data change that triggers them happens while the
state lock is held, and the receiver may call straight back into the sandbox). Every delivery attempt is
written to `State.deliveries`, without channel tokens or client states.

Deviation from the real services: they only deliver to https addresses; the sandbox also accepts http
addresses on loopback so a developer's local app can receive them.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import queue
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from .model import GOOGLE, Calendar, Event, iso_utc

# The shared `State` (state.py) is written as `Any` here: state.py is built on this module, and importing it back,
# even for type checking only, would make a cycle.
State = Any


@dataclass
class Channel:
    """A Google `events.watch` channel on one calendar."""

    id: str
    resource_id: str
    resource_uri: str
    token: str | None
    address: str
    expiration_ms: int
    account: tuple[str, str]
    calendar_id: str
    client_id: str
    message_number: int = 0

    def as_api(self) -> dict[str, Any]:
        out = {"kind": "api#channel", "id": self.id, "resourceId": self.resource_id,
               "resourceUri": self.resource_uri, "expiration": str(self.expiration_ms)}
        if self.token is not None:
            out["token"] = self.token
        return out


@dataclass
class Subscription:
    """A Microsoft Graph change-notification subscription."""

    id: str
    account: tuple[str, str]
    resource: str
    calendar_id: str | None  # None: the default calendar ("me/events")
    change_types: tuple[str, ...]
    notification_url: str
    client_state: str | None
    expiration: int
    client_id: str
    tenant_id: str
    lifecycle_url: str | None = None

    def as_api(self) -> dict[str, Any]:
        return {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
            "id": self.id, "resource": self.resource, "applicationId": self.client_id,
            "changeType": ",".join(self.change_types), "clientState": self.client_state,
            "notificationUrl": self.notification_url, "lifecycleNotificationUrl": self.lifecycle_url,
            "expirationDateTime": iso_graph(self.expiration), "creatorId": self.account[1],
            "includeResourceData": False, "latestSupportedTlsVersion": "v1_2", "encryptionCertificate": None,
            "encryptionCertificateId": None, "notificationQueryOptions": None, "notificationContentType": None,
        }


def iso_graph(ts: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + ".0000000Z"


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, bytes, str, str]:
    """(status, body, content type, error) of one POST; never raises.

    http.client rather than urllib: urllib re-capitalises header names ("X-goog-resource-id") and would
    consult proxy settings; receivers are local and some compare header names case-sensitively.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None, b"", "", "unsupported URL"
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("POST", target, body=body, headers={**headers, "Content-Length": str(len(body))})
        resp = conn.getresponse()
        return resp.status, resp.read(65536), resp.getheader("Content-Type", ""), ""
    except (OSError, http.client.HTTPException) as exc:
        return None, b"", "", f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()


def _safe_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class PushDispatcher:
    def __init__(self, state: State) -> None:
        self.state = state
        self.queue: queue.Queue[tuple[int, dict[str, Any]] | None] = queue.Queue()
        self.generation = 0  # bumped by clear(): queued jobs from before a reset are dropped
        self.thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    # lifecycle
    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="sandbox-push", daemon=True)
                self.thread.start()

    def clear(self) -> None:
        self.generation += 1

    def stop(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            self.queue.put(None)
            self.thread.join(timeout=5)

    def idle(self, timeout: float = 5.0) -> bool:
        """Wait until queued deliveries are done (for tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    def _enqueue(self, job: dict[str, Any]) -> None:
        self._ensure_thread()
        self.queue.put((self.generation, job))

    # triggers (called with the state lock held)
    def google_sync(self, channel: Channel) -> None:
        channel.message_number = 1
        self._enqueue(self._google_job(channel, "sync"))

    def calendar_changed(self, cal: Calendar, ev: Event, change: str) -> None:
        acc = cal.account
        now = time.time()
        if acc.provider == GOOGLE:
            for ch in self.state.channels.values():
                if ch.account == acc.key and ch.calendar_id == cal.id and ch.expiration_ms / 1000 > now:
                    ch.message_number += 1
                    self._enqueue(self._google_job(ch, "exists"))
            return
        for sub in self.state.subscriptions.values():
            if sub.account != acc.key or sub.expiration <= now:
                continue
            if (sub.calendar_id or acc.primary.id) != cal.id or change not in sub.change_types:
                continue
            self._enqueue(self._graph_job(sub, ev, change))

    def _google_job(self, ch: Channel, resource_state: str) -> dict[str, Any]:
        headers = {
            "X-Goog-Channel-ID": ch.id,
            "X-Goog-Channel-Expiration": email.utils.formatdate(ch.expiration_ms / 1000, usegmt=True),
            "X-Goog-Resource-ID": ch.resource_id,
            "X-Goog-Resource-URI": ch.resource_uri,
            "X-Goog-Resource-State": resource_state,
            "X-Goog-Message-Number": str(ch.message_number),
        }
        if ch.token is not None:
            headers["X-Goog-Channel-Token"] = ch.token
        return {"kind": "google", "id": ch.id, "url": ch.address, "state": resource_state, "headers": headers,
                "body": b"", "message_number": ch.message_number}

    def _graph_job(self, sub: Subscription, ev: Event, change: str) -> dict[str, Any]:
        uid = self.state.accounts[sub.account].uid
        note = {
            "subscriptionId": sub.id, "subscriptionExpirationDateTime": iso_graph(sub.expiration),
            "changeType": change, "resource": f"Users/{uid}/Events/{ev.id}",
            "resourceData": {"@odata.type": "#Microsoft.Graph.Event", "@odata.id": f"Users/{uid}/Events/{ev.id}",
                             "@odata.etag": f'W/"{ev.seq}"', "id": ev.id},
            "clientState": sub.client_state, "tenantId": sub.tenant_id,
        }
        body = json.dumps({"value": [note]}).encode()
        return {"kind": "graph", "id": sub.id, "url": sub.notification_url, "state": change,
                "headers": {"Content-Type": "application/json; charset=utf-8"}, "body": body}

    # delivery
    def _run(self) -> None:
        while True:
            item = self.queue.get()
            try:
                if item is None:
                    return
                generation, job = item
                if generation == self.generation:
                    self._deliver(job)
            finally:
                self.queue.task_done()

    def _deliver(self, job: dict[str, Any]) -> None:
        started = time.monotonic()
        status, _, _, error = _post(job["url"], job["body"], job["headers"], self.state.settings.push_timeout)
        entry = {
            "time": iso_utc(int(time.time())), "kind": job["kind"], "id": job["id"], "url": _safe_url(job["url"]),
            "state": job["state"], "status": status, "error": error or None,
            "ms": round((time.monotonic() - started) * 1000, 1),
        }
        if "message_number" in job:
            entry["message_number"] = job["message_number"]
        with self.state.lock:
            self.state.deliveries.append(entry)

    def validate(self, url: str, timeout: float) -> tuple[bool, str]:
        """Graph's subscription handshake: POST ?validationToken=… and expect it echoed as text/plain."""
        token = "Validation: Testing client application reachability for subscription Request-Id: " + (
            secrets.token_hex(16))
        sep = "&" if urlsplit(url).query else "?"
        started = time.monotonic()
        status, body, ctype, error = _post(
            url + sep + urlencode({"validationToken": token}), b"", {"Content-Type": "text/plain; charset=utf-8"},
            timeout,
        )
        ok = status == 200 and ctype.startswith("text/plain") and body.decode("utf-8", "replace") == token
        reason = error or (f"status {status}" if status != 200 else "" if ok else "response did not echo the token")
        with self.state.lock:
            self.state.deliveries.append({
                "time": iso_utc(int(time.time())), "kind": "graph-validation", "id": None, "url": _safe_url(url),
                "state": "validation", "status": status, "error": reason or None,
                "ms": round((time.monotonic() - started) * 1000, 1),
            })
        return ok, reason
