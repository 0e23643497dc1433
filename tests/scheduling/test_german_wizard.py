"""The scheduling wizard, Find time, the interview page and the week view for a recruiter who reads German
(User.language "de"), whatever the company or the browser says; an English member of the same company still reads
English.

Expected German words are written out here, not computed with the code under test: the Sie-form and the words of
locale/GLOSSARY.md, weekday and month names, and the 24-hour times with "Uhr".
"""

import re
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calendars.models import CalendarConnection
from recruitee.tenancy.db import across_tenants
from tests.calendars.factories import connected_calendar, event

from .helpers import DAY, schedule, step1

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
# DAY (2030-06-12) is a Wednesday; its week starts on Monday 10 June 2030.
ENGLISH_WORDS = ("Find time", "Suggested times", "Next: how to invite", "Invite candidate via", "Schedule and send",
                 "Week of", "Times in", "Free for everyone", "Later days", "Heads-up")


def text(response) -> str:
    return unescape(response.content.decode())


def reads(member, language: str) -> None:
    member.user.language = language
    member.user.save(update_fields=["language"])


@pytest.fixture
def german(owner):
    reads(owner, "de")
    return owner


def step1_post(client, candidate, **fields):
    data = {"kind": "interview", "date": DAY, "start_time": "14:00", "duration": "60", "time_zone": "Europe/Berlin",
            "invite_candidate": "on", **fields}
    return client.post(f"/acme/candidates/{candidate.pk}/schedule/", {k: v for k, v in data.items() if v is not None})


def busy_at_two(member) -> None:
    """The member's calendar is busy 14:00–15:00 Berlin time on DAY."""
    calendar = connected_calendar(member)
    event(calendar, "Dentist", datetime(2030, 6, 12, 14, tzinfo=BERLIN), datetime(2030, 6, 12, 15, tzinfo=BERLIN))


def test_step_1_with_find_time_and_its_errors_reads_german(german, owner_client, acme_candidate, interviewer):
    busy_at_two(interviewer)
    # Ends before it starts, and nobody is invited: two errors, in German.
    response = step1_post(owner_client, acme_candidate, end_time="13:00", invite_candidate=None)

    assert response.status_code == 200
    page = text(response)
    assert '<html lang="de"' in page
    assert "Laden Sie die*den Kandidat*in oder mindestens eine*n Interviewer*in ein." in page
    assert "Der Termin muss nach seinem Beginn enden." in page
    for label in ("Termin mit Wile E. Coyote planen", "Datum",
                  "Beginn", "Dauer", "oder Ende", "Zeitzone", "Interviewer*innen", "Termin finden",
                  "Vorgeschlagene Termine", "Weiter: Wie einladen", "Spätere Tage", "Für alle frei",
                  "1 · Was, wann, wer", "2 · Wie einladen", "Zeitzone von Wile E. Coyote", "1 Stunde"):
        assert label in page, label
    # Find time: German weekdays and months, 24-hour times with "Uhr".
    assert 'aria-label="Mi., 12. Juni"' in page
    assert re.search(r"Mi\., 12\. Juni, (0[7-9]|1\d|20):[03]0–\d\d:\d\d Uhr", page) or re.search(
        r"(Do|Fr|Mo|Di)\., 1\d\. Juni, \d\d:\d\d–\d\d:\d\d Uhr", page)
    assert re.search(
        r'aria-label="Beginn am Mi\., 12\. Juni um 14:00 Uhr( · alle sind frei| \(Überschneidung\) · [^"]+)"', page)
    for english in ENGLISH_WORDS + ("Wed 12 Jun", " at 14:00", "Pick a time", "Off: outside", ">Interviewers<"):
        assert english not in page, english


def test_find_time_says_conflicts_and_load_in_german(german, owner_client, acme_candidate, interviewer):
    busy_at_two(interviewer)
    response = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/schedule/find-time/", {
        "kind": "interview", "date": DAY, "start_time": "14:00", "duration": "60", "time_zone": "Europe/Berlin",
        "invite_candidate": "on", "interviewers": [interviewer.pk]})

    page = text(response)
    assert "Hinweis:" in page
    assert "Ivan Interviewer ist 14:00–15:00 Uhr belegt." in page
    assert "Ihre Verfügbarkeit ist unbekannt: kein Kalender verbunden." in page
    assert "Ivan Interviewer: 0 Vorstellungsgespräche an diesem Tag, 0 in dieser Woche" in page
    assert "Belegt" in page and "Vorgeschlagener Termin" in page
    assert "busy" not in re.sub(r'class="[^"]*"|ft-swatch-busy', "", page)


def test_step_2_reads_german(german, owner_client, acme_candidate, interviewer):
    url = step1(owner_client, acme_candidate, interviewers=[interviewer.pk])
    page = text(owner_client.get(url))

    for label in ("Kandidat*in einladen per:", "Interviewer*innen einladen per:", "E-Mail an Wile E. Coyote",
                  "E-Mail an die Interviewer*innen anpassen", "Verfügbare Platzhalter", "Vorschau aktualisieren",
                  "Planen und Einladungen senden", "E-Mail sendet unsere Nachricht mit der Einladung im Anhang.",
                  "Betreff", "Nachricht", "‹ Ändern", "Mit:", "Mittwoch, 12. Juni 2030, 14:00–15:00 Uhr"):
        assert label in page, label
    # (The emails' own wording is the company's template, not the page's: it is not checked here.)
    for english in ENGLISH_WORDS + ("Invite interviewers via", "Customize email", "Update preview"):
        assert english not in page, english


def test_the_interview_page_reads_german(german, owner_client, acme_candidate, interviewer):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    response = owner_client.get(f"/acme/interviews/{interview.pk}/")

    page = text(response)
    for label in ("Verschieben", "Termin absagen", "Kandidat*in", "Stelle", "Organisator*in", "Personen",
                  "Eingeladen per", "Antwort", "Noch keine Antwort", "Nachrichten", "Verlauf",
                  "Kandidat*innen", "Mittwoch, 12. Juni 2030, 14:00–15:00 Uhr"):
        assert label in page, label
    # Dates in the German short format ("12.06.2030, 14:00"), not "12 Jun 2030".
    assert re.search(r"\d\d\.\d\d\.20\d\d, \d\d:\d\d", page)
    for english in ("Reschedule", "Cancel event", "No answer yet", "History", "Invited via"):
        assert english not in page, english


def test_the_week_view_reads_german(german, owner_client):
    calendar = connected_calendar(german)
    with across_tenants("test setup"):
        CalendarConnection.objects.filter(pk=calendar.connection_id).update(
            last_sync_at=timezone.now() - timedelta(minutes=5))
    event(calendar, "Planung", datetime(2030, 6, 12, 10, tzinfo=BERLIN), datetime(2030, 6, 12, 11, tzinfo=BERLIN))
    event(calendar, "Messe", datetime(2030, 6, 10, tzinfo=BERLIN), datetime(2030, 6, 12, tzinfo=BERLIN),
          all_day=True)

    page = text(owner_client.get("/acme/calendar/", {"date": DAY}))
    for label in ("Woche vom 10. Juni 2030", "Zeiten in UTC", "Ihre Kalenderverbindungen", "Heute",
                  "Vorherige Woche", "Nächste Woche", "Belegte Zeiten des Teams anzeigen", "Ihre Termine",
                  "Frei (keine Überschneidung)", "ganztägig", 'aria-label="Mittwoch, 12. Juni"',
                  'data-just-now="gerade eben"', 'data-minutes-ago="vor {n} Minuten"', "Ihr Kalender wurde"):
        assert label in page, label
    assert re.search(r">\s*Mi <span class=\"wk-date\">12</span>", page)
    assert "Planung · 08:00–09:00" in page  # the member's zone: UTC
    for english in ("Week of", "Your events", "Today", "Wednesday", "June", "Your calendar synced"):
        assert english not in page, english

    day = text(owner_client.get("/acme/calendar/", {"date": DAY, "view": "day"}))
    assert "<h1>Mittwoch, 12. Juni 2030</h1>" in day
    refused = text(owner_client.get("/acme/calendar/", {"date": "bald"}))
    assert "Geben Sie ein Datum wie 2027-03-29 ein. Stattdessen wird diese Woche angezeigt." in refused


def test_an_english_member_still_reads_english(german, teammate, teammate_client, acme_candidate, interviewer):
    reads(teammate, "en")
    busy_at_two(interviewer)
    page = text(step1_post(teammate_client, acme_candidate, end_time="13:00", interviewers=[interviewer.pk]))

    assert "The event must end after it starts." in page
    assert 'aria-label="Wed 12 Jun"' in page and "Suggested times" in page and "Find time" in page
    assert 'aria-label="Start Wed 12 Jun at 14:00 (conflict) · free: You · busy or off: Ivan Interviewer"' in page
    assert "Next: how to invite" in page
    for german_word in ("Termin", "Uhr", "Mittwoch", "Kandidat*in", "Vorgeschlagen"):
        assert german_word not in page, german_word

    grid = text(teammate_client.get(f"/acme/candidates/{acme_candidate.pk}/schedule/find-time/", {
        "kind": "interview", "date": DAY, "start_time": "14:00", "duration": "60", "time_zone": "Europe/Berlin",
        "invite_candidate": "on", "interviewers": [interviewer.pk]}))
    assert "Ivan Interviewer is busy 14:00–15:00." in grid
    assert "Ivan Interviewer: 0 interviews that day, 0 that week" in grid

    week = text(teammate_client.get("/acme/calendar/", {"date": DAY}))
    assert "Week of 10 June 2030" in week and "Times in UTC" in week
    assert "Woche" not in week


def test_the_clocks_and_the_date_range_are_explained_in_german(german, owner_client, acme_candidate):
    skipped = text(step1_post(owner_client, acme_candidate, date="2030-03-31", start_time="02:30"))
    assert ("02:30 Uhr gibt es am 31.03.2030 in Europe/Berlin nicht: Die Uhren springen darüber (die Sommerzeit "
            "beginnt).") in skipped

    far = text(step1_post(owner_client, acme_candidate, date="2150-01-01"))
    assert "Wählen Sie ein Datum zwischen dem 1. Januar 1970 und dem 31. Dezember 2099." in far
    assert "Pick a date" not in far

    twice = text(step1_post(owner_client, acme_candidate, date="2030-10-27", start_time="02:30", end_time="04:00",
                            title="x" * 201))  # an error keeps step 1 on screen with its warning
    assert ("02:30 Uhr gibt es am 27.10.2030 in Europe/Berlin zweimal (die Uhren werden zurückgestellt): Wir nehmen "
            "die erste, noch in der Sommerzeit.") in twice
