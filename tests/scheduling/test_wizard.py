"""The two-step wizard: step 1 validation, step 2's two separate emails, what the outbox receives."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mailbox.models import Message
from recruitee.tenancy.db import across_tenants
from scheduling.models import Interview, Participant
from tests.calendars.factories import connected_calendar, event

from .helpers import DAY, calendar_part, messages_of, schedule, step1, step2_defaults
from .parsers import parse_with_icalendar

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def step1_response(client, candidate, **fields):
    data = {"kind": "interview", "date": DAY, "start_time": "14:00", "duration": "60",
            "time_zone": "Europe/Berlin", "invite_candidate": "on", **fields}
    return client.post(f"/acme/candidates/{candidate.pk}/schedule/", {k: v for k, v in data.items() if v is not None})


def test_it_schedules_one_message_per_audience_with_its_own_attendees(owner_client, owner, interviewer,
                                                                      acme_candidate, icaljs):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})

    assert interview.title == "Interview: Secret Rocket Engineer" and interview.sequence == 0
    assert interview.start == datetime(2030, 6, 12, 14, 0, tzinfo=BERLIN)
    sent = messages_of(interview)
    assert set(sent) == {Message.Audience.CANDIDATE, Message.Audience.INTERVIEWERS}
    assert [a["email"] for a in sent["candidate"].to] == [acme_candidate.email]
    assert [a["email"] for a in sent["interviewers"].to] == [interviewer.user.email]
    for audience, attendee in (("candidate", acme_candidate.email), ("interviewers", interviewer.user.email)):
        ics = calendar_part(sent[audience])
        ours, theirs = parse_with_icalendar(ics), icaljs(ics)
        assert ours["method"] == theirs["method"] == "REQUEST"
        assert ours["uid"] == theirs["uid"] == interview.ical_uid
        assert ours["sequence"] == theirs["sequence"] == 0
        assert ours["start"] == theirs["start"] == interview.start
        assert [a["value"] for a in ours["attendees"]] == [f"mailto:{attendee}"]
        assert ours["organizer"]["value"] == f"mailto:{owner.user.email}"
    # Each in the recipient's zone: the candidate lives in Phoenix (UTC-7, no DST).
    assert "05:00–06:00 (America/Phoenix" in sent["candidate"].text_body
    assert "14:00–15:00 (Europe/Berlin" in sent["interviewers"].text_body or "UTC" in sent["interviewers"].text_body


def test_it_sends_candidate_and_interviewer_emails_that_differ_where_edited_and_nowhere_else(
    owner_client, interviewer, acme_candidate
):
    plain = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    url = step1(owner_client, acme_candidate, interviewers=[interviewer.pk])
    defaults = step2_defaults(owner_client, url)
    edited_body = defaults["candidate_body"].replace("Best regards,", "Bring your portfolio.\n\nBest regards,")
    edited = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]},
                      candidate_subject="Let's talk, {candidate_first_name}!", candidate_body=edited_body)

    before, after = messages_of(plain), messages_of(edited)
    assert after["candidate"].subject == "Let's talk, Wile!"
    assert before["candidate"].text_body.replace("Best regards,", "Bring your portfolio.\n\nBest regards,") == \
        after["candidate"].text_body
    # Editing the candidate's email never changes the interviewers' one.
    assert after["interviewers"].subject == before["interviewers"].subject
    assert after["interviewers"].text_body == before["interviewers"].text_body
    assert "portfolio" not in after["interviewers"].text_body


def test_it_never_copies_candidate_edits_into_the_interviewer_email_and_vice_versa(owner_client, interviewer,
                                                                                   acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]},
                         candidate_body="Candidate text {candidate_name}", interviewers_body="Panel text {job_title}")
    sent = messages_of(interview)
    assert sent["candidate"].text_body == "Candidate text Wile E. Coyote\n"
    assert sent["interviewers"].text_body == "Panel text Secret Rocket Engineer\n"


@pytest.mark.parametrize("template", ["{candidate.user.password}", "{% debug %}", "Hi {candidate_nmae}"])
def test_it_refuses_unknown_placeholders_naming_them(owner_client, interviewer, acme_candidate, template):
    url = step1(owner_client, acme_candidate, interviewers=[interviewer.pk])
    data = {**step2_defaults(owner_client, url), "candidate_body": template, "action": "send",
            "draft": url.split("draft=")[1]}
    response = owner_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors["candidate_body"]
    assert "Unknown placeholder" in errors[0]
    assert template.split("{")[1].split("}")[0] in errors[0]
    with across_tenants("test setup"):
        assert not Interview.objects.exists() and not Message.objects.exists()
    # The step-1 data survived the error: step 2 still knows the event.
    assert response.context["plan"].interviewers == [interviewer]


def test_it_refuses_an_interviewer_of_another_company(owner_client, outsider, acme_candidate):
    response = step1_response(owner_client, acme_candidate, interviewers=[outsider.pk])
    assert response.status_code == 200
    assert "not one of the available choices" in str(response.context["form"].errors["interviewers"])


def test_it_explains_a_time_that_daylight_saving_skips(owner_client, acme_candidate):
    response = step1_response(owner_client, acme_candidate, date="2031-03-30", start_time="02:30")
    assert "does not exist in Europe/Berlin" in response.context["form"].errors["start_time"][0]


def test_it_needs_an_end_after_the_start_and_a_real_time_zone(owner_client, acme_candidate):
    response = step1_response(owner_client, acme_candidate, end_time="13:00", time_zone="Mars/Olympus_Mons")
    errors = response.context["form"].errors
    assert "not one of the available choices" in errors["time_zone"][0]
    response = step1_response(owner_client, acme_candidate, end_time="13:00")
    assert response.context["form"].errors["end_time"] == ["The event must end after it starts."]


def test_it_needs_someone_to_invite(owner_client, acme_candidate):
    response = step1_response(owner_client, acme_candidate, invite_candidate=None)
    assert "Invite the candidate or at least one interviewer." in response.context["form"].non_field_errors()


def test_it_warns_about_a_past_time_but_lets_it_through(owner_client, acme_candidate):
    yesterday = (datetime.now(BERLIN) - timedelta(days=1)).date().isoformat()
    url = step1(owner_client, acme_candidate, date=yesterday)
    assert "This time is in the past." in owner_client.get(url).content.decode()


def test_it_keeps_step_one_when_going_back(owner_client, interviewer, acme_candidate):
    url = step1(owner_client, acme_candidate, interviewers=[interviewer.pk], note="Bring ID", start_time="15:15")
    back = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/schedule/?draft={url.split('draft=')[1]}")
    form = back.context["form"]
    assert form["note"].value() == "Bring ID" and form["start_time"].value() == "15:15"
    assert form["interviewers"].value() == [str(interviewer.pk)]


def test_it_warns_about_conflicts_by_name_and_keeps_titles_private(owner_client, owner, interviewer,
                                                                   acme_candidate):
    calendar = connected_calendar(interviewer)
    event(calendar, "Dentist appointment", datetime(2030, 6, 12, 14, 0, tzinfo=BERLIN),
          datetime(2030, 6, 12, 15, 0, tzinfo=BERLIN))
    event(calendar, "Focus time (free)", datetime(2030, 6, 12, 14, 0, tzinfo=BERLIN),
          datetime(2030, 6, 12, 16, 0, tzinfo=BERLIN), is_busy=False)
    url = step1(owner_client, acme_candidate, interviewers=[interviewer.pk])
    page = owner_client.get(url).content.decode()
    assert "Ivan Interviewer is busy 14:00–15:00." in page
    assert "Dentist" not in page and "Focus time" not in page and "busy 14:00–16:00" not in page
    assert "Your availability is unknown: no calendar connected." in page

    grid = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/schedule/find-time/", {
        "date": DAY, "start_time": "14:00", "duration": "60", "time_zone": "Europe/Berlin",
        "interviewers": [interviewer.pk], "invite_candidate": "on"}).content.decode()
    # Five working days from Wednesday (Wed–Fri, Mon, Tue), each with a row per person and a button every half
    # hour, 07:00–20:30; the details below are Wednesday's.
    assert grid.count('data-testid="find-time-day"') == 5 and grid.count('data-testid="find-time-row"') == 10
    assert grid.count('class="ft-slot') == 5 * 28
    grid = grid.split('data-day="2030-06-12"')[1].split('<section')[0]
    assert "availability unknown" in grid and ">Busy<" in grid and "Dentist" not in grid
    assert "ft-l-28 ft-w-4" in grid  # 14:00–15:00 is slots 28–31 of the 07:00 window
    assert 'title="Proposed time · 14:00–15:00"' in grid
    assert 'class="ft-slot ft-slot-free" data-time="11:00"' in grid  # the owner works 09–17 UTC (the default hours)
    assert 'class="ft-slot" data-time="10:30"' in grid
    assert 'class="ft-slot" data-time="13:30"' in grid  # an hour from 13:30 runs into Ivan's 14:00


def test_it_invites_only_the_interviewers_when_the_candidate_is_left_out(owner_client, interviewer,
                                                                         acme_candidate):
    interview = schedule(owner_client, acme_candidate,
                         step1_fields={"interviewers": [interviewer.pk], "invite_candidate": None})
    assert set(messages_of(interview)) == {"interviewers"}
    with across_tenants("test setup"):
        assert [p.role for p in Participant.objects.filter(interview=interview)] == ["interviewer"]


def test_it_shows_the_interview_on_the_candidate_page(owner_client, acme_candidate):
    interview = schedule(owner_client, acme_candidate)
    page = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/").content.decode()
    assert "Schedule interview" in page and interview.title in page
    assert f"/acme/interviews/{interview.pk}/" in page


def test_it_lets_only_recruiters_schedule(interviewer_client, acme_candidate):
    assert interviewer_client.get(f"/acme/candidates/{acme_candidate.pk}/schedule/").status_code == 403
