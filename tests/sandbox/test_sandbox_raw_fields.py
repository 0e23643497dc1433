"""Test control: an event whose resource fields the sandbox serves exactly as given (hostile provider data)."""

from datetime import UTC, datetime, timedelta

import requests

from calendars.sandbox.model import GOOGLE, MICROSOFT

from .conftest import DANA, SAM
from .test_sandbox_google_calendar import list_all
from .test_sandbox_microsoft import WINDOW, delta_all

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)


def add_over_http(sandbox, provider, email, raw):
    return requests.post(sandbox.google_url + "/_sandbox/events", timeout=10, json={
        "provider": provider, "email": email, "summary": "Hostile", "start": SOON.isoformat(), "raw": raw})


def test_it_serves_raw_google_fields_verbatim_in_lists_and_sync_pages(sandbox, google_service):
    raw = {"summary": "T\x00itle " + "x" * 5000, "status": "confirmed-in-a-way-nobody-documented",
           "organizer": {"email": "boss@x.test", "displayName": "N" * 300},
           "start": {"dateTime": "not a time"}}
    answer = add_over_http(sandbox, GOOGLE, DANA, raw)
    assert answer.status_code == 201, answer.text
    items, _, token = list_all(google_service(), singleEvents=True, maxResults=2500)
    served = next(i for i in items if i["id"] == answer.json()["id"])
    assert {key: served[key] for key in raw} == raw
    assert served["end"]["dateTime"]  # fields not given keep the sandbox's rendering

    sandbox.state.move_event(GOOGLE, DANA, served["id"], start=SOON + timedelta(hours=1))
    changed = google_service().events().list(calendarId="primary", syncToken=token).execute()["items"]
    assert [i["summary"] for i in changed] == [raw["summary"]]  # incremental pages serve them too


def test_it_serves_raw_graph_fields_verbatim_including_an_impossible_date(sandbox, graph):
    raw = {"start": {"dateTime": "2026-02-30T10:00:00.0000000", "timeZone": "UTC"}, "subject": "\x07" * 3,
           "showAs": "somethingNew"}
    answer = add_over_http(sandbox, MICROSOFT, SAM, raw)
    assert answer.status_code == 201, answer.text
    items, _, _ = delta_all(graph(), sandbox.graph_url + "/me/calendarView/delta", WINDOW)
    served = next(i for i in items if i["id"] == answer.json()["id"])
    assert {key: served[key] for key in raw} == raw


def test_it_refuses_raw_fields_that_are_not_an_object(sandbox):
    answer = add_over_http(sandbox, GOOGLE, DANA, ["summary"])
    assert answer.status_code == 400 and "raw" in answer.json()["error"]
