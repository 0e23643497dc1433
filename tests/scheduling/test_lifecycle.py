"""Reschedule and cancel: same UID, SEQUENCE only for changes attendees must see, METHOD:CANCEL to end it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.selectors import audit_entries_of
from scheduling.models import Interview

from .helpers import all_messages_of, attachments, calendar_part, schedule
from .parsers import parse_with_icalendar

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def reschedule(client, interview, **changes):
    with across_tenants("test setup"):
        interviewers = [p.member_id for p in interview.participants.all() if p.role == "interviewer"]
    data = {"kind": interview.kind, "title": interview.title, "date": "2030-06-13", "start_time": "09:30",
            "duration": "45", "time_zone": "Europe/Berlin", "location": interview.location,
            "interviewers": interviewers, **changes}
    response = client.post(f"/acme/interviews/{interview.pk}/reschedule/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    with across_tenants("test setup"):
        return Interview.objects.get(pk=interview.pk)


def test_it_reschedules_with_the_same_uid_and_the_next_sequence(owner_client, interviewer, acme_candidate, icaljs):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    moved = reschedule(owner_client, interview)

    assert moved.sequence == 1 and moved.ical_uid == interview.ical_uid
    assert moved.start == datetime(2030, 6, 13, 9, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    updates = all_messages_of(interview)[2:]
    assert {m.audience for m in updates} == {"candidate", "interviewers"}
    for message in updates:
        ics = calendar_part(message)
        ours, theirs = parse_with_icalendar(ics), icaljs(ics, "Asia/Tokyo")
        assert ours["uid"] == theirs["uid"] == interview.ical_uid
        assert ours["sequence"] == theirs["sequence"] == 1
        assert ours["method"] == theirs["method"] == "REQUEST"
        assert ours["start"] == theirs["start"] == moved.start
    candidate_update = next(m for m in updates if m.audience == "candidate")
    assert "it was on Wednesday, 12 June 2030 at 05:00" in candidate_update.text_body  # Phoenix time
    with across_tenants("test setup"):
        assert audit_entries_of(interview).filter(action="interview.rescheduled").count() == 1


def test_it_does_not_raise_the_sequence_for_a_new_title(owner_client, acme_candidate):
    interview = schedule(owner_client, acme_candidate)
    local = interview.start.astimezone(ZoneInfo("Europe/Berlin"))
    edited = reschedule(owner_client, interview, title="Chat with the team", date=local.date().isoformat(),
                        start_time=f"{local:%H:%M}", duration="60")
    assert edited.sequence == 0 and edited.title == "Chat with the team"
    assert len(all_messages_of(interview)) == 1  # nobody is bothered with an update for that


def test_it_cancels_with_method_cancel_and_the_next_sequence(owner_client, interviewer, acme_candidate, icaljs):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    assert owner_client.get(f"/acme/interviews/{interview.pk}/cancel/").status_code == 200
    owner_client.post(f"/acme/interviews/{interview.pk}/cancel/")
    with across_tenants("test setup"):
        cancelled = Interview.objects.get(pk=interview.pk)
    assert cancelled.is_cancelled and cancelled.sequence == 1
    cancellations = all_messages_of(interview)[2:]
    assert {m.audience for m in cancellations} == {"candidate", "interviewers"}
    for message in cancellations:
        assert message.subject.startswith("Cancelled:")
        [alternative, attachment] = attachments(message)
        assert alternative.content_type == "text/calendar; method=CANCEL; charset=UTF-8"
        assert attachment.filename == "cancel.ics"
        ics = calendar_part(message)
        ours, theirs = parse_with_icalendar(ics), icaljs(ics)
        assert ours["method"] == theirs["method"] == "CANCEL"
        assert ours["status"] == theirs["status"] == "CANCELLED"
        assert ours["sequence"] == theirs["sequence"] == 1 and ours["uid"] == interview.ical_uid
    # Cancelling twice sends nothing more.
    owner_client.post(f"/acme/interviews/{interview.pk}/cancel/")
    assert len(all_messages_of(interview)) == 4
    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert "Cancelled" in page and "Reschedule" not in page


def test_it_writes_new_york_times_that_a_tokyo_candidate_reads_right(owner_client, acme_candidate, icaljs):
    with across_tenants("test setup"):
        acme_candidate.time_zone = "Asia/Tokyo"
        acme_candidate.save()
    interview = schedule(owner_client, acme_candidate,
                         step1_fields={"time_zone": "America/New_York", "start_time": "19:00"})
    message = all_messages_of(interview)[0]
    assert interview.start == datetime(2030, 6, 12, 19, 0, tzinfo=NEW_YORK)
    theirs = icaljs(calendar_part(message), "Asia/Tokyo")
    assert theirs["start"] == interview.start
    assert "Thursday, 13 June 2030, 08:00–09:00 (Asia/Tokyo (JST, UTC+09:00))" in message.text_body


def test_it_schedules_in_the_week_daylight_saving_starts(owner_client, acme_candidate, icaljs):
    interview = schedule(owner_client, acme_candidate, step1_fields={"date": "2031-03-31", "start_time": "10:00"})
    theirs = icaljs(calendar_part(all_messages_of(interview)[0]), "Europe/Berlin")
    assert theirs["start"] == datetime(2031, 3, 31, 8, 0, tzinfo=ZoneInfo("UTC"))


def test_it_shows_the_ledger(owner_client, interviewer, acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert page.count('data-testid="interview-message"') == 2
    assert page.count('data-testid="participant"') == 2
    for message in all_messages_of(interview):
        assert f"/acme/mailbox/messages/{message.pk}/" in page
    assert "Scheduled for" in page


def test_it_shows_the_interview_in_the_week_view(owner_client, interviewer, interviewer_client, acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    page = owner_client.get("/acme/calendar/?date=2030-06-12").content.decode()
    assert interview.title in page and "12:00–13:00" in page  # the owner reads UTC
    # A teammate's interview is busy time to others, not its title.
    shown = owner_client.get(f"/acme/calendar/?date=2030-06-12&with={interviewer.pk}").content.decode()
    assert shown.count('data-testid="week-event"') == 2
    assert interviewer_client.get("/acme/calendar/?date=2030-06-12").content.decode().count(
        interview.title) >= 1


def test_it_invites_a_new_interviewer_and_cancels_for_a_removed_one(owner_client, interviewer, teammate,
                                                                     acme_candidate, icaljs):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    local = interview.start.astimezone(ZoneInfo("Europe/Berlin"))
    same_time = {"date": local.date().isoformat(), "start_time": f"{local:%H:%M}", "duration": "60"}
    swapped = reschedule(owner_client, interview, interviewers=[teammate.pk], **same_time)

    assert swapped.sequence == 1
    later = all_messages_of(interview)[2:]
    assert [(m.audience, [a["email"] for a in m.to]) for m in later] == [
        ("interviewers", [interviewer.user.email]), ("interviewers", [teammate.user.email])]
    cancel, invitation = (icaljs(calendar_part(m)) for m in later)
    assert cancel["method"] == "CANCEL" and cancel["sequence"] == 1
    assert invitation["method"] == "REQUEST" and invitation["sequence"] == 1
    assert [a["value"] for a in invitation["attendees"]] == [f"mailto:{teammate.user.email}"]
    with across_tenants("test setup"):
        assert sorted(p.email for p in swapped.participants.all()) == sorted([acme_candidate.email,
                                                                              teammate.user.email])
        change = audit_entries_of(interview).first()
    assert change.data["detail"] == "Interviewers + Terry Teammate, − Ivan Interviewer"


def test_it_warns_about_an_existing_interview_and_a_repeated_hour(owner_client, interviewer, acme_candidate):
    schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    from .helpers import step1

    page = owner_client.get(step1(owner_client, acme_candidate, interviewers=[interviewer.pk])).content.decode()
    assert "Ivan Interviewer is busy 14:00–15:00 (Interview: Secret Rocket Engineer)." in page
    page = owner_client.get(step1(owner_client, acme_candidate, date="2030-10-27", start_time="02:30")).content
    assert "02:30 happens twice on 2030-10-27 in Europe/Berlin" in page.decode()


def test_it_records_schedule_reschedule_and_cancel_in_the_one_audit_trail(owner_client, acme_candidate):
    interview = schedule(owner_client, acme_candidate)
    reschedule(owner_client, interview, start_time="15:00")
    owner_client.post(f"/acme/interviews/{interview.pk}/cancel/")
    log = owner_client.get("/acme/settings/audit/").content.decode()
    for detail in ("Scheduled for", "Rescheduled from", "Cancelled"):
        assert f"{interview.title} with {acme_candidate.full_name}: {detail}" in log
    with across_tenants("test setup"):
        actions = list(audit_entries_of(interview).values_list("action", flat=True))
    assert actions == ["interview.cancelled", "interview.rescheduled", "interview.scheduled"]
    # The interview's page shows the same entries, not a second history.
    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert "Scheduled for" in page and "Rescheduled from" in page and "Cancelled" in page
