"""Reads of synced events follow the window shown, not the history: the week view, Find time and the interview
page read the same rows through the same indexes whether a calendar holds a few or tens of thousands of events
outside the window, and send the same number of queries whoever and whatever they show."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from calendars.models import Event
from recruitee.tenancy.db import across_tenants
from scheduling.models import CalendarInvite, Interview, Participant
from tests.calendars.factories import connected_calendar, event
from tests.conftest import analyze

from .helpers import step1

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans are PostgreSQL's"),
]

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2030, 6, 12)  # a Wednesday: its week runs from 2030-06-10; the wizard's helpers use it too
FEW, MANY = 2_000, 20_000


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 6, day, hour, minute, tzinfo=BERLIN)


def history(calendar, count: int, *, offset: int = 0) -> None:
    """`count` events outside every window the tests show, far from the week of 2030-06-10 and from the margins of
    its reads: every other one an hour further back from 2030-06-05 (now and then a three-day one), the others an
    hour further on from 2030-06-21."""
    rows = []
    for n in range(offset, offset + count):
        if n % 2:
            start = datetime(2030, 6, 5, tzinfo=UTC) - timedelta(hours=n)
            length = timedelta(days=3) if n % 500 == 1 else timedelta(minutes=45)
        else:
            start, length = datetime(2030, 6, 21, tzinfo=UTC) + timedelta(hours=n), timedelta(minutes=45)
        rows.append(Event(company=calendar.company, calendar=calendar, provider_event_id=f"old-{n}",
                          ical_uid=f"old-{n}@example.com", title="Old", start=start, end=start + length,
                          all_day=length > timedelta(days=1)))
    with across_tenants("test setup"):
        Event.objects.bulk_create(rows, batch_size=5_000)
    analyze("calendars_event")


@pytest.fixture
def team(owner, teammate, interviewer, acme_candidate):
    """Three connected calendars with a busy week, an interview on Wednesday in the owner's synced calendar too."""
    owner.user.time_zone = "Europe/Berlin"
    owner.user.save()
    calendars = [connected_calendar(member) for member in (owner, teammate, interviewer)]
    for index, calendar in enumerate(calendars):
        for day in range(10, 17):
            event(calendar, f"Standup {index}", at(day, 9), at(day, 9, 30))
            event(calendar, f"Review {index}", at(day, 14, 15), at(day, 15, 45))
    # Long ones that began well before the window and still run in it: only the index of long events finds them.
    event(calendars[0], "Sabbatical", datetime(2030, 5, 20, tzinfo=UTC), datetime(2030, 6, 11, tzinfo=UTC),
          all_day=True, start_date=date(2030, 5, 20), end_date=date(2030, 6, 11))
    event(calendars[1], "Conference", at(6, 8), at(12, 16))
    with across_tenants("test setup"):
        interview = Interview.objects.create(company=owner.company, candidate=acme_candidate, organizer=owner,
                                             title="Interview: Wile E. Coyote", start=at(12, 11), end=at(12, 12),
                                             time_zone="Europe/Berlin")
        Participant.objects.create(company=owner.company, interview=interview, role="interviewer",
                                   member=interviewer, name="Ivan Interviewer", email=interviewer.user.email,
                                   time_zone="Europe/Berlin")
        CalendarInvite.objects.create(company=owner.company, interview=interview, connection=calendars[0].connection,
                                      provider="google", provider_event_id="invite-1", status="created")
    event(calendars[0], interview.title, interview.start, interview.end, ical_uid=interview.ical_uid,
          attendees=[{"email": interviewer.user.email, "response": "accepted"}])
    history(calendars[0], FEW // 2)
    history(calendars[1], FEW // 2)
    return {"calendars": calendars, "interview": interview}


def pages(team, teammate, interviewer, acme_candidate) -> dict[str, str]:
    picks = f"interviewers={teammate.pk}&interviewers={interviewer.pk}"
    return {
        "week": f"/acme/calendar/?date={DAY}&with={teammate.pk}&with={interviewer.pk}",
        "find time": (f"/acme/candidates/{acme_candidate.pk}/schedule/find-time/?date={DAY}&start_time=14:00"
                      f"&duration=60&time_zone=Europe/Berlin&invite_candidate=on&{picks}"),
    }


def event_reads(client, url: str) -> tuple[int, list[str]]:
    """The page's number of queries, and the SQL of those that read calendars_event."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), [q["sql"] for q in captured if 'FROM "calendars_event"' in q["sql"]]


def _scans(node: dict):
    if node.get("Relation Name") == "calendars_event" or node.get("Node Type") == "Bitmap Index Scan":
        yield node
    for child in node.get("Plans", []):
        yield from _scans(child)


def plan_of(sql: str, company) -> dict:
    """How PostgreSQL runs the query, in the company's scope as the page did: the kinds of scan of calendars_event
    and the indexes, and how many rows it read from the table (returned + thrown away by a filter)."""
    with scope(company=company), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    scans = list(_scans(plan[0]["Plan"]))
    table = [s for s in scans if s.get("Relation Name") == "calendars_event"]
    return {
        "shape": sorted((s["Node Type"], s.get("Index Name", "")) for s in scans),
        "rows read": sum((s["Actual Rows"] + s.get("Rows Removed by Filter", 0)
                          + s.get("Rows Removed by Index Recheck", 0)) * s["Actual Loops"] for s in table),
    }


def test_it_reads_the_window_through_indexes_whatever_the_history(owner_client, team, teammate, interviewer,
                                                                  acme_candidate):
    urls = pages(team, teammate, interviewer, acme_candidate)
    before = {}
    for name, url in urls.items():
        count, reads = event_reads(owner_client, url)
        assert reads, name
        before[name] = (count, [plan_of(sql, acme_candidate.company) for sql in reads])

    history(team["calendars"][0], MANY // 2, offset=FEW)
    history(team["calendars"][1], MANY // 2, offset=FEW + MANY)

    for name, url in urls.items():
        count, reads = event_reads(owner_client, url)
        plans = [plan_of(sql, acme_candidate.company) for sql in reads]
        assert count == before[name][0], name
        for plan, earlier in zip(plans, before[name][1], strict=True):
            assert plan == earlier, (name, plan, earlier)
            assert all(kind != "Seq Scan" for kind, _ in plan["shape"]), (name, plan)
            assert {index for _, index in plan["shape"]} - {""} <= {
                "calendars_event_window", "calendars_event_long", "calendars_event_uid", "one_row_per_provider_event",
            }, (name, plan)
            assert plan["rows read"] < 200, (name, plan)  # the window's few dozen, not the history


def test_it_finds_events_that_began_long_before_the_window(owner_client, team, teammate, interviewer,
                                                          acme_candidate):
    week = owner_client.get(pages(team, teammate, interviewer, acme_candidate)["week"]).content.decode()
    assert "Sabbatical" in week  # 20 May - 10 June: in Monday's all-day row
    grid = owner_client.get(pages(team, teammate, interviewer, acme_candidate)["find time"]).content.decode()
    assert 'title="Busy · 07:00–16:00"' in grid  # Terry's conference (6-12 June) fills Wednesday until 16:00
    assert "Terry Teammate is busy" in grid  # and it conflicts with 14:00


def test_it_sends_as_many_queries_for_more_people_and_more_events(owner_client, team, owner, teammate, interviewer,
                                                                  acme_candidate):
    week = f"/acme/calendar/?date={DAY}"
    find = (f"/acme/candidates/{acme_candidate.pk}/schedule/find-time/?date={DAY}&start_time=14:00&duration=60"
            "&time_zone=Europe/Berlin&invite_candidate=on")
    one = [event_reads(owner_client, f"{week}&with={teammate.pk}")[0],
           event_reads(owner_client, f"{find}&interviewers={teammate.pk}")[0]]
    two = [event_reads(owner_client, f"{week}&with={teammate.pk}&with={interviewer.pk}")[0],
           event_reads(owner_client, f"{find}&interviewers={teammate.pk}&interviewers={interviewer.pk}")[0]]
    assert one == two


def test_it_reads_everyone_s_calendars_once_for_the_grid_and_its_conflicts(owner_client, team, interviewer,
                                                                          acme_candidate):
    url = step1(owner_client, acme_candidate, interviewers=[interviewer.pk])
    step1_url = url.replace("/invite/", "/")
    count, reads = event_reads(owner_client, step1_url)
    page = owner_client.get(step1_url).content.decode()
    assert "Ivan Interviewer is busy 14:15–15:45." in page  # the conflict check saw the grid's data
    assert 'data-testid="find-time-row"' in page
    assert len(reads) == 1, reads


def test_it_shows_an_interview_once_when_its_event_is_in_the_week_and_from_our_rows_when_not(
        owner_client, team, interviewer):
    page = owner_client.get(f"/acme/calendar/?date={DAY}&with={interviewer.pk}").content.decode()
    # The owner's calendar has the interview's event, Ivan's has not: each shows it once, from our row, as an
    # interview the owner (its organizer) may open.
    assert page.count("Interview: Wile E. Coyote") == 4  # the owner's and Ivan's blocks: title and tooltip each
    assert page.count("11:00–12:00") == 4  # the owner's and Ivan's blocks, each with its time and tooltip
    assert page.count(f'href="/acme/interviews/{team["interview"].pk}/"') == 2


def test_the_interview_page_reads_no_synced_events(owner_client, team):
    _, reads = event_reads(owner_client, f"/acme/interviews/{team['interview'].pk}/")
    assert reads == []  # answers are stored on the participants (scheduling/answers.py)
