"""An attendee answers the organizer's event in the sandbox: the organizer's incremental sync, push and the control
page see it the way the real providers show it."""

from datetime import UTC, datetime, timedelta

import requests

from calendars.sandbox.model import GOOGLE, MICROSOFT
from tests.sandbox_fixtures import WebhookReceiver

from .conftest import DANA, SAM
from .test_sandbox_google_calendar import list_all
from .test_sandbox_microsoft import WINDOW, delta_all

START = (datetime.now(UTC) + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)


def control(sandbox, path, **kwargs):
    return requests.post(sandbox.google_url + "/_sandbox/" + path, timeout=30, **kwargs)


def test_it_shows_a_google_answer_in_the_organizers_incremental_sync(sandbox, google_service):
    event = sandbox.state.add_event(GOOGLE, DANA, summary="Interview", start=START,
                                    attendees=["lee@example.test", "kim@example.test"])
    service = google_service()
    _, _, token = list_all(service, singleEvents=True, maxResults=2500)
    before = service.events().get(calendarId="primary", eventId=event.id).execute()

    answer = control(sandbox, "events/answer", json={"provider": "google", "email": DANA, "event_id": event.id,
                                                     "attendee": "LEE@example.test", "response": "accepted"})
    assert answer.status_code == 200, answer.text

    changes, _, _ = list_all(service, syncToken=token)
    assert [c["id"] for c in changes] == [event.id]
    answers = {a["email"]: a["responseStatus"] for a in changes[0]["attendees"]}
    assert answers == {"lee@example.test": "accepted", "kim@example.test": "needsAction"}
    assert changes[0]["etag"] != before["etag"] and changes[0]["updated"] > before["updated"]
    assert changes[0].get("sequence", 0) == before.get("sequence", 0)  # an answer does not change the meeting


def test_it_shows_a_graph_answer_in_the_organizers_delta(sandbox, graph):
    event = sandbox.state.add_event(MICROSOFT, SAM, summary="Interview", start=START,
                                    attendees=["lee@example.test"])
    session = graph()
    _, _, delta_link = delta_all(session, sandbox.graph_url + "/me/calendarView/delta", WINDOW)

    sandbox.state.answer_event(MICROSOFT, SAM, event.id, attendee="lee@example.test", response="tentative")

    changes, _, _ = delta_all(session, delta_link)
    assert [c["id"] for c in changes] == [event.id]
    assert [a["status"]["response"] for a in changes[0]["attendees"]] == ["tentativelyAccepted"]


def test_it_notifies_push_channels_of_an_answer(sandbox, graph):
    event = sandbox.state.add_event(MICROSOFT, SAM, summary="Interview", start=START, attendees=["lee@example.test"])
    session = graph()
    expires = (datetime.now(UTC) + timedelta(minutes=4000)).isoformat()
    with WebhookReceiver() as hook:
        answer = session.post(sandbox.graph_url + "/subscriptions", timeout=20, json={
            "changeType": "created,updated,deleted", "notificationUrl": hook.url, "resource": "me/events",
            "expirationDateTime": expires, "clientState": "s3cret"})
        assert answer.status_code == 201, answer.text
        sandbox.state.answer_event(MICROSOFT, SAM, event.id, attendee="lee@example.test", response="declined")
        note = hook.wait_for(1)[-1]["json"]["value"][0]
        assert note["changeType"] == "updated"


def test_it_answers_from_the_control_page_and_refuses_strangers(sandbox):
    event = sandbox.state.add_event(GOOGLE, DANA, summary="Interview", start=START, attendees=["lee@example.test"])
    page = requests.get(sandbox.google_url + "/_sandbox/account", params={"provider": "google", "email": DANA},
                        timeout=10)
    assert "Answer as" in page.text and "lee@example.test" in page.text
    answered = control(sandbox, "ui/events", allow_redirects=False, data={
        "provider": "google", "email": DANA, "event_id": event.id, "action": "answer",
        "attendee": "lee@example.test", "response": "declined"})
    assert answered.status_code == 303
    assert [a.response for a in sandbox.state.find_instance(
        sandbox.state.account(GOOGLE, DANA), event.id).event.attendees] == ["declined"]

    stranger = control(sandbox, "events/answer", json={"provider": "google", "email": DANA, "event_id": event.id,
                                                       "attendee": "nobody@example.test", "response": "accepted"})
    assert stranger.status_code == 404
    nonsense = control(sandbox, "events/answer", json={"provider": "google", "email": DANA, "event_id": event.id,
                                                       "attendee": "lee@example.test", "response": "maybe-later"})
    assert nonsense.status_code == 400
