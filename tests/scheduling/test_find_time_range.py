"""Find time over several days: busy/free from each event's own transparency, everyone's working days and hours in
their own zone, the first five times everyone is free ("Suggested times"), conflicts that read naturally, and one
bounded read of the calendars for all of it."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendars.models import Event
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Membership
from scheduling.models import Interview, Participant
from tests.calendars.factories import connected_calendar, event
from tests.conftest import analyze

pytestmark = pytest.mark.django_db

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
WEDNESDAY, FRIDAY = "2030-06-12", "2030-06-14"


def at(day: str, hour: int, minute: int = 0, zone: ZoneInfo = BERLIN) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=zone)


def all_day(calendar, title: str, first: str, days: int = 1, *, busy: bool, uid: str = "") -> Event:
    """An all-day event as the sync stores it: midnights of the calendar's zone, the end exclusive."""
    start = date.fromisoformat(first)
    return event(calendar, title, at(first, 0), at((start + timedelta(days=days)).isoformat(), 0), all_day=True,
                 start_date=start, end_date=start + timedelta(days=days), is_busy=busy, ical_uid=uid)


def live_in(member: Membership, zone: str = "Europe/Berlin", **hours) -> None:
    member.user.time_zone = zone
    member.user.save()
    if hours:
        with across_tenants("test setup"):
            Membership.objects.filter(pk=member.pk).update(**hours)


@pytest.fixture
def team(owner, teammate):
    """The owner and Terry in Berlin, both Monday to Friday, 09:00–17:00, both with a connected calendar."""
    live_in(owner)
    live_in(teammate)
    return connected_calendar(owner), connected_calendar(teammate)


def find_time(client, candidate, day: str, interviewers, **fields) -> str:
    response = client.get(f"/acme/candidates/{candidate.pk}/schedule/find-time/", {
        "date": day, "start_time": "14:00", "duration": "60", "time_zone": "Europe/Berlin",
        "invite_candidate": "on", "interviewers": [m.pk for m in interviewers], **fields})
    assert response.status_code == 200
    return response.content.decode()


def suggested(page: str) -> list[str]:
    return re.findall(r'value="([\d\-T:]+)" data-date="[\d-]+" data-time="[\d:]+" class="btn btn-sm ft-use', page)


def days_shown(page: str) -> list[str]:
    return re.findall(r'<section class="ft-day" data-day="([\d-]+)"', page)


def day_section(page: str, day: str) -> str:
    return page.split(f'data-day="{day}"')[1].split("<section")[0]


def test_it_suggests_the_first_five_free_hours_over_five_working_days(owner_client, team, teammate,
                                                                       acme_candidate):
    page = find_time(owner_client, acme_candidate, WEDNESDAY, [teammate])
    assert days_shown(page) == ["2030-06-12", "2030-06-13", "2030-06-14", "2030-06-17", "2030-06-18"]
    assert suggested(page) == ["2030-06-12T09:00", "2030-06-12T10:00", "2030-06-12T11:00", "2030-06-12T12:00",
                               "2030-06-12T13:00"]
    assert "Wed 12 Jun, 09:00–10:00" in page
    assert 'aria-pressed="false"' in page  # 14:00, the time the form holds, is taken by nobody but not in the five


def test_an_all_day_free_event_does_not_block_and_an_all_day_busy_one_does(owner_client, team, teammate,
                                                                            acme_candidate):
    _, theirs = team
    all_day(theirs, "Working from Lisbon", WEDNESDAY, busy=False)
    all_day(theirs, "Birthday", WEDNESDAY, busy=False)
    page = find_time(owner_client, acme_candidate, WEDNESDAY, [teammate])
    assert suggested(page)[0] == "2030-06-12T09:00"
    assert "Working from Lisbon" not in page and "Ivan" not in page
    assert 'data-testid="conflicts"' not in page  # no heads-up for 14:00 either

    all_day(theirs, "Conference", WEDNESDAY, busy=True)
    page = find_time(owner_client, acme_candidate, WEDNESDAY, [teammate])
    assert suggested(page) == ["2030-06-13T09:00", "2030-06-13T10:00", "2030-06-13T11:00", "2030-06-13T12:00",
                               "2030-06-13T13:00"]
    wednesday = day_section(page, WEDNESDAY)
    assert "ft-slot-free" not in wednesday
    assert 'title="Busy · all day">Busy (all day)<' in wednesday  # the title stays Terry's
    assert "Terry Teammate is busy all day." in page


def test_it_skips_the_weekend(owner_client, team, teammate, acme_candidate):
    _, theirs = team
    event(theirs, "Offsite prep", at(FRIDAY, 9), at(FRIDAY, 17))
    page = find_time(owner_client, acme_candidate, FRIDAY, [teammate])
    assert days_shown(page) == ["2030-06-14", "2030-06-17", "2030-06-18", "2030-06-19", "2030-06-20"]
    assert suggested(page)[0] == "2030-06-17T09:00"


def test_a_teammate_s_overlapping_busy_times_are_drawn_as_one(owner_client, team, teammate, acme_candidate):
    mine, theirs = team
    event(theirs, "Dentist", at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    event(theirs, "1:1", at(WEDNESDAY, 9, 30), at(WEDNESDAY, 11))
    event(mine, "Design review", at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    event(mine, "Hiring sync", at(WEDNESDAY, 9, 30), at(WEDNESDAY, 11))
    wednesday = day_section(find_time(owner_client, acme_candidate, WEDNESDAY, [teammate]), WEDNESDAY)
    assert wednesday.count(">Busy<") == 1 and 'title="Busy · 09:00–11:00"' in wednesday
    assert ">Design review<" in wednesday and ">Hiring sync<" in wednesday  # the viewer's own keep their titles


def test_a_weekend_day_asked_for_is_shown_as_not_working(owner_client, team, teammate, acme_candidate):
    page = find_time(owner_client, acme_candidate, "2030-06-15", [teammate])
    assert days_shown(page)[:2] == ["2030-06-15", "2030-06-17"]
    saturday = day_section(page, "2030-06-15")
    assert "ft-slot-free" not in saturday
    # Hatched and said in words, for each of them: not a colour alone.
    assert saturday.count(">Not a working day<") == 2
    assert "Not one of Terry Teammate’s working days (Sat 15 Jun)" in saturday
    assert suggested(page)[0] == "2030-06-17T09:00"


def test_it_keeps_to_everyone_s_working_hours_and_shades_the_rest(owner_client, team, teammate, acme_candidate):
    live_in(teammate, work_start=time(13), work_end=time(17))
    page = find_time(owner_client, acme_candidate, WEDNESDAY, [teammate])
    assert suggested(page) == ["2030-06-12T13:00", "2030-06-12T14:00", "2030-06-12T15:00", "2030-06-12T16:00",
                               "2030-06-13T13:00"]
    wednesday = day_section(page, WEDNESDAY)
    assert 'title="Outside Terry Teammate’s working hours · 07:00–13:00">Off<' in wednesday
    assert 'title="Outside your working hours · 17:00–21:00">Off<' in wednesday  # the evening
    assert 'class="ft-slot" data-time="16:30"' in wednesday  # an hour from 16:30 ends after 17:00


def test_it_meets_a_teammate_in_another_zone_where_the_working_days_overlap(owner_client, team, teammate,
                                                                           acme_candidate):
    live_in(teammate, "America/New_York")
    page = find_time(owner_client, acme_candidate, WEDNESDAY, [teammate])
    # New York's 09:00–17:00 is 15:00–23:00 in Berlin: together 15:00–17:00.
    assert suggested(page) == ["2030-06-12T15:00", "2030-06-12T16:00", "2030-06-13T15:00", "2030-06-13T16:00",
                               "2030-06-14T15:00"]
    assert 'title="Outside Terry Teammate’s working hours · 07:00–15:00">Off<' in day_section(page, WEDNESDAY)


def test_it_follows_each_zone_s_own_change_of_summer_time(owner_client, team, teammate, acme_candidate):
    live_in(teammate, "America/New_York")
    # New York is on summer time from 10 March 2030, Berlin only from Sunday 31 March: five hours apart on Friday
    # 29 March, six from Monday 1 April.
    page = find_time(owner_client, acme_candidate, "2030-03-29", [teammate])
    assert days_shown(page)[:2] == ["2030-03-29", "2030-04-01"]
    assert suggested(page) == ["2030-03-29T14:00", "2030-03-29T15:00", "2030-03-29T16:00", "2030-04-01T15:00",
                               "2030-04-01T16:00"]


def test_it_leaves_out_the_past_and_overlapping_starts(owner_client, team, teammate, acme_candidate):
    today = datetime.now(BERLIN).date()
    page = find_time(owner_client, acme_candidate, today.isoformat(), [teammate], duration="90")
    starts = [datetime.fromisoformat(value).replace(tzinfo=BERLIN) for value in suggested(page)]
    assert starts and all(start > datetime.now(BERLIN) for start in starts)
    assert all(later - earlier >= timedelta(minutes=90) for earlier, later in zip(starts, starts[1:], strict=False))


def test_it_marks_the_suggestion_the_form_holds(owner_client, team, teammate, acme_candidate):
    page = find_time(owner_client, acme_candidate, WEDNESDAY, [teammate], start_time="10:00")
    assert 'value="2030-06-12T10:00" data-date="2030-06-12" data-time="10:00" class="btn btn-sm ft-use btn-success"' \
        in page and 'aria-pressed="true"' in page


def test_it_keeps_the_range_while_a_day_inside_it_is_picked(owner_client, team, teammate, acme_candidate):
    page = find_time(owner_client, acme_candidate, "2030-06-17", [teammate], find_from=FRIDAY)
    assert days_shown(page)[0] == FRIDAY  # Monday is one of the days shown from Friday: nothing jumps
    page = find_time(owner_client, acme_candidate, "2030-06-24", [teammate], find_from=FRIDAY)
    assert days_shown(page)[0] == "2030-06-24"  # a day outside them starts the range
    page = find_time(owner_client, acme_candidate, WEDNESDAY, [teammate], find_from="not-a-day")
    assert days_shown(page)[0] == WEDNESDAY
    assert 'data-testid="later-days"' in page and 'value="2030-06-19"' in page


# --- the heads-up ---------------------------------------------------------------------------------------------------

def test_an_all_day_event_says_all_day_and_a_multi_day_one_names_its_days(owner_client, team, teammate,
                                                                           acme_candidate):
    mine, theirs = team
    all_day(mine, "Offsite retreat", "2030-06-10", days=3, busy=True)  # Monday to Wednesday
    all_day(theirs, "Company holiday", WEDNESDAY, busy=True)
    page = find_time(owner_client, acme_candidate, WEDNESDAY, [teammate])
    assert "You are busy: Offsite retreat, Mon–Wed." in page
    assert "Terry Teammate is busy all day." in page  # their title stays theirs
    assert "Company holiday" not in page


def test_a_long_event_names_its_dates_and_times(owner_client, team, teammate, acme_candidate):
    mine, theirs = team
    event(theirs, "Conference", at("2030-06-11", 8), at("2030-06-13", 16))
    all_day(mine, "Sabbatical", "2030-05-20", days=30, busy=True)
    page = find_time(owner_client, acme_candidate, WEDNESDAY, [teammate])
    assert "Terry Teammate is busy Tue 08:00–Thu 16:00." in page
    assert "You are busy: Sabbatical, 20 May–18 Jun." in page


def test_a_meeting_in_two_connected_calendars_is_named_once(owner_client, team, owner, teammate, acme_candidate):
    mine, _ = team
    outlook = connected_calendar(owner, email="olivia@outlook.test")
    for calendar in (mine, outlook):
        event(calendar, "Team sync", at(WEDNESDAY, 14), at(WEDNESDAY, 15), ical_uid="team-sync-42@example.com")
    page = find_time(owner_client, acme_candidate, WEDNESDAY, [teammate])
    assert page.count("You are busy 14:00–15:00 (Team sync).") == 1
    assert day_section(page, WEDNESDAY).count(">Team sync<") == 1  # one span in the grid, too


def test_an_interview_in_a_synced_calendar_is_named_once(owner_client, team, owner, teammate, acme_candidate):
    mine, _ = team
    with across_tenants("test setup"):
        interview = Interview.objects.create(company=owner.company, candidate=acme_candidate, organizer=owner,
                                             title="Interview: Wile E. Coyote", start=at(WEDNESDAY, 14),
                                             end=at(WEDNESDAY, 15), time_zone="Europe/Berlin")
        Participant.objects.create(company=owner.company, interview=interview, role="interviewer", member=teammate,
                                   name="Terry Teammate", email=teammate.user.email, time_zone="Europe/Berlin")
    event(mine, interview.title, interview.start, interview.end, ical_uid=interview.ical_uid)
    page = find_time(owner_client, acme_candidate, WEDNESDAY, [teammate])
    assert page.count("You are busy 14:00–15:00 (Interview: Wile E. Coyote).") == 1
    assert page.count("Terry Teammate is busy 14:00–15:00 (Interview: Wile E. Coyote).") == 1


# --- bounded reads --------------------------------------------------------------------------------------------------

def far_away(calendar, count: int) -> None:
    """`count` events well before and after any window shown here."""
    rows = []
    for n in range(count):
        start = (datetime(2030, 5, 1, tzinfo=UTC) - timedelta(hours=n) if n % 2
                 else datetime(2030, 7, 15, tzinfo=UTC) + timedelta(hours=n))
        rows.append(Event(company=calendar.company, calendar=calendar, provider_event_id=f"far-{n}",
                          ical_uid=f"far-{n}@example.com", title="Far", start=start,
                          end=start + timedelta(minutes=45)))
    with across_tenants("test setup"):
        Event.objects.bulk_create(rows, batch_size=5_000)
    analyze("calendars_event")


def reads(client, candidate, interviewers) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        find_time(client, candidate, WEDNESDAY, interviewers)
    return len(captured), [q["sql"] for q in captured if 'FROM "calendars_event"' in q["sql"]]


def test_it_reads_the_calendars_once_bounded_on_both_ends_whatever_lies_outside(owner_client, team, teammate,
                                                                                interviewer, acme_candidate):
    mine, theirs = team
    event(theirs, "Review", at(WEDNESDAY, 10), at(WEDNESDAY, 11))
    before, events_read = reads(owner_client, acme_candidate, [teammate])
    assert len(events_read) == 1  # the grid, the suggestions and the heads-up share it
    assert '"calendars_event"."start" <' in events_read[0] and '"calendars_event"."end" >' in events_read[0]
    assert "2030-06-18" in events_read[0]  # the last day shown bounds it, not the end of time

    far_away(mine, 5_000)
    far_away(theirs, 5_000)
    after, events_read = reads(owner_client, acme_candidate, [teammate])
    assert after == before and len(events_read) == 1
    connected_calendar(interviewer)
    assert reads(owner_client, acme_candidate, [teammate, interviewer])[0] == before  # more people, same queries


# --- without JavaScript ---------------------------------------------------------------------------------------------

def step1_fields(**extra) -> dict:
    return {"kind": "interview", "title": "", "date": WEDNESDAY, "start_time": "14:00", "duration": "60",
            "time_zone": "Europe/Berlin", "invite_candidate": "on", **extra}


def test_a_suggestion_submitted_without_javascript_fills_in_step_one(owner_client, team, teammate,
                                                                     acme_candidate):
    url = f"/acme/candidates/{acme_candidate.pk}/schedule/"
    response = owner_client.post(url, step1_fields(interviewers=[teammate.pk], end_time="15:30",
                                                   use_slot="2030-06-13T10:00", find_from=WEDNESDAY))
    assert response.status_code == 200  # step 1 again, not step 2
    form = response.context["form"]
    assert (form["date"].value(), form["start_time"].value(), form["end_time"].value()) == ("2030-06-13", "10:00",
                                                                                           "")
    page = response.content.decode()
    assert days_shown(page)[0] == WEDNESDAY  # the range stays where it was
    # Every start button is a submit button here too: step 1 reads it.
    assert 'data-date="2030-06-13" type="submit" name="use_slot" value="2030-06-13T10:00"' in page
    assert 'title="Proposed time · 10:00–11:00"' in day_section(page, "2030-06-13")

    later = owner_client.post(url, step1_fields(use_slot="2030-06-19", find_from=WEDNESDAY))
    assert later.status_code == 200 and days_shown(later.content.decode())[0] == "2030-06-19"
    assert later.context["form"]["start_time"].value() == "14:00"

    broken = owner_client.post(url, step1_fields(use_slot="13:00 tomorrow"))
    assert broken.status_code == 200 and "That time could not be used." in broken.content.decode()

    assert owner_client.post(url, step1_fields()).status_code == 302  # "Next" still goes on to step 2


def test_the_reschedule_page_offers_the_same_times_as_plain_buttons(owner_client, team, teammate,
                                                                     acme_candidate):
    with across_tenants("test setup"):
        interview = Interview.objects.create(company=teammate.company, candidate=acme_candidate, organizer=teammate,
                                             title="Interview: Wile E. Coyote", start=at(WEDNESDAY, 9),
                                             end=at(WEDNESDAY, 10), time_zone="Europe/Berlin")
    page = find_time(owner_client, acme_candidate, WEDNESDAY, [], interview=interview.pk)
    assert suggested(page)[0] == "2030-06-12T09:00"  # its own time is no conflict
    assert 'name="use_slot"' not in page  # no reader of it there: the buttons work with JavaScript
