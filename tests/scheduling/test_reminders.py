"""Reminders before an interview, on a fake clock: sent once when due, in each person's own zone, never for a
cancelled interview or an old version, never late; the settings page and the template editor that shape them."""

import dataclasses
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection as default_connection
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from mailbox.models import Message
from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry
from scheduling import emails, services
from scheduling.models import Interview, Participant, ReminderDelivery, ReminderSettings
from scheduling.plan import Plan
from scheduling.reminders import reminders_send_due
from scheduling.tasks import reminders_send_due_task
from tests.calendars.factories import connected_calendar
from tests.locks import wait_for_lock_waiters

from .helpers import all_messages_of, attachments, messages_about

pytestmark = pytest.mark.django_db

START = datetime(2030, 6, 12, 12, 0, tzinfo=UTC)  # 14:00 in Berlin, 05:00 in Phoenix (the candidate's zone)
DAY_BEFORE = START - timedelta(hours=24)
URL = "/acme/settings/reminders/"


def make_interview(owner, candidate, *, start=START, interviewers=(), calendar=False) -> Interview:
    """Scheduled the way the wizard does it, invitations by email (or, with `calendar`, only by calendar)."""
    via = services.Channels(email=not calendar, calendar=calendar)
    with scope(company=owner.company_id):
        plan = Plan(kind="interview", title="Interview: Secret Rocket Engineer", start=start,
                    end=start + timedelta(hours=1), time_zone="Europe/Berlin", candidate=candidate,
                    job=candidate.job, organizer=owner, interviewers=list(interviewers), location="HQ, Room 4")
        wording = {a: emails.company_wording(owner.company, a, "invitation") for a in ("candidate", "interviewers")}
        # The provider write waits for the commit, which a test's transaction never reaches: nothing leaves here.
        return services.interview_schedule(plan=plan, candidate_via=via, interviewers_via=via,
                                           candidate_wording=wording["candidate"],
                                           interviewers_wording=wording["interviewers"], actor=owner.user)


def sweep(company, now) -> list[ReminderDelivery]:
    with scope(company=company.pk):
        return reminders_send_due(company=company, now=now)


def reminders_of(interview) -> list[Message]:
    """The reminders sent about the interview, as its ledger has them."""
    with across_tenants("test setup"):
        sent = ReminderDelivery.objects.filter(interview=interview, message__isnull=False).values("message_id")
        return list(messages_about(interview).filter(pk__in=sent))


def deliveries_of(interview) -> list[ReminderDelivery]:
    with across_tenants("test setup"):
        return list(ReminderDelivery.objects.filter(interview=interview).order_by("pk"))


def remind(company, *, candidates=(), interviewers=()) -> None:
    with across_tenants("test setup"):
        ReminderSettings.objects.update_or_create(company=company, defaults={
            "candidate_offsets": list(candidates), "interviewer_offsets": list(interviewers)})


# --- sending -----------------------------------------------------------------------------------------------


def test_it_sends_the_candidate_one_reminder_a_day_before_in_their_own_zone(owner, acme, acme_candidate):
    interview = make_interview(owner, acme_candidate)

    [delivery] = sweep(acme, DAY_BEFORE + timedelta(minutes=1))

    [reminder] = reminders_of(interview)
    assert reminder.audience == "candidate"
    assert [a["email"] for a in reminder.to] == ["wile.coyote@acme-candidates.test"]
    assert reminder.subject == "Reminder: Interview with Acme Inc. on Wednesday, 12 June 2030 at 05:00"
    assert "When: Wednesday, 12 June 2030, 05:00–06:00 (America/Phoenix (MST, UTC-07:00))" in reminder.text_body
    assert "Where: HQ, Room 4" in reminder.text_body
    assert "Video call" not in reminder.text_body  # an empty placeholder's line is left out
    assert attachments(reminder) == []  # no second .ics: the invitation put it in their calendar
    assert (delivery.status, delivery.message_id, delivery.sequence) == ("sent", reminder.pk, 0)

    # Every minute the beat sweeps again: nothing more.
    for minute in (2, 30, 59):
        assert sweep(acme, DAY_BEFORE + timedelta(minutes=minute)) == []
    assert len(reminders_of(interview)) == 1


def test_it_sends_nothing_before_the_reminder_is_due(owner, acme, acme_candidate):
    interview = make_interview(owner, acme_candidate)
    assert sweep(acme, DAY_BEFORE - timedelta(minutes=1)) == []
    assert sweep(acme, START - timedelta(days=7)) == []
    assert reminders_of(interview) == [] and deliveries_of(interview) == []


def test_it_reminds_people_invited_by_calendar_by_email_too(owner, acme, acme_candidate):
    connected_calendar(owner)
    interview = make_interview(owner, acme_candidate, calendar=True)
    assert all_messages_of(interview) == []  # the provider invites them
    sweep(acme, DAY_BEFORE)
    [reminder] = reminders_of(interview)
    assert reminder.audience == "candidate" and attachments(reminder) == []


def test_it_sends_no_reminder_for_a_cancelled_interview(owner, acme, acme_candidate):
    interview = make_interview(owner, acme_candidate)
    with scope(company=acme.pk):
        services.interview_cancel(interview=interview, actor=owner.user)
    assert sweep(acme, DAY_BEFORE + timedelta(minutes=1)) == []
    assert reminders_of(interview) == [] and deliveries_of(interview) == []


def _move(interview, owner, start) -> Interview:
    with scope(company=interview.company_id):
        plan = dataclasses.replace(Plan.of(interview), start=start, end=start + timedelta(hours=1))
        return services.interview_reschedule(interview=interview, plan=plan, actor=owner.user)


def test_it_reminds_of_the_new_time_after_a_reschedule_and_never_of_the_old(owner, acme, acme_candidate):
    interview = make_interview(owner, acme_candidate)
    moved = _move(interview, owner, START + timedelta(hours=3))  # 17:00 in Berlin, 08:00 in Phoenix
    assert moved.sequence == 1

    assert sweep(acme, DAY_BEFORE + timedelta(minutes=1)) == []  # the old time's reminder
    [delivery] = sweep(acme, DAY_BEFORE + timedelta(hours=3))
    [reminder] = reminders_of(interview)
    assert "When: Wednesday, 12 June 2030, 08:00–09:00" in reminder.text_body
    assert delivery.sequence == 1
    assert [(d.sequence, d.status) for d in deliveries_of(interview)] == [(1, "sent")]


def test_it_reminds_again_when_an_interview_is_moved_after_its_reminder(owner, acme, acme_candidate):
    interview = make_interview(owner, acme_candidate)
    sweep(acme, DAY_BEFORE)
    _move(interview, owner, START + timedelta(days=1))
    assert sweep(acme, DAY_BEFORE + timedelta(minutes=5)) == []
    sweep(acme, DAY_BEFORE + timedelta(days=1))
    first, second = reminders_of(interview)
    assert "12 June 2030" in first.subject and "13 June 2030" in second.subject
    assert [(d.sequence, d.status) for d in deliveries_of(interview)] == [(0, "sent"), (1, "sent")]


def test_it_does_not_send_a_reminder_more_than_an_hour_late(owner, acme, acme_candidate):
    interview = make_interview(owner, acme_candidate)
    # The worker was down: the first sweep after the reminder's time comes an hour and a minute late.
    assert sweep(acme, DAY_BEFORE + timedelta(minutes=61)) == []
    assert sweep(acme, DAY_BEFORE + timedelta(minutes=62)) == []
    assert reminders_of(interview) == []
    [delivery] = deliveries_of(interview)
    assert (delivery.status, delivery.message_id, delivery.due_at) == ("skipped", None, DAY_BEFORE)


def test_it_sends_a_reminder_that_is_late_by_less_than_an_hour(owner, acme, acme_candidate):
    interview = make_interview(owner, acme_candidate)
    assert len(sweep(acme, DAY_BEFORE + timedelta(minutes=59))) == 1
    assert len(reminders_of(interview)) == 1


def test_it_reminds_nobody_once_the_interview_has_started(owner, acme, acme_candidate):
    remind(acme, candidates=[15])
    interview = make_interview(owner, acme_candidate)
    assert sweep(acme, START) == [] and sweep(acme, START + timedelta(minutes=1)) == []
    assert deliveries_of(interview) == []


def test_it_leaves_interviewers_without_reminders_by_default(owner, acme, acme_candidate, interviewer):
    interview = make_interview(owner, acme_candidate, interviewers=[interviewer])
    for minutes in (24 * 60, 120, 60, 15):
        sweep(acme, START - timedelta(minutes=minutes))
    assert [m.audience for m in reminders_of(interview)] == ["candidate"]
    with across_tenants("test setup"):
        assert not ReminderDelivery.objects.filter(participant__role=Participant.Role.INTERVIEWER).exists()


def test_it_reminds_each_interviewer_at_every_chosen_time_in_their_own_zone(owner, teammate, acme, acme_candidate,
                                                                             interviewer):
    interviewer.user.time_zone = "Asia/Tokyo"
    interviewer.user.save(update_fields=["time_zone"])
    remind(acme, candidates=[], interviewers=[120, 15])
    interview = make_interview(owner, acme_candidate, interviewers=[interviewer, teammate])

    sent = sweep(acme, START - timedelta(minutes=120))
    assert len(sent) == 2
    sent += sweep(acme, START - timedelta(minutes=14))
    assert len(sent) == 4
    reminders = reminders_of(interview)
    assert {m.audience for m in reminders} == {"interviewers"}
    to_ivan = [m for m in reminders if m.to[0]["email"] == "interviewer@acme.test"]
    assert len(to_ivan) == 2 and all(len(m.to) == 1 for m in reminders)  # one email per person
    assert "When: Wednesday, 12 June 2030, 21:00–22:00 (Asia/Tokyo" in to_ivan[0].text_body
    to_terry = next(m for m in reminders if m.to[0]["email"] == "teammate@acme.test")
    assert "When: Wednesday, 12 June 2030, 12:00–13:00 (UTC" in to_terry.text_body  # his profile's zone
    assert "Candidate: Wile E. Coyote <wile.coyote@acme-candidates.test>" in to_terry.text_body


def test_it_uses_the_company_s_own_reminder_wording(owner_client, owner, acme, acme_candidate):
    response = owner_client.post("/acme/settings/templates/?audience=candidate&purpose=reminder", {
        "action": "save", "subject": "See you soon, {candidate_first_name}",
        "body": "Tomorrow at {event_time} ({time_zone}). {{not a placeholder}}"})
    assert response.status_code == 302
    interview = make_interview(owner, acme_candidate)
    sweep(acme, DAY_BEFORE)
    [reminder] = reminders_of(interview)
    assert reminder.subject == "See you soon, Wile"
    assert reminder.text_body.startswith("Tomorrow at 05:00 (America/Phoenix (MST, UTC-07:00)). {not a placeholder}")


def test_it_reads_a_bounded_window_in_a_fixed_number_of_queries(owner, acme, acme_candidate, interviewer):
    remind(acme, candidates=[24 * 60, 60], interviewers=[60])
    make_interview(owner, acme_candidate, interviewers=[interviewer])
    now = START - timedelta(minutes=30)
    sweep(acme, now)  # sends the due ones

    def queries() -> int:
        with CaptureQueriesContext(default_connection) as captured:
            assert sweep(acme, now) == []
        return len(captured)

    few = queries()
    for hours in (1, 2, 5):  # more interviews inside the window, with their reminders already sent or not yet due
        make_interview(owner, acme_candidate, start=START + timedelta(hours=hours), interviewers=[interviewer])
    for days in (3, 30, -2):  # and outside it
        make_interview(owner, acme_candidate, start=START + timedelta(days=days))
    sweep(acme, now)
    assert queries() == few == 4  # the settings, the window's interviews, their participants, their reminders


def test_it_runs_as_a_beat_task_every_minute_for_every_company(owner, outsider, acme, globex, acme_candidate):
    assert settings.CELERY_BEAT_SCHEDULE["scheduling-reminders"] == {
        "task": "scheduling.tasks.reminders_send_due_task", "schedule": 60.0}
    soon = timezone.now().replace(microsecond=0) + timedelta(hours=24) - timedelta(minutes=2)
    interview = make_interview(owner, acme_candidate, start=soon)
    with across_tenants("test setup"):
        homer = Candidate.objects.create(company=globex, full_name="Homer Simpson", email="homer@globex.test",
                                         time_zone="America/Chicago")
    theirs = make_interview(outsider, homer, start=soon + timedelta(minutes=1))
    with across_tenants("test setup"):  # both were scheduled days ago (a reminder due before its booking is not sent)
        Interview.objects.filter(pk__in=[interview.pk, theirs.pk]).update(updated_at=soon - timedelta(days=3))

    assert reminders_send_due_task() == 2
    assert reminders_send_due_task() == 0
    assert len(reminders_of(interview)) == 1 and len(reminders_of(theirs)) == 1
    assert [m.to[0]["email"] for m in reminders_of(theirs)] == ["homer@globex.test"]


# --- two workers at the same moment ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(default_connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_it_sends_one_reminder_when_two_workers_sweep_at_the_same_moment(owner, acme, acme_candidate):
    interview = make_interview(owner, acme_candidate)
    now = DAY_BEFORE + timedelta(minutes=1)
    # A third connection holds the interview's row, so both workers read it, get as far as the claim and wait
    # side by side; then it lets go.
    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    with across_tenants("test setup"), holder.cursor() as cursor:
        cursor.execute("select id from scheduling_interview where id = %s for update", [interview.pk])
    results: list = [None, None]

    def worker(n: int) -> None:
        try:
            results[n] = sweep(acme, now)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    try:
        wait_for_lock_waiters(2)
    finally:
        holder.rollback()
        holder.close()
    for thread in threads:
        thread.join(60)

    assert sorted(len(result) for result in results) == [0, 1]
    assert len(reminders_of(interview)) == 1
    assert [d.status for d in deliveries_of(interview)] == ["sent"]


# --- what people see -------------------------------------------------------------------------------------------


def test_it_lists_the_reminder_on_the_interview_page(owner, owner_client, acme, acme_candidate):
    interview = make_interview(owner, acme_candidate)
    sweep(acme, DAY_BEFORE)
    [reminder] = reminders_of(interview)
    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert "Reminder: Interview with Acme Inc. on Wednesday, 12 June 2030 at 05:00" in page
    assert f'href="/acme/mailbox/messages/{reminder.pk}/"' in page


def test_it_shows_the_reminder_templates_in_the_editor(owner_client):
    page = owner_client.get("/acme/settings/templates/").content.decode()
    assert "Candidate: reminder" in page and "Interviewers: reminder" in page
    assert "?language=en&amp;audience=candidate&amp;purpose=reminder" in page
    assert "?language=en&amp;audience=interviewers&amp;purpose=reminder" in page
    assert "audience=interviewers&amp;purpose=booking_link" not in page  # still the candidate's only

    response = owner_client.get("/acme/settings/templates/?audience=interviewers&purpose=reminder")
    assert response.context["form"]["subject"].value() == (
        "Reminder: {event_type} with {candidate_name}: {event_date} at {event_time}")
    assert "Interviewers: reminder" in response.content.decode()


def test_it_shows_the_defaults_on_the_settings_page(owner_client):
    response = owner_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/acme/settings/reminders/">Reminders</a>' in page
    assert response.context["form"]["candidate_offsets"].value() == [24 * 60]
    assert response.context["form"]["interviewer_offsets"].value() == []
    assert 'name="candidate_offsets" value="1440" id="id_candidate_offsets_3" checked' in page


def test_it_saves_the_settings_with_an_audit_entry(owner_client, owner, acme, acme_candidate):
    response = owner_client.post(URL, {"candidate_offsets": ["60", "2880"], "interviewer_offsets": ["15"]},
                                 follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Reminder settings saved." in response.content.decode()
    with across_tenants("test setup"):
        stored = ReminderSettings.objects.get(company=acme)
        [entry] = AuditEntry.objects.filter(company=acme, action="reminders.saved")
    assert (stored.candidate_offsets, stored.interviewer_offsets) == ([2880, 60], [15])
    assert entry.actor == owner.user
    assert entry.summary.endswith("set interview reminders: candidates 2 days before, 1 hour before; "
                                  "interviewers 15 minutes before")

    owner_client.post(URL, {"candidate_offsets": ["2880", "60"], "interviewer_offsets": ["15"]})  # no change
    owner_client.post(URL, {})  # nothing ticked: both off
    with across_tenants("test setup"):
        assert AuditEntry.objects.filter(company=acme, action="reminders.saved").count() == 2
        stored.refresh_from_db()
    assert (stored.candidate_offsets, stored.interviewer_offsets) == ([], [])
    interview = make_interview(owner, acme_candidate)
    for minutes in (2880, 1440, 60, 15):
        assert sweep(acme, START - timedelta(minutes=minutes)) == []
    assert deliveries_of(interview) == []


@pytest.mark.parametrize("data, field, message", [
    ({"candidate_offsets": ["7"]}, "candidate_offsets", "Select a valid choice. 7 is not one of the available"),
    ({"candidate_offsets": ["1440", "soon"]}, "candidate_offsets", "Select a valid choice. soon is not one"),
    ({"interviewer_offsets": ["-15"]}, "interviewer_offsets", "Select a valid choice. -15 is not one"),
    ({"interviewer_offsets": ["99999999999999999999999"]}, "interviewer_offsets", "Select a valid choice."),
    ({"interviewer_offsets": ["60\x00"]}, "interviewer_offsets", "Select a valid choice."),
])
def test_it_explains_a_wrong_reminder_time_and_saves_nothing(owner_client, acme, data, field, message):
    response = owner_client.post(URL, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page.replace("&#x27;", "'")
    assert 'aria-invalid="true"' in page and f'name="{field}"' in page
    with across_tenants("test setup"):
        assert not ReminderSettings.objects.filter(company=acme).exists()
        assert not AuditEntry.objects.filter(company=acme, action="reminders.saved").exists()


def test_it_lets_only_admins_change_the_reminders(teammate_client, interviewer_client, acme):
    for client in (teammate_client, interviewer_client):
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"candidate_offsets": ["15"]}).status_code == 403
    with across_tenants("test setup"):
        assert not ReminderSettings.objects.filter(company=acme).exists()


def test_it_sends_no_reminder_that_was_due_before_the_interview_was_booked(owner, acme, acme_candidate):
    """Booked 23 hours ahead: the day-before reminder's time had already come; the invitation just went out."""
    now = timezone.now().replace(microsecond=0)
    late_booking = make_interview(owner, acme_candidate, start=now + timedelta(hours=23, minutes=45))
    early_booking = make_interview(owner, acme_candidate, start=now + timedelta(hours=23, minutes=50))
    with across_tenants("test setup"):
        Interview.objects.filter(pk=early_booking.pk).update(updated_at=now - timedelta(days=2))
    sent = sweep(acme, now + timedelta(minutes=1))
    assert [delivery.interview_id for delivery in sent] == [early_booking.pk]
    assert reminders_of(late_booking) == []
    with across_tenants("test setup"):
        skipped = ReminderDelivery.objects.get(interview=late_booking)
    assert skipped.status == ReminderDelivery.Status.SKIPPED
    assert sweep(acme, now + timedelta(minutes=2)) == []  # and it stays unsent
