"""Interview events in the organizer's calendar: the calendar channel, against both sandbox providers."""

import re
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from calendars.models import Calendar, CalendarConnection
from calendars.provider_events import event_cancel, event_create, event_update
from calendars.providers.base import (
    EventDraft,
    EventNotFound,
    RateLimited,
    TemporaryProviderError,
    Unauthorized,
)
from calendars.providers.google import google_event_id
from calendars.providers.microsoft import graph_transaction_id
from calendars.sandbox.model import CANCELLED
from recruitee.tenancy.db import across_tenants
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect, connections

pytestmark = pytest.mark.django_db

ACCOUNTS = [("google", GOOGLE_ACCOUNT), ("microsoft", OUTLOOK_ACCOUNT)]
BERLIN = ZoneInfo("Europe/Berlin")
CANDIDATE = ("Wile E. Coyote", "wile.coyote@acme-candidates.test")
INTERVIEWER = ("Ivan Interviewer", "interviewer@acme.test")
KEY = "interview-42@recruitee.test"
INVITED = sorted([("invite", CANDIDATE[1]), ("invite", INTERVIEWER[1])])


def connected(owner_client, provider: str, account: str) -> CalendarConnection:
    connect(owner_client, provider, account)
    return connections()[-1]


def draft(**changes) -> EventDraft:
    start = datetime(2030, 6, 12, 14, 0, tzinfo=BERLIN)
    base = EventDraft(
        summary="Interview: Secret Rocket Engineer", description="Bring your portfolio.", location="HQ, Room 4",
        start=start, end=start + timedelta(hours=1), time_zone="Europe/Berlin", attendees=[CANDIDATE, INTERVIEWER],
        ical_uid=KEY,
    )
    return replace(base, **changes)


def create(connection, key: str = KEY, **changes):
    with across_tenants("test setup"):
        return event_create(connection=connection, key=key, draft=draft(**changes))


def update(connection, event_id: str, **changes):
    with across_tenants("test setup"):
        return event_update(connection=connection, provider_event_id=event_id, draft=draft(**changes))


def cancel(connection, event_id: str):
    with across_tenants("test setup"):
        return event_cancel(connection=connection, provider_event_id=event_id)


def stored(sandbox, provider: str, account: str, event_id: str):
    state = sandbox.state
    with state.lock:
        return state.find_instance(state.account(provider, account), event_id).event


def interviews_in(sandbox, provider: str, account: str) -> list:
    state = sandbox.state
    with state.lock:
        calendars = state.account(provider, account).calendars.values()
        return [e for c in calendars for e in c.events.values() if e.summary == draft().summary]


def outbox(sandbox) -> list[tuple[str, str]]:
    return sorted((o["kind"], o["attendee"]) for o in sandbox.state.outbox_entries())


def local(epoch: int, zone: str = "Europe/Berlin") -> datetime:
    return datetime.fromtimestamp(epoch, ZoneInfo(zone)).replace(tzinfo=None)


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_creates_the_event_with_the_chosen_attendees_and_times(providers, owner_client, provider, account):
    connection = connected(owner_client, provider, account)
    # The organizer listed among the attendees (as Google lists them) must not be invited to their own event.
    result = create(connection, attendees=[CANDIDATE, INTERVIEWER, ("Organizer", account)])

    assert result.status == "created" and result.html_link
    event = stored(providers, provider, account, result.provider_event_id)
    assert event.start == int(datetime(2030, 6, 12, 12, 0, tzinfo=UTC).timestamp())
    assert event.end - event.start == 3600 and event.tz == "Europe/Berlin"
    assert event.summary == "Interview: Secret Rocket Engineer" and event.location == "HQ, Room 4"
    assert "Bring your portfolio." in event.get_extra("description")
    assert {(a.name, a.email) for a in event.attendees} >= {CANDIDATE, INTERVIEWER}
    assert outbox(providers) == INVITED
    assert {o["event_id"] for o in providers.state.outbox_entries()} == {result.provider_event_id}
    assert result.ical_uid == event.ical_uid
    if provider == "google":
        assert result.provider_event_id == google_event_id(KEY)
        assert event.ical_uid == KEY  # our UID: email invites and the calendar entry are the same event
    else:
        assert event.get_extra("transaction_id") == graph_transaction_id(KEY)


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_creates_no_duplicate_when_create_runs_twice(providers, owner_client, provider, account):
    connection = connected(owner_client, provider, account)
    first = create(connection)
    second = create(connection)

    assert second == first
    assert len(interviews_in(providers, provider, account)) == 1
    assert outbox(providers) == INVITED
    if provider == "google":
        inserts = [r for r in providers.state.request_log("google") if r["method"] == "POST"
                   and r["path"].endswith("/events")]
        assert [r["status"] for r in inserts] == [200, 409]  # the repeat was refused, then the event read back


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_creates_no_duplicate_when_the_first_answer_was_lost(providers, owner_client, settings, provider, account):
    connection = connected(owner_client, provider, account)
    settings.PROVIDER_TIMEOUT_SECONDS = 0.5
    # The provider creates the event, but we give up waiting for its answer, as a worker would on a slow network.
    providers.state.inject_fault(path=r"/events$", method="POST", delay=1.0)
    with pytest.raises(TemporaryProviderError):
        create(connection)
    deadline = time.monotonic() + 5
    while not interviews_in(providers, provider, account) and time.monotonic() < deadline:
        time.sleep(0.05)
    [made] = interviews_in(providers, provider, account)

    retried = create(connection)  # what the Celery retry does

    assert retried.provider_event_id == made.id and retried.status == "created"
    assert len(interviews_in(providers, provider, account)) == 1
    assert outbox(providers) == INVITED


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_updates_time_place_and_people(providers, owner_client, provider, account):
    connection = connected(owner_client, provider, account)
    created = create(connection)
    event = stored(providers, provider, account, created.provider_event_id)
    with providers.state.lock:  # the candidate accepted in their calendar app
        event.attendees = tuple(a._replace(response="accepted") if a.email == CANDIDATE[1] else a
                                for a in event.attendees)
    newcomer = ("Nina Newcomer", "nina@acme.test")
    later = datetime(2030, 6, 13, 9, 30, tzinfo=BERLIN)

    result = update(connection, created.provider_event_id, start=later, end=later + timedelta(minutes=45),
                    location="HQ, Room 7", attendees=[CANDIDATE, newcomer])

    assert result.status == "updated" and result.provider_event_id == created.provider_event_id
    event = stored(providers, provider, account, created.provider_event_id)
    assert local(event.start) == datetime(2030, 6, 13, 9, 30) and event.end - event.start == 45 * 60
    assert event.location == "HQ, Room 7"
    assert {a.email: a.response for a in event.attendees} == {CANDIDATE[1]: "accepted", newcomer[1]: "needsAction"}
    assert outbox(providers) == sorted([
        ("invite", CANDIDATE[1]), ("invite", INTERVIEWER[1]),
        ("update", CANDIDATE[1]), ("invite", newcomer[1]), ("cancel", INTERVIEWER[1]),
    ])
    assert len(interviews_in(providers, provider, account)) == 1


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_cancels_the_event_and_attendees_get_cancellations(providers, owner_client, provider, account):
    connection = connected(owner_client, provider, account)
    created = create(connection)

    result = cancel(connection, created.provider_event_id)

    assert result.status == "cancelled" and result.provider_event_id == created.provider_event_id
    assert stored(providers, provider, account, created.provider_event_id).status == CANCELLED
    cancellations = sorted([("cancel", CANDIDATE[1]), ("cancel", INTERVIEWER[1])])
    assert outbox(providers) == sorted(INVITED + cancellations)

    again = cancel(connection, created.provider_event_id)  # a retried cancel task
    assert again.status == "cancelled"
    assert [entry for entry in outbox(providers) if entry[0] == "cancel"] == cancellations


def test_it_keeps_a_cancelled_google_key_cancelled(providers, owner_client):
    connection = connected(owner_client, "google", GOOGLE_ACCOUNT)
    created = create(connection)
    cancel(connection, created.provider_event_id)
    invites = len(providers.state.outbox_entries())

    repeat = create(connection)  # a create task that ran late, after the cancel

    # Google keeps a deleted event's id taken: the repeat finds the cancelled event and invites nobody.
    assert repeat.provider_event_id == created.provider_event_id and repeat.status == "cancelled"
    assert len(providers.state.outbox_entries()) == invites


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_reports_an_event_deleted_in_the_calendar(providers, owner_client, provider, account):
    connection = connected(owner_client, provider, account)
    created = create(connection)
    providers.state.delete_event(provider, account, created.provider_event_id)  # the organizer deleted it

    with pytest.raises(EventNotFound):
        update(connection, created.provider_event_id, location="Elsewhere")
    assert cancel(connection, created.provider_event_id).status == "cancelled"


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_reports_a_rate_limit_with_retry_after(providers, owner_client, provider, account):
    connection = connected(owner_client, provider, account)
    providers.state.inject_fault(path=r"/events$", method="POST", status=429, retry_after=7)

    with pytest.raises(RateLimited) as raised:
        create(connection)

    assert raised.value.retry_after == 7.0
    assert interviews_in(providers, provider, account) == [] and outbox(providers) == []
    assert create(connection).status == "created"  # the retry after the wait
    assert len(outbox(providers)) == 2


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_refreshes_the_token_once_after_a_401(providers, owner_client, provider, account):
    connection = connected(owner_client, provider, account)
    with across_tenants("test setup"):
        old_token = CalendarConnection.objects.get(pk=connection.pk).access_token
    providers.state.expire_tokens(provider, account)  # our stored expiry still says "valid"

    result = create(connection)

    assert result.status == "created"
    assert len(interviews_in(providers, provider, account)) == 1 and len(outbox(providers)) == 2
    with across_tenants("test setup"):
        assert CalendarConnection.objects.get(pk=connection.pk).access_token != old_token


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_gives_up_when_a_fresh_token_is_refused_too(providers, owner_client, provider, account):
    connection = connected(owner_client, provider, account)
    providers.state.inject_fault(path=r"/events$", method="POST", status=401, count=2)

    with pytest.raises(Unauthorized):
        create(connection)

    assert interviews_in(providers, provider, account) == []


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_keeps_the_local_time_across_a_dst_change(providers, owner_client, provider, account):
    connection = connected(owner_client, provider, account)
    # Given in UTC, as the scheduling code may hold it: the adapters must write Berlin wall-clock time.
    winter = datetime(2030, 3, 25, 10, 0, tzinfo=BERLIN).astimezone(UTC)
    created = create(connection, start=winter, end=winter + timedelta(hours=1))
    event = stored(providers, provider, account, created.provider_event_id)
    assert (event.tz, local(event.start), winter.hour) == ("Europe/Berlin", datetime(2030, 3, 25, 10, 0), 9)

    summer = datetime(2030, 4, 1, 10, 0, tzinfo=BERLIN)  # a week later, after the clocks went forward
    update(connection, created.provider_event_id, start=summer, end=summer + timedelta(hours=1))

    event = stored(providers, provider, account, created.provider_event_id)
    assert local(event.start) == datetime(2030, 4, 1, 10, 0) and local(event.end) == datetime(2030, 4, 1, 11, 0)
    assert event.start == int(datetime(2030, 4, 1, 8, 0, tzinfo=UTC).timestamp())


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_keeps_the_instant_in_the_hour_the_clocks_go_back(providers, owner_client, provider, account):
    connection = connected(owner_client, provider, account)
    # 02:30 happens twice in Berlin on 2030-10-27; fold=1 is the second time (01:30 UTC).
    start = datetime(2030, 10, 27, 2, 30, fold=1, tzinfo=BERLIN)

    created = create(connection, start=start, end=start + timedelta(minutes=30))

    event = stored(providers, provider, account, created.provider_event_id)
    assert event.start == int(datetime(2030, 10, 27, 1, 30, tzinfo=UTC).timestamp())
    assert event.end - event.start == 30 * 60


def test_it_escapes_recruiter_text_for_outlook_and_adds_the_video_link(providers, owner_client):
    connection = connected(owner_client, "microsoft", OUTLOOK_ACCOUNT)

    created = create(connection, description="<b>Bring</b> your CV & portfolio\nSee you!", location="",
                     video_link="https://meet.example.test/abc?x=1&y=2")

    event = stored(providers, "microsoft", OUTLOOK_ACCOUNT, created.provider_event_id)
    body = event.get_extra("description")
    assert "&lt;b&gt;Bring&lt;/b&gt; your CV &amp; portfolio<br>See you!" in body and "<b>" not in body
    assert '<a href="https://meet.example.test/abc?x=1&amp;y=2">' in body
    assert event.location == "https://meet.example.test/abc?x=1&y=2"


def test_it_writes_to_the_calendar_asked_for(providers, owner_client):
    connection = connected(owner_client, "google", GOOGLE_ACCOUNT)
    with across_tenants("test setup"):
        team = Calendar.objects.filter(connection=connection, is_primary=False, can_edit=True).first()
        result = event_create(connection=connection, calendar=team, key=KEY, draft=draft())
        event_update(connection=connection, calendar=team, provider_event_id=result.provider_event_id,
                     draft=draft(location="Room 9"))

    event = stored(providers, "google", GOOGLE_ACCOUNT, result.provider_event_id)
    assert event.calendar.id == team.provider_calendar_id and event.location == "Room 9"


def test_it_derives_stable_valid_provider_ids():
    ids = {google_event_id(f"interview-{n}") for n in range(200)}
    assert len(ids) == 200 and all(re.fullmatch(r"[a-v0-9]{5,1024}", i) for i in ids)
    assert google_event_id(KEY) == google_event_id(KEY)
    assert uuid.UUID(graph_transaction_id(KEY)).version == 5
    assert graph_transaction_id(KEY) == graph_transaction_id(KEY) != graph_transaction_id("another")


def test_it_refuses_a_draft_that_cannot_be_scheduled():
    with pytest.raises(ValueError, match="aware"):
        draft(start=datetime(2030, 6, 12, 14, 0), end=datetime(2030, 6, 12, 15, 0))
    with pytest.raises(ValueError, match="before"):
        draft(end=datetime(2030, 6, 12, 13, 0, tzinfo=BERLIN))
    with pytest.raises(ValueError, match="time zone"):
        draft(time_zone="Mars/Olympus_Mons")
