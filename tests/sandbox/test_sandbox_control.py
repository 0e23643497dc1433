"""The /_sandbox/ control API, its HTML pages and the command line entry point."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from calendars.sandbox.model import GOOGLE, MICROSOFT

from .conftest import DANA, SAM

ROOT = Path(__file__).resolve().parents[2]


def control(sandbox, method, path, **kwargs):
    return requests.request(method, sandbox.google_url + "/_sandbox/" + path, timeout=30, **kwargs)


def test_it_serves_the_control_api_on_every_listener(sandbox):
    for base in (sandbox.google_url, sandbox.microsoft_http_url):
        assert requests.get(base + "/_sandbox/state", timeout=10).json()["urls"]["google"] == sandbox.google_url
    state = sandbox.requests_session().get(sandbox.microsoft_url + "/_sandbox/state", timeout=10).json()
    assert {a["email"] for a in state["accounts"]} >= {DANA, SAM}


def test_it_creates_a_large_account_over_http(sandbox):
    started = time.perf_counter()
    answer = control(sandbox, "POST", "accounts",
                     json={"provider": "google", "email": "bench@sandbox-google.test", "events": 100000})
    assert answer.status_code == 201, answer.text
    assert answer.json()["events"] == 100000
    assert time.perf_counter() - started < 10
    assert sandbox.state.account(GOOGLE, "bench@sandbox-google.test").event_count() == 100000


def test_it_adds_moves_and_deletes_events_and_reports_errors(sandbox):
    added = control(sandbox, "POST", "events", json={
        "provider": "google", "email": DANA, "summary": "Review", "start": "2030-05-06T10:00",
        "end": "2030-05-06T11:00", "attendees": ["x@y.test"]})
    assert added.status_code == 201, added.text
    event = added.json()
    assert event["start"] == "2030-05-06T10:00:00+02:00"  # a naive time is read in the account's zone
    moved = control(sandbox, "POST", "events/move",
                    json={"provider": "google", "email": DANA, "event_id": event["id"], "start": "2030-05-07T09:00"})
    assert moved.json()["end"] == "2030-05-07T10:00:00+02:00"  # the duration is kept
    deleted = control(sandbox, "POST", "events/delete", json={"provider": "google", "email": DANA,
                                                              "event_id": event["id"]})
    assert deleted.json()["status"] == "cancelled"
    missing = control(sandbox, "POST", "events/delete", json={"provider": "google", "email": DANA,
                                                              "event_id": "nope0"})
    assert missing.status_code == 404
    unknown = control(sandbox, "POST", "events", json={"provider": "google", "email": "who@x.test", "start": "x"})
    assert unknown.status_code == 404
    bad = control(sandbox, "POST", "events", json={"provider": "google", "email": DANA, "start": "not a time"})
    assert bad.status_code == 400


def test_it_injects_faults_for_a_count_of_requests(sandbox, graph):
    session = graph()
    answer = control(sandbox, "POST", "faults", json={"path": "^/v1.0/me$", "status": 503, "count": 2})
    assert answer.status_code == 201
    statuses = [session.get(sandbox.graph_url + "/me", timeout=10).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert control(sandbox, "GET", "faults").json()[0]["fired"] == 2
    slow = control(sandbox, "POST", "faults", json={"path": "^/v1.0/me$", "delay": 0.3})
    assert slow.status_code == 201
    started = time.perf_counter()
    assert session.get(sandbox.graph_url + "/me", timeout=10).status_code == 200
    assert time.perf_counter() - started >= 0.3
    assert control(sandbox, "POST", "faults", json={"path": "x", "colour": "red"}).status_code == 400


def test_it_never_logs_tokens_or_authorization(sandbox, google_login, graph):
    creds = google_login()
    session = graph()
    session.get(sandbox.graph_url + "/me", timeout=10)
    requests.post(sandbox.google_url + "/revoke", params={"token": creds.refresh_token}, timeout=10)
    log = control(sandbox, "GET", "requests").json()
    text = json.dumps(log)
    assert creds.token not in text and creds.refresh_token not in text
    assert session.headers["Authorization"].split()[1] not in text
    assert "Authorization" not in text and "Bearer" not in text
    assert {"method", "path", "query", "status"} <= set(log[0])
    revoke = next(r for r in log if r["path"] == "/revoke")
    assert revoke["query"] == {"token": "[redacted]"}


def test_it_shows_the_outbox(sandbox, graph):
    session = graph()
    session.post(sandbox.graph_url + "/me/events", timeout=10, json={
        "subject": "Interview", "start": {"dateTime": "2030-01-01T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2030-01-01T11:00:00", "timeZone": "UTC"},
        "attendees": [{"emailAddress": {"address": "cand@x.test"}}]})
    outbox = control(sandbox, "GET", "outbox").json()
    assert outbox == [{**outbox[0], "provider": "microsoft", "organizer": SAM, "attendee": "cand@x.test",
                       "kind": "invite", "subject": "Interview", "start": "2030-01-01T10:00:00Z"}]
    assert "cand@x.test" in control(sandbox, "GET", "").text


def test_it_expires_and_revokes_tokens_over_http(sandbox, microsoft_login):
    result = microsoft_login()
    session = sandbox.requests_session()
    session.headers["Authorization"] = "Bearer " + result["access_token"]
    assert control(sandbox, "POST", "tokens/expire", json={"provider": "microsoft", "email": SAM}).json() == \
        {"expired": 1}
    assert session.get(sandbox.graph_url + "/me", timeout=10).status_code == 401
    assert control(sandbox, "POST", "tokens/revoke", json={"provider": "microsoft", "email": SAM}).json() == \
        {"revoked": 1}
    client_id, secret = sandbox.client(MICROSOFT)
    answer = session.post(sandbox.microsoft_url + "/common/oauth2/v2.0/token", timeout=10, data={
        "client_id": client_id, "client_secret": secret, "grant_type": "refresh_token",
        "refresh_token": result["refresh_token"]})
    assert answer.json()["error_codes"] == [50173]


def test_it_invalidates_sync_tokens_over_http(sandbox):
    answer = control(sandbox, "POST", "sync-tokens/invalidate", json={"provider": "google", "email": DANA})
    assert answer.json() == {"calendars": 4}


def test_it_registers_redirect_uris_and_clients(sandbox):
    answer = control(sandbox, "POST", "redirect-uris",
                     json={"provider": "google", "uris": ["https://app.example.test/cb"], "allow_loopback": False})
    assert answer.json()["allow_loopback"] is False
    client = next(c for c in sandbox.state.clients.values() if c.provider == GOOGLE)
    assert "https://app.example.test/cb" in client.redirect_uris
    assert control(sandbox, "POST", "clients", json={"provider": "microsoft", "client_id": "other",
                                                     "client_secret": "s"}).status_code == 201
    assert sandbox.state.client(MICROSOFT, "other") is not None


def test_it_resets_logs_faults_and_outbox(sandbox):
    sandbox.state.inject_fault(path="x", status=500)
    sandbox.state.add_event(GOOGLE, DANA, summary="New", start="2030-01-01T10:00:00Z")
    requests.get(sandbox.google_url + "/calendar/v3/users/me/calendarList", timeout=10)
    assert control(sandbox, "POST", "reset").json() == {"ok": True}
    assert control(sandbox, "GET", "faults").json() == []
    assert control(sandbox, "GET", "requests").json() == []
    assert all(e.summary != "New" for e in sandbox.state.account(GOOGLE, DANA).primary.events.values())


def test_it_escapes_everything_in_the_html_pages(sandbox):
    sandbox.state.create_account(GOOGLE, "evil@x.test", name="<script>alert(1)</script>", events=0)
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    sandbox.state.add_event(GOOGLE, "evil@x.test", summary="<img src=x onerror=alert(2)>", start=soon)
    index = control(sandbox, "GET", "").text
    assert "<script>alert(1)" not in index and "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    page = control(sandbox, "GET", "account", params={"provider": "google", "email": "evil@x.test"}).text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    consent_page = requests.get(sandbox.google_url + "/o/oauth2/v2/auth", timeout=10, params={
        "client_id": sandbox.client(GOOGLE)[0], "redirect_uri": "http://127.0.0.1:1/cb", "response_type": "code",
        "scope": "openid", "code_challenge": "x" * 43, "code_challenge_method": "S256"}).text
    assert "<script>alert(1)" not in consent_page


def test_it_adds_moves_and_deletes_through_the_html_form(sandbox):
    form = {"provider": "microsoft", "email": SAM, "action": "add", "summary": "Café <planning>",
            "start": time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() + 7200))}
    answer = control(sandbox, "POST", "ui/events", data=form, allow_redirects=False)
    assert answer.status_code == 303
    page = requests.get(sandbox.google_url + answer.headers["Location"], timeout=10).text
    assert "Café &lt;planning&gt;" in page
    row = next(r for r in page.split("<tr>") if "Café &lt;planning&gt;" in r)
    event_id = re.search(r"name=event_id value='([^']+)'", row)[1]
    deleted = control(sandbox, "POST", "ui/events", allow_redirects=False,
                      data={"provider": "microsoft", "email": SAM, "action": "delete", "event_id": event_id})
    assert deleted.status_code == 303
    assert sandbox.state.find_instance(sandbox.state.account(MICROSOFT, SAM), event_id).cancelled


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_it_runs_from_the_command_line_until_sigterm(tmp_path):
    bundle = tmp_path / "ca.pem"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "calendars.sandbox", "--google-port", "0", "--microsoft-port", "0",
         "--microsoft-http-port", "0", "--ca-bundle", str(bundle)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Accounts:"):
                break
        output = "".join(lines)
        assert "export GOOGLE_API_ENDPOINT=http://127.0.0.1:" in output
        assert f"export PROVIDER_CA_BUNDLE={bundle}" in output
        assert bundle.read_text().startswith("-----BEGIN CERTIFICATE-----")
        google = re.search(r"Google \(http\)\s+(\S+)", output)[1]
        assert requests.get(google + "/_sandbox/state", timeout=10).status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
