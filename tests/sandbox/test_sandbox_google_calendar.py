"""Google Calendar v3 against the sandbox with google-api-python-client (static discovery)."""

import json
from datetime import UTC, datetime, timedelta

import httplib2
import pytest
from googleapiclient.errors import HttpError

from calendars.sandbox.model import GOOGLE
from tests.sandbox_fixtures import WebhookReceiver

from .conftest import DANA, calendar_service


def list_all(service, **params):
    """Every page of events.list; returns (items, page count, nextSyncToken)."""
    items, pages = [], 0
    request = service.events().list(calendarId="primary", **params)
    while request is not None:
        response = request.execute()
        pages += 1
        items.extend(response["items"])
        if "nextPageToken" in response:
            assert "nextSyncToken" not in response  # only the last page carries it
        last = response
        request = service.events().list_next(request, response)
    return items, pages, last.get("nextSyncToken")


def test_it_lists_the_calendar_list_with_paging(google_service):
    service = google_service()
    first = service.calendarList().list(maxResults=2).execute()
    assert len(first["items"]) == 2 and "nextPageToken" in first
    rest = service.calendarList().list(pageToken=first["nextPageToken"]).execute()
    entries = first["items"] + rest["items"]
    primary = [e for e in entries if e.get("primary")]
    assert [e["id"] for e in primary] == [DANA]
    assert primary[0]["accessRole"] == "owner" and primary[0]["timeZone"] == "Europe/Berlin"
    assert primary[0]["backgroundColor"].startswith("#")
    holidays = [e for e in entries if "#holiday@" in e["id"]]
    assert holidays and holidays[0]["accessRole"] == "reader"
    assert service.calendarList().get(calendarId="primary").execute()["id"] == DANA


def test_it_pages_through_all_events_with_both_page_sizes(google_service):
    service = google_service()
    big, big_pages, token = list_all(service, singleEvents=True, maxResults=2500)
    small, small_pages, small_token = list_all(service, singleEvents=True, maxResults=250)
    assert token and small_token
    assert len(big) > 2000 and big_pages == 1
    assert small_pages == -(-len(small) // 250)
    assert sorted(e["id"] for e in big) == sorted(e["id"] for e in small)
    assert len({e["id"] for e in big}) == len(big)
    assert all(e["status"] != "cancelled" for e in big)


def test_it_shapes_events_like_google(google_service):
    items, _, _ = list_all(google_service(), singleEvents=True, maxResults=2500)
    instances = [e for e in items if "recurringEventId" in e]
    assert instances
    sample = instances[0]
    assert sample["id"].startswith(sample["recurringEventId"] + "_")
    assert "originalStartTime" in sample and sample["eventType"] == "default"
    assert any("date" in e["start"] for e in items)  # all-day
    multi_day = [e for e in items if "date" in e["start"] and e["end"]["date"] > e["start"]["date"]]
    assert any(datetime.fromisoformat(e["end"]["date"]) - datetime.fromisoformat(e["start"]["date"])
               > timedelta(days=1) for e in multi_day)
    assert any("summary" not in e for e in items)  # untitled
    titles = {e.get("summary") for e in items}
    assert {"Gespräch mit Jürgen", "面接", "Café ☕"} <= titles
    assert any(e.get("transparency") == "transparent" for e in items)
    responses = {a["responseStatus"] for e in items for a in e.get("attendees", [])}
    assert {"accepted", "declined", "needsAction", "tentative"} <= responses
    assert {e["start"].get("timeZone") for e in items} >= {"Europe/Berlin", "America/New_York", "Asia/Tokyo"}
    event = items[0]
    for key in ("kind", "etag", "id", "status", "htmlLink", "created", "updated", "creator", "organizer", "start",
                "end", "iCalUID", "sequence"):
        assert key in event, key


def test_it_keeps_recurring_meetings_at_local_time_across_dst(google_service):
    items, _, _ = list_all(google_service(), singleEvents=True, maxResults=2500)
    standup = [e for e in items if e.get("summary") == "Daily Stand-up" and "recurringEventId" in e
               and "T09:00:00" in e["originalStartTime"]["dateTime"]]
    offsets = {e["originalStartTime"]["dateTime"][-6:] for e in standup}
    assert offsets == {"+01:00", "+02:00"}
    new_york = [e for e in items if e.get("summary") == "Sync with New York office"]
    assert {e["originalStartTime"]["dateTime"][11:19] for e in new_york} == {"09:00:00"}
    assert {e["originalStartTime"]["dateTime"][-6:] for e in new_york} == {"-05:00", "-04:00"}


def test_it_returns_masters_with_recurrence_without_single_events(google_service):
    items, _, _ = list_all(google_service(), maxResults=2500)
    masters = [e for e in items if "recurrence" in e]
    assert masters
    assert any(line.startswith("RRULE:") for m in masters for line in m["recurrence"])
    assert any(line.startswith("EXDATE") for m in masters for line in m["recurrence"])
    exceptions = [e for e in items if "recurringEventId" in e]
    assert any(e["status"] == "cancelled" for e in exceptions)  # cancelled occurrences are listed
    assert any(e["status"] == "confirmed" for e in exceptions)  # moved ones too


def test_it_syncs_incrementally_with_cancelled_and_moved_events(sandbox, google_service):
    service = google_service()
    items, _, token = list_all(service, singleEvents=True, maxResults=2500)
    instance = next(e for e in items if e.get("recurringEventId") and e.get("summary") == "Sprint Planning")
    single = next(e for e in items if "recurringEventId" not in e and "dateTime" in e["start"])
    start = datetime.fromisoformat(instance["start"]["dateTime"]) + timedelta(hours=2)
    sandbox.state.move_event(GOOGLE, DANA, instance["id"], start=start)
    sandbox.state.delete_event(GOOGLE, DANA, single["id"])
    created = service.events().insert(calendarId="primary", body={
        "summary": "Interview: Ada", "start": {"dateTime": "2030-01-07T10:00:00+01:00"},
        "end": {"dateTime": "2030-01-07T11:00:00+01:00"}}).execute()

    changes, pages, next_token = list_all(service, syncToken=token)
    by_id = {e["id"]: e for e in changes}
    assert set(by_id) == {instance["id"], single["id"], created["id"]}
    assert by_id[single["id"]]["status"] == "cancelled"
    moved = by_id[instance["id"]]
    assert moved["recurringEventId"] == instance["recurringEventId"]
    assert datetime.fromisoformat(moved["start"]["dateTime"]) == start
    assert moved["originalStartTime"] == instance["originalStartTime"]
    quiet, _, _ = list_all(service, syncToken=next_token)
    assert quiet == []


def test_it_answers_410_for_an_invalidated_sync_token(sandbox, google_service):
    service = google_service()
    _, _, token = list_all(service, maxResults=2500)
    sandbox.state.invalidate_sync_tokens(GOOGLE, DANA)
    with pytest.raises(HttpError) as caught:
        service.events().list(calendarId="primary", syncToken=token).execute()
    assert caught.value.status_code == 410
    assert caught.value.error_details[0]["reason"] == "fullSyncRequired"


def test_it_rejects_sync_token_with_time_min(google_service):
    service = google_service()
    _, _, token = list_all(service, maxResults=2500)
    with pytest.raises(HttpError) as caught:
        service.events().list(calendarId="primary", syncToken=token, timeMin="2025-01-01T00:00:00Z").execute()
    assert caught.value.status_code == 400
    assert caught.value.error_details[0]["reason"] == "invalid"


def test_it_filters_by_time_window(google_service):
    service = google_service()
    now = datetime.now(UTC)
    week = (now.isoformat(), (now + timedelta(days=7)).isoformat())
    items, _, _ = list_all(service, singleEvents=True, timeMin=week[0], timeMax=week[1], orderBy="startTime")
    assert 0 < len(items) < 100
    everything, _, _ = list_all(service, singleEvents=True, timeMin=week[0], maxResults=2500)
    assert len(everything) > len(items)


def test_it_inserts_with_a_client_id_once_and_records_invites(sandbox, google_service):
    service = google_service()
    body = {"id": "interv0a1b2c3d", "summary": "Interview: Grace Hopper",
            "start": {"dateTime": "2030-04-05T09:00:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2030-04-05T10:00:00", "timeZone": "Europe/Berlin"},
            "attendees": [{"email": DANA}, {"email": "grace@candidates.test"}, {"email": "ben.cohen@acme.test"}]}
    created = service.events().insert(calendarId="primary", body=body, sendUpdates="all").execute()
    assert created["id"] == "interv0a1b2c3d"
    assert created["start"] == {"dateTime": "2030-04-05T09:00:00+02:00", "timeZone": "Europe/Berlin"}
    with pytest.raises(HttpError) as caught:
        service.events().insert(calendarId="primary", body=body, sendUpdates="all").execute()
    assert caught.value.status_code == 409
    assert caught.value.error_details[0]["reason"] == "duplicate"
    with pytest.raises(HttpError) as caught:
        service.events().insert(calendarId="primary", body={**body, "id": "Not_Base32"}).execute()
    assert caught.value.status_code == 400
    invites = sandbox.state.outbox_entries(GOOGLE)
    assert sorted(i["attendee"] for i in invites) == ["ben.cohen@acme.test", "grace@candidates.test"]
    assert {i["kind"] for i in invites} == {"invite"} and invites[0]["organizer"] == DANA

    service.events().patch(calendarId="primary", eventId=created["id"], sendUpdates="all",
                           body={"start": {"dateTime": "2030-04-05T11:00:00+02:00"},
                                 "end": {"dateTime": "2030-04-05T12:00:00+02:00"}}).execute()
    service.events().delete(calendarId="primary", eventId=created["id"], sendUpdates="all").execute()
    kinds = [i["kind"] for i in sandbox.state.outbox_entries(GOOGLE)]
    assert kinds.count("update") == 2 and kinds.count("cancel") == 2
    gone = service.events().get(calendarId="primary", eventId=created["id"]).execute()
    assert gone["status"] == "cancelled"


def test_it_sends_no_invites_without_send_updates(sandbox, google_service):
    service = google_service()
    service.events().insert(calendarId="primary", body={
        "summary": "Quiet", "start": {"dateTime": "2030-01-01T10:00:00Z"}, "end": {"dateTime": "2030-01-01T11:00:00Z"},
        "attendees": [{"email": "someone@else.test"}]}).execute()
    assert sandbox.state.outbox_entries() == []


def test_it_refuses_writes_to_a_read_only_calendar(google_service):
    service = google_service()
    holidays = next(e for e in service.calendarList().list().execute()["items"] if e["accessRole"] == "reader")
    with pytest.raises(HttpError) as caught:
        service.events().insert(calendarId=holidays["id"], body={
            "start": {"date": "2030-01-01"}, "end": {"date": "2030-01-02"}}).execute()
    assert caught.value.status_code == 403


def test_it_delivers_watch_notifications(sandbox, google_service):
    service = google_service()
    with WebhookReceiver() as hook:
        channel = service.events().watch(calendarId="primary", body={
            "id": "chan-1", "type": "web_hook", "address": hook.url, "token": "secret-token",
            "params": {"ttl": "3600"}}).execute()
        assert channel["kind"] == "api#channel" and channel["id"] == "chan-1" and channel["resourceId"]
        assert int(channel["expiration"]) > datetime.now(UTC).timestamp() * 1000
        first = hook.wait_for(1)[0]["headers"]
        assert first["X-Goog-Resource-State"] == "sync" and first["X-Goog-Message-Number"] == "1"
        assert first["X-Goog-Channel-Token"] == "secret-token"
        assert first["X-Goog-Resource-ID"] == channel["resourceId"]
        sandbox.state.add_event(GOOGLE, DANA, summary="Dentist", start="2030-02-01T08:00:00+01:00")
        second = hook.wait_for(2)[1]["headers"]
        assert second["X-Goog-Resource-State"] == "exists" and second["X-Goog-Message-Number"] == "2"
        assert second["X-Goog-Channel-ID"] == "chan-1"
        service.channels().stop(body={"id": "chan-1", "resourceId": channel["resourceId"]}).execute()
        sandbox.state.add_event(GOOGLE, DANA, summary="After stop", start="2030-02-02T08:00:00+01:00")
        assert sandbox.state.push.idle()
        assert len(hook.notifications()) == 2
    log = sandbox.state.delivery_log()
    assert [d["status"] for d in log] == [202, 202]
    assert all("secret-token" not in str(d) for d in log)


def test_it_answers_401_for_expired_tokens_and_the_client_refreshes(sandbox, google_login):
    creds = google_login()
    service = calendar_service(sandbox, creds)
    old = creds.token
    sandbox.state.expire_tokens(GOOGLE, DANA)
    service.calendarList().list().execute()  # AuthorizedHttp refreshes on 401 and retries
    assert creds.token != old
    statuses = [(r["method"], r["path"], r["status"]) for r in sandbox.state.request_log("google")][-3:]
    assert statuses == [("GET", "/calendar/v3/users/me/calendarList", 401), ("POST", "/token", 200),
                        ("GET", "/calendar/v3/users/me/calendarList", 200)]


def test_it_requires_a_calendar_scope_for_the_calendar_list(sandbox, google_login):
    creds = google_login()
    sandbox.state.access_tokens[creds.token].scopes = ("https://www.googleapis.com/auth/calendar.events",)
    with pytest.raises(HttpError) as caught:
        calendar_service(sandbox, creds).calendarList().list().execute()
    assert caught.value.status_code == 403
    assert caught.value.error_details[0]["reason"] == "insufficientPermissions"


def test_it_injects_rate_limits_and_server_errors(sandbox, google_service):
    service = google_service()
    sandbox.state.inject_fault(path=r"/events$", status=403, reason="userRateLimitExceeded")
    with pytest.raises(HttpError) as caught:
        service.events().list(calendarId="primary").execute()
    assert caught.value.status_code == 403
    assert caught.value.error_details[0]["reason"] == "userRateLimitExceeded"
    sandbox.state.inject_fault(path=r"/events$", status=429, retry_after=7)
    with pytest.raises(HttpError) as caught:
        service.events().list(calendarId="primary").execute()
    assert caught.value.status_code == 429 and caught.value.resp["retry-after"] == "7"
    sandbox.state.inject_fault(path=r"/events$", method="GET", status=500, nth=3)
    request = service.events().list(calendarId="primary", maxResults=50)
    request.execute()
    request = service.events().list_next(request, request.execute())
    with pytest.raises(HttpError) as caught:
        request.execute()
    assert caught.value.status_code == 500
    assert request.execute()["items"]  # the retry of that page works


def test_it_leaves_an_event_untouched_when_a_patch_is_rejected(sandbox, google_service):
    service = google_service()
    items, _, token = list_all(service, singleEvents=True, maxResults=2500)
    occurrence = next(e for e in items if e.get("recurringEventId") and e["id"].endswith("Z")
                      and e["summary"] == "All Hands")
    with pytest.raises(HttpError) as caught:
        service.events().patch(calendarId="primary", eventId=occurrence["id"],
                               body={"summary": "Renamed", "attendees": [{"displayName": "no email"}]}).execute()
    assert caught.value.status_code == 400
    again = service.events().get(calendarId="primary", eventId=occurrence["id"]).execute()
    assert again["summary"] == "All Hands" and again["etag"] == occurrence["etag"]
    changes, _, _ = list_all(service, syncToken=token)
    assert changes == []


def test_it_serves_an_event_as_it_is_now_after_its_page_was_served(sandbox, google_service):
    service = google_service()
    before, _, _ = list_all(service, singleEvents=True, maxResults=2500)  # renders and keeps every item's JSON
    single = next(e for e in before if "recurringEventId" not in e and "dateTime" in e["start"])
    sandbox.state.move_event(GOOGLE, DANA, single["id"], start=datetime(2031, 1, 2, 9, 0, tzinfo=UTC))
    after, _, _ = list_all(service, singleEvents=True, maxResults=2500)
    moved = next(e for e in after if e["id"] == single["id"])
    assert moved["start"]["dateTime"].startswith("2031-01-02T10:00:00")  # Europe/Berlin
    assert moved["updated"] > single["updated"] and len(after) == len(before)


def test_it_answers_a_list_in_compact_json_with_its_length_on_a_kept_alive_connection(sandbox, google_login):
    token = google_login().token
    http = httplib2.Http(timeout=10)
    url = sandbox.google_api_endpoint + "calendars/primary/events?singleEvents=true&maxResults=50"
    answers = [http.request(url, headers={"Authorization": f"Bearer {token}"}) for _ in range(2)]
    for response, body in answers:
        assert response.status == 200 and int(response["content-length"]) == len(body)
        assert b'", "' not in body and b'": ' not in body  # no spaces after separators
        assert len(json.loads(body)["items"]) == 50
    assert len(http.connections) == 1  # HTTP/1.1 keep-alive: one connection served both
