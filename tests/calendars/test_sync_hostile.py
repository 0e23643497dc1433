"""A sync never stalls on what a provider sends: hostile events are stored normalised or skipped and counted.

Anyone who can put an event into a member's calendar (an invitation from outside lands there by itself) chooses
its title, organizer and attendees, so these run on PostgreSQL, where column sizes and NUL bytes are enforced.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection as db
from django.utils.html import escape

from calendars.models import Calendar, CalendarConnection, Event
from calendars.sync.engine import error_text
from calendars.sync.normalize import MAX_ATTENDEES, clean_text
from recruitee.tenancy.db import across_tenants
from tests.calendars.sync_truth import sandbox_events, stored_events
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT
from tests.calendars.test_sync import EVENTS_PATH, connected, selected_ids, sync
from tests.conftest import table_owner

pytestmark = pytest.mark.django_db

LONG_TITLE = "Ü" * 5000  # non-ASCII: cut by characters, never inside one
CONTROLS_TITLE = "Inter\x00view\x07 with\nyou\x1b"
GOOGLE_ATTENDEE = {"email": "a\x00b@outside.test", "displayName": "A\x1bB\x00", "responseStatus": "maybe-later"}
GRAPH_ATTENDEE = {"type": "required", "status": {"response": "maybe-later", "time": "0001-01-01T00:00:00Z"},
                  "emailAddress": {"name": "A\x1bB\x00", "address": "a\x00b@outside.test"}}
CLEAN_ATTENDEE = {"email": "ab@outside.test", "name": "AB", "response": "needs_action"}
IN_THREE_DAYS = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:00:00Z")

# name -> (summary, raw resource fields served as given); the same kinds for both providers, in their shapes.
HOSTILE = {
    "google": {
        "long title": (LONG_TITLE, {}),
        "long organizer": ("x", {"organizer": {"email": "ext@outside.test", "displayName": "O" * 300}}),
        "odd status": ("x", {"status": "s" * 30}),
        "controls": (CONTROLS_TITLE, {"organizer": {"email": "ev\x00il@outside.test", "displayName": "Ev\x00il\x1b"},
                                      "attendees": [GOOGLE_ATTENDEE]}),
        "many attendees": ("x", {"attendees": [{"email": f"p{n}@outside.test", "displayName": "P" * 500}
                                               for n in range(MAX_ATTENDEES + 50)]}),
        "bad updated": ("x", {"updated": "yesterday-ish"}),
        # A folder of the zone database, not a zone: opening it as one fails with an OSError.
        "bad zone": ("x", {"start": {"dateTime": IN_THREE_DAYS, "timeZone": "Europe"}}),
        "unparsable time": ("x", {"start": {"dateTime": "not a time"}}),
        "impossible date": ("x", {"start": {"date": "2030-02-30"}, "end": {"date": "2030-03-01"}}),
    },
    "microsoft": {
        "long title": (LONG_TITLE, {}),
        "long organizer": ("x", {"organizer": {"emailAddress": {"name": "O" * 300, "address": "ext@outside.test"}}}),
        "odd status": ("x", {"showAs": "s" * 30}),
        "controls": (CONTROLS_TITLE, {"organizer": {"emailAddress": {"name": "Ev\x00il\x1b",
                                                                     "address": "ev\x00il@outside.test"}},
                                      "attendees": [GRAPH_ATTENDEE]}),
        "many attendees": ("x", {"attendees": [{**GRAPH_ATTENDEE, "emailAddress": {"name": "P" * 500,
                                                                                  "address": f"p{n}@outside.test"}}
                                               for n in range(MAX_ATTENDEES + 50)]}),
        "bad updated": ("x", {"lastModifiedDateTime": "yesterday-ish"}),
        "bad zone": ("x", {"originalStartTimeZone": "Europe"}),
        "impossible date": ("x", {"start": {"dateTime": "2030-02-30T10:00:00.0000000", "timeZone": "UTC"}}),
    },
}
SKIPPED = {"unparsable time", "impossible date"}
ACCOUNTS = [("google", GOOGLE_ACCOUNT), ("microsoft", OUTLOOK_ACCOUNT)]


def add_hostile_events(state, provider: str, account: str) -> dict[str, str]:
    """The hostile events at the provider, one hour apart in the coming days; returns name -> provider id."""
    soon = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    ids = {}
    for n, (name, (summary, raw)) in enumerate(HOSTILE[provider].items()):
        start = soon + timedelta(hours=n)
        ids[name] = state.add_event(provider, account, summary=summary, start=start, end=start + timedelta(minutes=30),
                                    raw=raw).id
    return ids


def fresh(connection) -> CalendarConnection:
    with across_tenants("test setup"):
        return CalendarConnection.objects.get(pk=connection.pk)


def assert_good_events_mirrored(sandbox, provider, account, connection, hostile: dict[str, str]) -> dict:
    """Every event but the hostile ones stored exactly as the provider has it; the hostile ones stored (their
    values are checked separately) or, for those that cannot be read, absent."""
    ids, provider_ids = selected_ids(connection)
    with across_tenants("test setup"):
        stored = stored_events(ids)
    truth = sandbox_events(sandbox, provider, account, provider_ids)
    skipped = {hostile[name] for name in SKIPPED if name in hostile}
    assert stored.keys() == truth.keys() - skipped
    for key in truth.keys() - set(hostile.values()):
        assert stored[key] == truth[key], key
    return stored


def assert_normalised(provider: str, hostile: dict[str, str]) -> None:
    with across_tenants("test setup"):
        rows = {name: Event.objects.filter(provider_event_id=pid).first() for name, pid in hostile.items()}
    assert rows["long title"].title == "Ü" * 1024
    assert rows["long organizer"].organizer_name == "O" * 200
    assert (rows["odd status"].status, rows["odd status"].is_busy) == ("confirmed", True)
    controls = rows["controls"]
    assert controls.title == "Interview with you"
    assert (controls.organizer_email, controls.organizer_name) == ("evil@outside.test", "Evil")
    assert controls.attendees == [CLEAN_ATTENDEE]
    many = rows["many attendees"].attendees
    assert len(many) == MAX_ATTENDEES and {len(a["name"]) for a in many} == {200}
    assert rows["bad updated"].provider_updated_at is None
    assert rows["bad zone"].time_zone == ""
    for name in SKIPPED:
        assert rows.get(name) is None


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_stores_hostile_events_normalised_skips_unreadable_ones_and_keeps_syncing(
    providers, owner_client, provider, account
):
    connection = connected(owner_client, provider, account, all_calendars=False)
    hostile = add_hostile_events(providers.state, provider, account)

    assert sync(connection, full=True)["ran"]

    assert_good_events_mirrored(providers, provider, account, connection, hostile)
    assert_normalised(provider, hostile)
    after_full = fresh(connection)
    assert (after_full.last_error, after_full.syncs_failed, after_full.syncs_succeeded) == ("", 0, 1)
    skipped = len(SKIPPED & HOSTILE[provider].keys())
    assert after_full.sync_events_skipped == skipped
    with across_tenants("test setup"):
        assert not Calendar.objects.filter(connection=connection).exclude(sync_page="").exists()
    page = owner_client.get("/acme/calendars/").content.decode()
    assert f"{skipped} event{'s' if skipped > 1 else ''} could not be read" in page

    # The next incremental sync gets a new event and the changed hostile ones (a small page, stored without COPY).
    state = providers.state
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    added = state.add_event(provider, account, summary="Booked after the hostile ones", start=soon)
    for name in ("controls", "impossible date"):
        state.move_event(provider, account, hostile[name], start=soon + timedelta(hours=2))
    before = len([r for r in state.request_log() if r["path"].endswith(EVENTS_PATH[provider])])

    assert sync(connection)["ran"]

    requests = [r for r in state.request_log() if r["path"].endswith(EVENTS_PATH[provider])][before:]
    assert len(requests) == 1  # incremental: one short page, not a new full sync
    stored = assert_good_events_mirrored(providers, provider, account, connection, hostile)
    assert stored[added.id][0] == "Booked after the hostile ones"
    assert_normalised(provider, hostile)
    after_incremental = fresh(connection)
    assert (after_incremental.last_error, after_incremental.syncs_failed) == ("", 0)
    assert after_incremental.syncs_succeeded == 2 and after_incremental.sync_events_skipped == 1
    assert "1 event could not be read" in owner_client.get("/acme/calendars/").content.decode()


@pytest.fixture
def hostile_rule(transactional_db):
    """A rule of the database that normalisation knows nothing of. Added by the tables' owner (the application may
    not change the schema), outside the test's transactions, and taken away afterwards."""
    with table_owner(), db.cursor() as cursor:
        cursor.execute("ALTER TABLE calendars_event ADD CONSTRAINT hostile_test_rule "
                       "CHECK (title <> 'Refused by a rule') NOT VALID")
    yield
    with table_owner(), db.cursor() as cursor:
        cursor.execute("ALTER TABLE calendars_event DROP CONSTRAINT hostile_test_rule")


@pytest.mark.skipif(db.vendor != "postgresql", reason="a CHECK added to a table is PostgreSQL's")
@pytest.mark.usefixtures("hostile_rule")
def test_it_skips_and_counts_an_event_the_database_still_refuses(providers, owner_client):
    """Normalisation covers what we know of; a row the database refuses anyway costs that event, not the page."""
    connection = connected(owner_client, "google", GOOGLE_ACCOUNT, all_calendars=False)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    refused = providers.state.add_event("google", GOOGLE_ACCOUNT, summary="Refused by a rule", start=soon)

    assert sync(connection, full=True)["ran"]  # the first page is big: written with COPY

    assert_good_events_mirrored(providers, "google", GOOGLE_ACCOUNT, connection, {"unparsable time": refused.id})
    assert (fresh(connection).last_error, fresh(connection).sync_events_skipped) == ("", 1)

    providers.state.move_event("google", GOOGLE_ACCOUNT, refused.id, start=soon + timedelta(hours=1))
    added = providers.state.add_event("google", GOOGLE_ACCOUNT, summary="Fine", start=soon + timedelta(hours=3))
    assert sync(connection)["ran"]  # a small page: written with one plain upsert
    with across_tenants("test setup"):
        assert Event.objects.filter(provider_event_id=added.id).exists()
        assert not Event.objects.filter(provider_event_id=refused.id).exists()
    assert (fresh(connection).last_error, fresh(connection).sync_events_skipped) == ("", 1)


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_records_an_unexpected_error_on_the_connection_and_shows_it(providers, owner_client, provider, account):
    connection = connected(owner_client, provider, account, all_calendars=False)
    # Something in the way answers 200 with a body that is not a page of events.
    providers.state.inject_fault(path=EVENTS_PATH[provider] + "$", status=200, body=["not", "a", "page"])

    with pytest.raises(AttributeError):  # re-raised, so the worker logs it with its traceback
        sync(connection, full=True)

    failed = fresh(connection)
    assert failed.syncs_failed == 1 and failed.syncs_succeeded == 0
    assert failed.last_error_class == "AttributeError" and failed.last_error_at is not None
    assert failed.last_error == "Unexpected error (AttributeError: 'list' object has no attribute 'get')"
    shown = escape(failed.last_error)
    assert shown in owner_client.get("/acme/calendars/").content.decode()
    assert shown in owner_client.get("/acme/settings/calendars/").content.decode()
    assert not failed.is_syncing  # the lock is released

    assert sync(connection)["ran"]  # the provider recovered: the error goes, the sync completes
    recovered = fresh(connection)
    assert (recovered.last_error, recovered.syncs_failed, recovered.syncs_succeeded) == ("", 1, 1)


def test_it_never_records_tokens_or_request_urls_in_an_error():
    secret = "ya29.a0AfB_byC" + "x" * 60
    error = ConnectionError(
        "HTTPSConnectionPool(host='graph.test', port=443): Max retries exceeded with url: "
        "/v1.0/me/calendars/AAMk/calendarView/delta?$deltatoken=sEcReTcUrSoR123 (Caused by Bearer "
        f"{secret}; refresh_token=1//0gSecret; jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl)"
    )
    text = error_text(error)
    for leaked in (secret, "sEcReTcUrSoR123", "1//0gSecret", "eyJhbGciOiJSUzI1NiJ9"):
        assert leaked not in text
    assert text.startswith("HTTPSConnectionPool(host='graph.test', port=443): Max retries exceeded")
    assert len(error_text(ValueError("y" * 5000))) <= 1000


def test_it_normalises_calendar_names_from_the_provider(providers, owner_client):
    primary = providers.state.account("google", GOOGLE_ACCOUNT).primary
    primary.name = "Team\x00 plans\n" + "N" * 300
    connection = connected(owner_client, "google", GOOGLE_ACCOUNT, all_calendars=False)
    with across_tenants("test setup"):
        stored = Calendar.objects.get(connection=connection, provider_calendar_id=primary.id)
    assert stored.name == ("Team plans " + "N" * 300)[:255]


def test_it_cleans_what_json_can_carry_but_a_database_cannot_store():
    # A lone surrogate ("\ud800" in the JSON) cannot even be encoded; Unicode line separators end a line.
    assert clean_text("a\ud800b\u2028c\x85d\x7f", 10) == "ab c d"
    assert clean_text("ÜÜÜ", 2) == "ÜÜ" and clean_text(None, 5) == "" and clean_text(42, 5) == ""
