"""Video meetings that the providers fail to make, the way each documents it, and asking again: Google's
createRequest ending in "failure" (a new requestId asks again); Graph making the event without the Teams meeting
(a PATCH with isOnlineMeeting asks again). Asking again on an existing event sends its attendees an update."""

from datetime import UTC, datetime, timedelta

import requests

from .conftest import SAM

SOON = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=3)
WHEN = {"start": {"dateTime": SOON.isoformat(), "timeZone": "UTC"},
        "end": {"dateTime": (SOON + timedelta(hours=1)).isoformat(), "timeZone": "UTC"}}
GUEST = "guest@example.test"


def request(request_id: str) -> dict:
    return {"createRequest": {"requestId": request_id, "conferenceSolutionKey": {"type": "hangoutsMeet"}}}


def status_of(event: dict) -> str:
    return event["conferenceData"]["createRequest"]["status"]["statusCode"]


def updates_to(sandbox, email: str) -> list[dict]:
    return [o for o in sandbox.state.outbox_entries() if o["kind"] == "update" and o["attendee"] == email]


def test_it_fails_a_meet_request_and_makes_it_on_a_new_request_id(sandbox, google_service):
    sandbox.state.settings.google_conference_failures = 1
    events = google_service().events()
    made = events.insert(calendarId="primary", conferenceDataVersion=1, sendUpdates="all",
                         body={"summary": "Call", **WHEN, "attendees": [{"email": GUEST}],
                               "conferenceData": request("req-1")}).execute()
    assert status_of(made) == "pending"
    failed = events.get(calendarId="primary", eventId=made["id"]).execute()
    assert status_of(failed) == "failure"
    assert "entryPoints" not in failed["conferenceData"] and "hangoutLink" not in failed

    # The same requestId is ignored, as Google documents it; nobody is told of anything.
    events.patch(calendarId="primary", eventId=made["id"], conferenceDataVersion=1, sendUpdates="all",
                 body={"conferenceData": request("req-1")}).execute()
    assert status_of(events.get(calendarId="primary", eventId=made["id"]).execute()) == "failure"
    assert updates_to(sandbox, GUEST) == []

    # A new one asks again; the guest gets Google's update.
    asked = events.patch(calendarId="primary", eventId=made["id"], conferenceDataVersion=1, sendUpdates="all",
                         body={"conferenceData": request("req-2")}).execute()
    assert status_of(asked) == "pending"
    done = events.get(calendarId="primary", eventId=made["id"]).execute()
    assert status_of(done) == "success" and done["hangoutLink"].startswith("https://meet.google.com/")
    assert len(updates_to(sandbox, GUEST)) == 1


def test_it_can_be_told_to_fail_meetings_over_the_control_api(sandbox):
    answer = requests.post(sandbox.google_url + "/_sandbox/settings", timeout=10,
                           json={"google_conference_failures": 2, "microsoft_online_meeting_failures": 1})
    assert answer.status_code == 200, answer.text
    assert sandbox.state.settings.google_conference_failures == 2
    assert sandbox.state.settings.microsoft_online_meeting_failures == 1


def test_it_makes_an_outlook_event_without_its_teams_meeting_and_adds_it_on_a_patch(sandbox, graph):
    sandbox.state.settings.microsoft_online_meeting_failures = 1
    session = graph(SAM)
    answer = session.post(sandbox.graph_url + "/me/events", timeout=10, json={
        "subject": "Call", **WHEN, "isOnlineMeeting": True, "onlineMeetingProvider": "teamsForBusiness",
        "attendees": [{"type": "required", "emailAddress": {"address": GUEST}}]})
    assert answer.status_code == 201, answer.text
    event = answer.json()
    # Graph's answer for a mailbox that cannot make the meeting: the event, without it.
    assert event["isOnlineMeeting"] is False and event["onlineMeetingProvider"] == "unknown"
    assert event["onlineMeeting"] is None

    patched = session.patch(f"{sandbox.graph_url}/me/events/{event['id']}", timeout=10,
                            json={"isOnlineMeeting": True, "onlineMeetingProvider": "teamsForBusiness"}).json()
    assert patched["isOnlineMeeting"] is True
    assert patched["onlineMeeting"]["joinUrl"].startswith("https://teams.microsoft.com/l/meetup-join/")
    assert len(updates_to(sandbox, GUEST)) == 1
