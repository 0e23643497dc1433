"""The week view as a recruiter reads it: interviews stand apart and open their page, a meeting seen through two
connected calendars shows once, titles come before times, a day view for phones, and when the calendar synced."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calendars.models import CalendarConnection
from recruitee.tenancy.db import across_tenants
from scheduling.models import Interview, Participant
from tests.calendars.factories import connected_calendar, event

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY = date(2030, 6, 12)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def week(owner, teammate, interviewer, acme_candidate):
    """The owner's interview with Ivan on Wednesday 11:00, in the owner's synced calendar too (our UID)."""
    for member in (owner, teammate, interviewer):
        member.user.time_zone = "Europe/Berlin"
        member.user.save()
    mine = connected_calendar(owner)
    with across_tenants("test setup"):
        interview = Interview.objects.create(company=owner.company, candidate=acme_candidate, organizer=owner,
                                             title="Interview: Wile E. Coyote", start=at(WEDNESDAY, 11),
                                             end=at(WEDNESDAY, 12), time_zone="Europe/Berlin")
        Participant.objects.create(company=owner.company, interview=interview, role="interviewer",
                                   member=interviewer, name="Ivan Interviewer", email=interviewer.user.email,
                                   time_zone="Europe/Berlin")
    event(mine, interview.title, interview.start, interview.end, ical_uid=interview.ical_uid)
    return {"calendar": mine, "interview": interview}


def blocks(page: str) -> list[str]:
    return re.findall(r'<(?:a|div) class="wk-block[^>]*>.*?</(?:a|div)>', page)


def test_an_interview_is_shown_once_in_its_own_colour_and_opens_its_page(owner_client, week, interviewer):
    page = owner_client.get("/acme/calendar/", {"date": WEDNESDAY, "with": interviewer.pk}).content.decode()
    interviews = [block for block in blocks(page) if 'data-kind="interview"' in block]
    assert len(interviews) == 2  # the owner's (from our row, not also from the synced copy) and Ivan's
    assert len(blocks(page)) == 2
    for block in interviews:
        assert block.startswith('<a class="wk-block') and "wk-interview" in block
        assert f'href="/acme/interviews/{week["interview"].pk}/"' in block
        assert "11:00–12:00 · Interview</span>" in block  # a label, not the colour alone


def test_an_interviewer_sees_a_teammate_s_interview_only_as_an_interview(interviewer_client, week, owner,
                                                                        teammate, acme_candidate):
    with across_tenants("test setup"):
        other = Interview.objects.create(company=owner.company, candidate=acme_candidate, organizer=teammate,
                                         title="Interview: Secret Rocket Engineer", start=at(WEDNESDAY, 15),
                                         end=at(WEDNESDAY, 16), time_zone="Europe/Berlin")
    page = interviewer_client.get("/acme/calendar/", {"date": WEDNESDAY, "with": teammate.pk}).content.decode()
    theirs = [block for block in blocks(page) if "15:00–16:00" in block]
    assert len(theirs) == 1 and theirs[0].startswith("<div") and ">Interview<" in theirs[0]
    assert "Secret Rocket Engineer" not in page and f"/acme/interviews/{other.pk}/" not in page
    mine = [block for block in blocks(page) if "11:00–12:00" in block]
    assert len(mine) == 1 and f'href="/acme/interviews/{week["interview"].pk}/"' in mine[0]  # Ivan takes part


def test_a_meeting_in_two_connected_calendars_is_shown_once(owner_client, week, owner):
    outlook = connected_calendar(owner, email="olivia@outlook.test")
    for calendar in (week["calendar"], outlook):
        event(calendar, "Team sync", at(WEDNESDAY, 14), at(WEDNESDAY, 15), ical_uid="team-sync@example.com")
        event(calendar, "Summer party", at(WEDNESDAY, 0), at(WEDNESDAY + timedelta(days=1), 0), all_day=True,
              ical_uid="party@example.com", start_date=WEDNESDAY, end_date=WEDNESDAY + timedelta(days=1))
    # A recurring meeting's occurrences share their UID: those are different times, each shown.
    event(outlook, "Team sync", at(WEDNESDAY + timedelta(days=1), 14), at(WEDNESDAY + timedelta(days=1), 15),
          ical_uid="team-sync@example.com")
    page = owner_client.get("/acme/calendar/", {"date": WEDNESDAY}).content.decode()
    assert len([block for block in blocks(page) if ">Team sync<" in block]) == 2
    assert page.count('title="Summer party">Summer party<') == 1


def test_titles_come_before_times_with_the_whole_title_in_the_tooltip(owner_client, week):
    long = "Quarterly planning with the whole platform group and guests"
    event(week["calendar"], long, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    page = owner_client.get("/acme/calendar/", {"date": WEDNESDAY}).content.decode()
    [block] = [block for block in blocks(page) if long in block]
    assert f'title="{long} · 09:00–10:00"' in block
    assert block.index('class="wk-title"') < block.index('class="wk-time"')


def test_the_day_view_shows_one_day_with_steps_to_the_next(owner_client, week, interviewer):
    thursday = WEDNESDAY + timedelta(days=1)
    event(week["calendar"], "Thursday thing", at(thursday, 9), at(thursday, 10))
    response = owner_client.get("/acme/calendar/", {"date": WEDNESDAY, "view": "day", "with": interviewer.pk})
    page = response.content.decode()
    assert "<h1>Wednesday 12 June 2030</h1>" in page
    assert page.count('class="wk-day wk-col') == 1 and page.count('class="wk-head wk-col') == 1
    assert "Thursday thing" not in page
    assert len(blocks(page)) == 2  # the interview, in the owner's column and Ivan's
    assert f'href="?date=2030-06-13&amp;with={interviewer.pk}&amp;view=day" aria-label="Next day"' in page
    assert f'href="?date=2030-06-11&amp;with={interviewer.pk}&amp;view=day" aria-label="Previous day"' in page


def test_the_week_marks_the_day_a_phone_shows(owner_client, week):
    page = owner_client.get("/acme/calendar/", {"date": WEDNESDAY + timedelta(days=1)}).content.decode()
    assert page.count('class="wk-day wk-col') == 7
    focus = re.findall(r'class="wk-day wk-col[^"]*wk-focus[^"]*"[^>]*aria-label="([^"]+)"', page)
    assert focus == ["Thursday 13 June"]
    assert 'href="?date=2030-06-14" data-testid="next-day"><span class="visually-hidden">Next day: </span>' in page


def test_the_day_view_reads_as_few_queries_as_the_week(owner_client, week, interviewer):
    def count(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            owner_client.get("/acme/calendar/", {"date": WEDNESDAY, "with": interviewer.pk, **params})
        return len(captured)

    assert count(view="day") == count()


def test_it_says_when_the_calendar_synced_in_a_time_that_keeps_ticking(owner_client, week):
    synced = timezone.now() - timedelta(seconds=25)
    with across_tenants("test setup"):
        CalendarConnection.objects.filter(pk=week["calendar"].connection_id).update(last_sync_at=synced)
    page = owner_client.get("/acme/calendar/", {"date": WEDNESDAY}).content.decode()
    stamp = re.search(r'<time datetime="([^"]+)" data-relative title="[^"]+">([^<]+)</time>', page)
    assert stamp and datetime.fromisoformat(stamp.group(1)) == synced
    assert stamp.group(2).endswith("seconds ago")  # then week.js counts on from the datetime attribute
