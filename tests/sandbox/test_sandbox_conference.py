"""Video meetings the way the providers document them: Google's conferenceData (pending, then success) and Graph's
Teams meeting (isOnlineMeeting, onlineMeeting.joinUrl)."""

import re
from datetime import UTC, datetime, timedelta

from .conftest import SAM

SOON = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=3)
WHEN = {"start": {"dateTime": SOON.isoformat(), "timeZone": "UTC"},
        "end": {"dateTime": (SOON + timedelta(hours=1)).isoformat(), "timeZone": "UTC"}}
MEET = re.compile(r"https://meet\.google\.com/[a-z]{3}-[a-z]{4}-[a-z]{3}")
REQUEST = {"createRequest": {"requestId": "req-1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}


def status_of(event: dict) -> str:
    return event["conferenceData"]["createRequest"]["status"]["statusCode"]


def test_it_answers_a_meet_request_pending_then_success_on_a_later_read(sandbox, google_service):
    sandbox.state.settings.google_conference_pending_reads = 1
    events = google_service().events()
    made = events.insert(calendarId="primary", conferenceDataVersion=1,
                         body={"summary": "Call", **WHEN, "conferenceData": REQUEST}).execute()
    assert status_of(made) == "pending" and "hangoutLink" not in made and "entryPoints" not in made["conferenceData"]
    assert status_of(events.get(calendarId="primary", eventId=made["id"]).execute()) == "pending"
    done = events.get(calendarId="primary", eventId=made["id"]).execute()
    assert status_of(done) == "success"
    (video,) = [p for p in done["conferenceData"]["entryPoints"] if p["entryPointType"] == "video"]
    assert MEET.fullmatch(video["uri"]) and done["hangoutLink"] == video["uri"]
    # A later patch (no conferenceDataVersion) keeps the same meeting.
    events.patch(calendarId="primary", eventId=made["id"], body={"summary": "Moved"}).execute()
    assert events.get(calendarId="primary", eventId=made["id"]).execute()["hangoutLink"] == video["uri"]


def test_it_ignores_conference_data_without_version_1_and_can_stay_pending(sandbox, google_service):
    events = google_service().events()
    plain = events.insert(calendarId="primary", body={"summary": "Call", **WHEN, "conferenceData": REQUEST}).execute()
    assert "conferenceData" not in plain
    sandbox.state.settings.google_conference_pending_reads = -1
    stuck = events.insert(calendarId="primary", conferenceDataVersion=1,
                          body={"summary": "Call", **WHEN, "conferenceData": REQUEST}).execute()
    for _ in range(3):
        assert status_of(events.get(calendarId="primary", eventId=stuck["id"]).execute()) == "pending"


def test_it_makes_a_teams_meeting_with_a_join_url(sandbox, graph):
    session = graph(SAM)
    answer = session.post(sandbox.graph_url + "/me/events", timeout=10, json={
        "subject": "Call", **WHEN, "isOnlineMeeting": True, "onlineMeetingProvider": "teamsForBusiness"})
    assert answer.status_code == 201, answer.text
    event = answer.json()
    assert event["isOnlineMeeting"] and event["onlineMeetingProvider"] == "teamsForBusiness"
    join = event["onlineMeeting"]["joinUrl"]
    assert join.startswith("https://teams.microsoft.com/l/meetup-join/")
    patched = session.patch(f"{sandbox.graph_url}/me/events/{event['id']}", timeout=10,
                            json={"subject": "Moved"}).json()
    assert patched["onlineMeeting"]["joinUrl"] == join
    refused = session.post(sandbox.graph_url + "/me/events", timeout=10, json={
        "subject": "Call", **WHEN, "isOnlineMeeting": True, "onlineMeetingProvider": "skypeForConsumer"})
    assert refused.status_code == 400
