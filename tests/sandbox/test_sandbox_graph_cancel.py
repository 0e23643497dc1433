"""Graph's `POST /me/events/{id}/cancel` in the sandbox, as Microsoft documents it: 202 Accepted without a body, a
cancellation with the organizer's comment for every attendee, the meeting gone from the organizer's calendar (and
reported removed by delta), and a 400 for an attendee who tries it."""

from datetime import UTC, datetime, timedelta

from calendars.sandbox.model import MICROSOFT, Person

from .conftest import SAM
from .test_sandbox_microsoft import WINDOW, delta_all


def meeting(session, graph_url: str) -> dict:
    start = (datetime.now(UTC) + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    answer = session.post(graph_url + "/me/events", timeout=10, json={
        "subject": "Interview: Ada Lovelace",
        "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
        "end": {"dateTime": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
        "attendees": [{"emailAddress": {"address": "ada@candidates.test", "name": "Ada"}, "type": "required"},
                      {"emailAddress": {"address": "ben.cohen@acme.test"}, "type": "required"}]})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_it_cancels_a_meeting_for_its_organizer(sandbox, graph):
    session = graph()
    event = meeting(session, sandbox.graph_url)
    _, _, delta_link = delta_all(session, sandbox.graph_url + "/me/calendarView/delta", WINDOW)

    answer = session.post(sandbox.graph_url + f"/me/events/{event['id']}/cancel", timeout=10,
                          json={"Comment": "The position has been filled."})

    assert answer.status_code == 202 and answer.content == b""
    cancels = sorted((o["attendee"], o["comment"], o["event_id"])
                     for o in sandbox.state.outbox_entries(MICROSOFT) if o["kind"] == "cancel")
    assert cancels == [("ada@candidates.test", "The position has been filled.", event["id"]),
                       ("ben.cohen@acme.test", "The position has been filled.", event["id"])]
    gone = session.get(sandbox.graph_url + f"/me/events/{event['id']}", timeout=10)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "ErrorItemNotFound"
    changes, _, _ = delta_all(session, delta_link)
    assert {"id": event["id"], "@removed": {"reason": "deleted"}} in [
        {key: item[key] for key in ("id", "@removed") if key in item} for item in changes]
    # A repeated cancel finds nothing left to cancel, and sends nothing again.
    again = session.post(sandbox.graph_url + f"/me/events/{event['id']}/cancel", timeout=10, json={"Comment": ""})
    assert again.status_code == 404
    assert len([o for o in sandbox.state.outbox_entries(MICROSOFT) if o["kind"] == "cancel"]) == 2


def test_it_accepts_a_cancel_without_a_comment(sandbox, graph):
    session = graph()
    event = meeting(session, sandbox.graph_url)

    answer = session.post(sandbox.graph_url + f"/me/events/{event['id']}/cancel", timeout=10)

    assert answer.status_code == 202
    assert {o["comment"] for o in sandbox.state.outbox_entries(MICROSOFT) if o["kind"] == "cancel"} == {None}


def test_it_refuses_the_cancel_to_an_attendee(sandbox, graph):
    session = graph()
    event = meeting(session, sandbox.graph_url)
    state = sandbox.state
    with state.lock:  # the meeting as it sits in Sam's calendar when someone else organized it
        stored = state.find_instance(state.account(MICROSOFT, SAM), event["id"]).event
        stored.organizer = Person("boss@elsewhere.test", "The Boss")

    answer = session.post(sandbox.graph_url + f"/me/events/{event['id']}/cancel", timeout=10,
                          json={"Comment": "Not mine to cancel."})

    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == ("Your request can't be completed. You need to be an organizer to "
                                                 "cancel a meeting.")
    assert session.get(sandbox.graph_url + f"/me/events/{event['id']}", timeout=10).status_code == 200
    assert [o for o in sandbox.state.outbox_entries(MICROSOFT) if o["kind"] == "cancel"] == []
