"""Writing pages of synced events: the fast paths store exactly what the careful ones would."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.db import IntegrityError, ProgrammingError, transaction
from django.db import connection as db
from django_scopes import scope

from calendars.models import Event
from calendars.providers.base import EventData
from calendars.sync.engine import _bulk_write_session
from calendars.sync.normalize import clean_event
from calendars.sync.store import COPY_THRESHOLD, RowsRefused, upsert_events
from recruitee.tenancy.db import OWNER_ROLE, across_tenants
from tests.calendars.factories import connected_calendar

pytestmark = pytest.mark.django_db
START = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)


def page(first: int, count: int, *, title: str = "Busy") -> list[EventData]:
    return [
        EventData(provider_event_id=f"ev-{n}", ical_uid=f"ev-{n}@test", title=f"{title} {n}",
                  start=START + timedelta(hours=n), end=START + timedelta(hours=n, minutes=30),
                  time_zone="Europe/Berlin", all_day=False, start_date=None, end_date=None, status="confirmed",
                  is_busy=True, organizer_email="o@test", organizer_name="O",
                  attendees=[{"email": "a@test", "name": "A", "response": "accepted"}], series_id="",
                  provider_updated_at=START)
        for n in range(first, first + count)
    ]


def stored(calendar) -> dict[str, str]:
    with across_tenants("test setup"):
        return dict(Event.objects.filter(calendar=calendar).values_list("provider_event_id", "title"))


@pytest.mark.skipif(db.vendor != "postgresql", reason="the COPY paths are PostgreSQL's")
def test_it_upserts_a_fresh_page_that_repeats_events_already_written(owner):
    calendar = connected_calendar(owner)
    size = COPY_THRESHOLD + 10
    with transaction.atomic(), scope(company=owner.company):
        assert upsert_events(calendar, page(0, size), 1, fresh=True) == size
    # The provider repeats half of the first page (a replayed change): the plain insert meets those rows, and the
    # page is upserted instead, in the same transaction, counting only the events that are new.
    with transaction.atomic(), scope(company=owner.company):
        new = upsert_events(calendar, page(size // 2, size, title="Moved"), 1, fresh=True)
    assert new == size // 2 + size % 2
    rows = stored(calendar)
    assert len(rows) == size // 2 + size
    assert rows["ev-0"] == "Busy 0" and rows[f"ev-{size // 2}"] == f"Moved {size // 2}"


def awkward(events: list[EventData]) -> list[EventData]:
    """Values COPY's text format must escape or spell out: backslashes (its escape character), quotes, JSON escapes,
    non-ASCII, NULLs, dates, fractions of seconds, other offsets."""
    berlin = timezone(timedelta(hours=2))
    return [
        replace(events[0], title="C:\\temp\\new \\N \\t", organizer_name='Zoë "Z" Ünal 🗓',
                attendees=[{"email": "a\\b@test", "name": 'Q "uote" \\', "response": "declined"}]),
        replace(events[1], all_day=True, start_date=date(2030, 5, 6), end_date=date(2030, 5, 7), is_busy=False,
                provider_updated_at=None, ical_uid="", series_id="series\\1", time_zone=""),
        replace(events[2], start=datetime(2030, 5, 6, 9, 0, 0, 123456, tzinfo=berlin),
                end=datetime(2030, 5, 6, 10, 30, tzinfo=berlin), status="tentative", attendees=[]),
        *events[3:],
    ]


@pytest.mark.skipif(db.vendor != "postgresql", reason="the COPY paths are PostgreSQL's")
@pytest.mark.parametrize("fresh", [True, False])
def test_it_stores_what_the_orm_stores_when_it_copies_a_page(owner, teammate, fresh):
    copied, saved = connected_calendar(owner), connected_calendar(teammate)
    events = awkward(page(0, COPY_THRESHOLD))
    with transaction.atomic(), scope(company=owner.company):
        assert upsert_events(copied, events, 3, fresh=fresh) == len(events)
        for first in range(0, len(events), COPY_THRESHOLD - 1):  # pages below the threshold go through the ORM
            upsert_events(saved, events[first:first + COPY_THRESHOLD - 1], 3)
    fields = [f.name for f in Event._meta.fields if f.name not in ("id", "calendar", "company")]
    with across_tenants("test setup"):
        rows = [list(Event.objects.filter(calendar=calendar).order_by("provider_event_id").values(*fields))
                for calendar in (copied, saved)]
    assert rows[0] == rows[1]
    assert rows[0][0]["title"] == "C:\\temp\\new \\N \\t" and rows[0][0]["attendees"][0]["name"] == 'Q "uote" \\'


def test_it_keeps_a_clean_event_as_it_is_and_cleans_any_other():
    clean = page(0, 1)[0]
    assert clean_event(clean) is clean  # nothing copied for the common case
    for dirty in (replace(clean, title="a\x00b"), replace(clean, time_zone="Europe"),
                  replace(clean, status="maybe"), replace(clean, end=START - timedelta(days=1)),
                  replace(clean, attendees=[{"email": "a@test", "name": "A", "response": "perhaps"}]),
                  replace(clean, attendees=[{"email": "a@test", "name": "A", "response": "accepted", "x": 1}]),
                  replace(clean, organizer_name="O" * 500), replace(clean, start_date=START)):
        cleaned = clean_event(dirty)
        assert cleaned is not dirty and cleaned == clean_event(cleaned), dirty


@pytest.mark.skipif(db.vendor != "postgresql", reason="the key over (calendar, company) is PostgreSQL's")
@pytest.mark.parametrize("fresh", [True, False])
def test_the_database_refuses_an_event_filed_under_another_company_than_its_calendar(owner, outsider, fresh):
    calendar = connected_calendar(owner)
    calendar.company_id = outsider.company_id  # a bug that would file acme's busy times under globex
    with db.cursor() as cursor:
        # The key is checked when a transaction commits, which a test's own transaction never does: check it now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # In acme's scope the tenant wall refuses globex rows before the key is asked (tests/tenancy/); across tenants
    # the key alone stands in the way.
    with pytest.raises(RowsRefused), transaction.atomic(), across_tenants("test setup"):
        upsert_events(calendar, page(0, COPY_THRESHOLD + 1), 1, fresh=fresh)
    with pytest.raises(IntegrityError), transaction.atomic(), across_tenants("test setup"):
        Event.objects.create(company_id=outsider.company_id, calendar_id=calendar.pk, provider_event_id="x",
                             start=START, end=START)
    assert stored(calendar) == {}


def commit_setting() -> str:
    with db.cursor() as cursor:
        cursor.execute("SELECT current_setting('synchronous_commit')")
        return cursor.fetchone()[0]


@pytest.mark.skipif(db.vendor != "postgresql", reason="the session settings are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_sync_commits_without_waiting_for_the_disk_and_leaves_the_session_as_it_found_it():
    before = commit_setting()
    assert before == "on"  # what every web request's statements run with
    with _bulk_write_session():
        assert commit_setting() == "off"
    assert commit_setting() == before


def key_checked_at_once() -> None:
    """Run the foreign key's checks now (a test's transaction never commits, where they would run)."""
    with db.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.skipif(db.vendor != "postgresql", reason="the function is PostgreSQL's")
def test_a_fresh_page_goes_in_for_the_calendar_it_was_written_for_and_the_key_checks_the_next_write(owner):
    calendar = connected_calendar(owner)
    other = connected_calendar(owner, email="other@acme.test")
    with transaction.atomic(), scope(company=owner.company):
        assert upsert_events(calendar, page(0, COPY_THRESHOLD), 1, fresh=True) == COPY_THRESHOLD
        # The page's rows come from the function with the foreign key's row-by-row checks off; they are on again
        # for whatever the transaction writes next: a row naming a calendar that does not exist is refused.
        with pytest.raises(IntegrityError), transaction.atomic():
            Event.objects.create(company=owner.company, calendar_id=other.pk + 1000, provider_event_id="x",
                                 start=START, end=START)
            key_checked_at_once()
    assert len(stored(calendar)) == COPY_THRESHOLD and stored(other) == {}


@pytest.mark.skipif(db.vendor != "postgresql", reason="the function is PostgreSQL's")
def test_the_function_writes_a_page_for_the_sessions_tenant_only(owner, outsider):
    theirs = connected_calendar(outsider)
    # Running as the tables' owner, the function is not held by the policies: it refuses another company itself.
    with pytest.raises(ProgrammingError, match="not the tenant"), transaction.atomic(), scope(company=owner.company):
        upsert_events(theirs, page(0, COPY_THRESHOLD), 1, fresh=True)
    # And the calendar must be the company's, as the foreign key has it.
    mine = connected_calendar(owner)
    mine.company_id = outsider.company_id
    with pytest.raises(RowsRefused, match="does not exist"), transaction.atomic(), scope(company=outsider.company):
        upsert_events(mine, page(0, COPY_THRESHOLD), 1, fresh=True)
    assert stored(theirs) == {} and stored(mine) == {}


@pytest.mark.skipif(db.vendor != "postgresql", reason="the roles are PostgreSQL's")
def test_the_owner_may_switch_the_row_by_row_key_checks_off():
    # Given by ensure_roles (manage.py database_roles, .ci/run); without it every page's rows are checked one by one.
    with db.cursor() as cursor:
        cursor.execute("SELECT has_parameter_privilege(%s, 'session_replication_role', 'SET')", [OWNER_ROLE])
        assert cursor.fetchone() == (True,)
