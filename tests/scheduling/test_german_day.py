"""The everyday pages in German: the home page, the Interviews list, an interview's reschedule and cancel pages and
Settings → Reminders, for a German recruiter, interviewer and admin, with dates in German; an English member reads
the same pages in English."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from calendars.models import CalendarConnection
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry
from scheduling.models import CalendarInvite, Participant, ReminderOffset, SchedulingRequest
from tests.calendars.factories import connected_calendar
from tests.conftest import client_for

from .change_helpers import cancel_url, reschedule_url
from .home_data import (
    candidate,
    in_hours,
    interview,
    scheduling_link,
    section_text,
    sections,
)

pytestmark = pytest.mark.django_db

ACCEPTED, DECLINED = Participant.Response.ACCEPTED, Participant.Response.DECLINED


def speaking(member, language: str):
    member.user.language = language
    member.user.save(update_fields=["language"])
    return client_for(member)


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def german(message: str, context: str | None = None) -> str:
    """What the catalogue says for a label other helpers own too (a model's choice), in German."""
    with translation.override("de"):
        return pgettext(context, message) if context else gettext(message)


def in_german(moment, fmt: str) -> str:
    with translation.override("de"):
        return date_format(moment, fmt)


# --- home ------------------------------------------------------------------------------------------------------------


def test_a_german_recruiter_reads_the_home_page_in_german(teammate, interviewer, owner, acme_candidate, zone):
    tomorrow = interview(teammate, acme_candidate, start=in_hours(24), title="Technik", interviewers=[interviewer],
                         answers={interviewer: ACCEPTED})
    interview(teammate, candidate(teammate.company, "Dana Declined"), start=in_hours(50), title="Kultur",
              interviewers=[interviewer], answers={interviewer: DECLINED})
    scheduling_link(teammate, candidate(teammate.company, "Lena Link"),
                    last_day=timezone.now().astimezone(ZoneInfo(zone)).date() + timedelta(days=1))
    response = speaking(teammate, "de").get("/acme/")
    page = text_of(response)
    now = timezone.now().astimezone(ZoneInfo(zone))
    for expected in ("Hallo, Terry Teammate", f"{in_german(now, 'l, j. F')} · Zeiten in {zone}",
                     "Ihre Vorstellungsgespräche", "Braucht Ihre Aufmerksamkeit", "Letzte Aktivitäten",
                     "Alle Vorstellungsgespräche", "Vorstellungsgespräch planen", "Heute und die nächsten 6 Tage.",
                     german("Accepted")):
        assert expected in page, expected
    assert "Your interviews" not in page and "Needs your attention" not in page and "Tomorrow" not in page
    day = tomorrow.start.astimezone(ZoneInfo(zone))
    assert f"Morgen · {in_german(day, 'j. F')}" in page
    assert "Eine Einladung wurde abgelehnt" in section_text(response, "decline-alert")
    assert "Ivan Interviewer hat die Einladung zu Kultur mit Dana Declined abgelehnt" in page
    assert "Suchen Sie einen anderen Termin oder eine*n andere*n Interviewer*in." in page
    [link] = sections(response, "attention-scheduling_link")
    assert link["text"].startswith("Lena Link hat „Backend interview“ noch nicht gebucht "
                                   "Er kann noch bis einschließlich morgen gebucht werden.")


def test_a_german_interviewer_reads_what_they_owe_and_why_a_sync_failed(interviewer, teammate, acme_candidate, zone):
    interview(teammate, acme_candidate, start=in_hours(26), title="Technik", interviewers=[interviewer])
    with across_tenants("test setup"):
        connection = connected_calendar(interviewer).connection
        CalendarConnection.objects.filter(pk=connection.pk).update(
            last_error="Google answered 429 three times.", last_error_class="RateLimited")
    response = speaking(interviewer, "de").get("/acme/")
    page = text_of(response)
    assert "Noch zu erledigen" in page
    [owed] = sections(response, "attention-answer_owed")
    assert owed["text"].startswith("Beantworten Sie die Einladung zu Technik mit Wile E. Coyote Morgen um ")
    assert "Uhr. Sagen Sie in Ihrem Kalender zu oder ab." in owed["text"]
    [problem] = sections(response, "attention-calendar")
    assert "Die letzte Synchronisierung von" in problem["text"]
    with across_tenants("test setup"), translation.override("de"):
        reason = CalendarConnection.objects.get(pk=connection.pk).last_error_reason
    assert reason and f"{reason} (Details: Google answered 429 three times.)" in problem["text"]
    assert "Erneut synchronisieren" in problem["text"]


def test_a_change_made_in_the_calendar_reads_in_german_and_is_recorded_in_english(
        teammate, interviewer, acme_candidate, zone):
    moved = interview(teammate, acme_candidate, start=in_hours(26), interviewers=[interviewer])
    new_start = moved.start + timedelta(hours=3)
    with across_tenants("test setup"):
        CalendarInvite.objects.create(
            company=moved.company, interview=moved, provider="google", provider_event_id="ev1",
            status=CalendarInvite.Status.CREATED, outside_change_at=timezone.now(),
            outside_change={"moved": True, "start": new_start.isoformat(),
                            "end": (new_start + timedelta(hours=1)).isoformat()})
    client = speaking(teammate, "de")
    [item] = sections(client.get("/acme/"), "attention-calendar_change")
    local = new_start.astimezone(ZoneInfo("Europe/Berlin"))
    assert (f"Interview mit Wile E. Coyote: In {german('Google Calendar')} verschoben auf "
            f"{in_german(local, 'D')}, {local:%H:%M}–") in item["text"]
    assert "Änderung prüfen" in item["text"]
    response = client.post(f"/acme/interviews/{moved.pk}/calendar-change/restore/", follow=True)
    assert "Der Kalendertermin wird auf Zeit und Personen des Vorstellungsgesprächs zurückgesetzt." in \
        text_of(response)
    with across_tenants("test setup"):
        record = AuditEntry.objects.get(action="interview.outside_change_restored")
    assert "Restored ours in Google Calendar (moved in Google Calendar to " in record.summary


# --- the Interviews list ---------------------------------------------------------------------------------------------


def test_a_german_recruiter_reads_the_interview_list_in_german(teammate, interviewer, acme_candidate, zone):
    interview(teammate, acme_candidate, start=in_hours(24), title="Technik", interviewers=[interviewer],
              answers={interviewer: DECLINED})
    client = speaking(teammate, "de")
    page = text_of(client.get("/acme/interviews/"))
    for expected in ("Vorstellungsgespräche", "Vorstellungsgespräche, die Sie organisieren oder an denen Sie "
                     "teilnehmen", "Anstehend", "Vergangen", "Abgesagt", "Noch nicht gebucht", "Alle Stellen",
                     "Alle Interviewer*innen", "Wann", "Kandidat*in", "Stelle", "Interviewer*innen",
                     german("Scheduled"), german("Declined"), "Morgen", "1 Vorstellungsgespräch"):
        assert expected in page, expected
    assert "Upcoming" not in page and "Awaiting booking" not in page and "1 interview" not in page
    assert 'placeholder="Name oder E-Mail der Kandidat*in oder Titel suchen"' in \
        client.get("/acme/interviews/").content.decode()
    assert "Nichts passt zu diesen Filtern. Filter zurücksetzen" in text_of(client.get("/acme/interviews/?q=zzz"))
    assert "Sie haben noch keine vergangenen Vorstellungsgespräche." in \
        text_of(client.get("/acme/interviews/?when=past"))
    assert "Keine abgesagten Vorstellungsgespräche." in \
        text_of(client.get("/acme/interviews/?who=everyone&when=cancelled"))


def test_a_german_recruiter_reads_the_links_awaiting_booking_in_german(teammate, acme_candidate, zone):
    today = timezone.now().date()
    link = scheduling_link(teammate, acme_candidate, first_day=today + timedelta(days=1),
                           last_day=today + timedelta(days=40))
    page = text_of(speaking(teammate, "de").get("/acme/interviews/?when=awaiting"))
    for expected in ("Gesendet", "Angebotene Tage", german("Link sent"), "1 Buchungslink",
                     f"{in_german(link.first_day, german('D j M', 'date format'))}–"
                     f"{in_german(link.last_day, german('D j M Y', 'date format, with the year'))}"):
        assert expected in page, expected
    with across_tenants("test setup"):
        SchedulingRequest.objects.filter(pk=link.pk).update(last_day=today - timedelta(days=3),
                                                            first_day=today - timedelta(days=5))
    page = text_of(speaking(teammate, "de").get("/acme/interviews/?when=awaiting"))
    assert "Abgelaufen" in page and "Auf der Seite der Kandidat*in erneut senden oder zurückziehen" in page


def test_a_german_interviewer_with_no_interviews_reads_the_empty_list_in_german(interviewer):
    page = text_of(speaking(interviewer, "de").get("/acme/interviews/"))
    assert "Sie haben keine anstehenden Vorstellungsgespräche. Wenn ein*e Recruiter*in Sie zu einem einlädt, " \
           "erscheint es hier." in page
    assert "Noch nicht gebucht" not in page  # the links are the recruiters'


# --- reschedule and cancel -------------------------------------------------------------------------------------------


def test_a_german_recruiter_reads_the_reschedule_page_in_german(teammate, interviewer, acme_candidate, zone):
    made = interview(teammate, acme_candidate, start=in_hours(48), title="Technik", interviewers=[interviewer],
                     by_email=True, by_calendar=False)
    page = text_of(speaking(teammate, "de").get(reschedule_url(made)))
    for expected in ("Technik verschieben", "Termin finden", "Wer benachrichtigt wird, und wie",
                     "Aktualisierung an Wile E. Coyote", "Aktualisierung an die Interviewer*innen",
                     "Eingeladen per:", "Betreff", "Nachricht", "Vorschau aktualisieren",
                     "Speichern und benachrichtigen", "Zurück"):
        assert expected in page, expected
    assert "Reschedule Technik" not in page and "Who is told" not in page


def test_a_german_recruiter_cancels_in_german(teammate, interviewer, acme_candidate, zone):
    made = interview(teammate, acme_candidate, start=in_hours(48), title="Technik", interviewers=[interviewer],
                     by_email=True, by_calendar=False)
    client = speaking(teammate, "de")
    page = text_of(client.get(cancel_url(made)))
    for expected in ("Technik absagen?", "Grund", "Kein Grund angegeben", "Terminkonflikt",
                     "Grund in Ihren Worten", "Notiz an die Kandidat*in", "Absage an Wile E. Coyote",
                     "Absage an die Interviewer*innen", german("Keep it"), "Termin absagen"):
        assert expected in page, expected
    refused = text_of(client.post(cancel_url(made), {"reason": "other", "action": "cancel"}))
    assert "Geben Sie den Grund ein oder wählen Sie einen aus der Liste." in refused
    done = text_of(client.post(cancel_url(made), {"reason": "Scheduling conflict", "action": "cancel"},
                               follow=True))
    assert "Technik ist abgesagt; alle Eingeladenen werden benachrichtigt." in done


# --- Settings → Reminders --------------------------------------------------------------------------------------------


def test_a_german_admin_reads_and_saves_the_reminder_settings_in_german(owner):
    client = speaking(owner, "de")
    page = text_of(client.get("/acme/settings/reminders/"))
    for expected in ("Einstellungen", "Kandidat*innen erinnern", "Interviewer*innen erinnern",
                     "Wählen Sie nichts aus, um Kandidat*innen keine Erinnerungen zu senden.",
                     "Erinnerungen gehen vor jedem geplanten Vorstellungsgespräch per E-Mail",
                     "Einladungsvorlagen", "Speichern", german(ReminderOffset.DAY_1.label)):
        assert expected in page, expected
    assert "Remind candidates" not in page
    saved = text_of(client.post("/acme/settings/reminders/", {"candidate_offsets": [60]}, follow=True))
    assert "Erinnerungseinstellungen gespeichert." in saved


# --- and English stays English ---------------------------------------------------------------------------------------


def test_an_english_member_still_reads_english(teammate, interviewer, acme_candidate, zone):
    made = interview(teammate, acme_candidate, start=in_hours(24), title="Tech", interviewers=[interviewer],
                     answers={interviewer: ACCEPTED})
    client = speaking(teammate, "en")
    home = text_of(client.get("/acme/"))
    now = timezone.now().astimezone(ZoneInfo(zone))
    for expected in ("Hello, Terry Teammate", f"{now:%A} {now.day} {now:%B} · times in {zone}", "Your interviews",
                     "Tomorrow", "Accepted", "Needs your attention", "Today and the next 6 days."):
        assert expected in home, expected
    listed = text_of(client.get("/acme/interviews/"))
    for expected in ("Upcoming", "Awaiting booking", "All jobs", "Tomorrow", "Scheduled", "1 interview"):
        assert expected in listed, expected
    assert "Vorstellungsgespräch" not in home + listed
    assert "Cancel Tech?" in text_of(client.get(cancel_url(made)))
    assert "Reschedule Tech" in text_of(client.get(reschedule_url(made)))
