"""The candidate's booking pages in the candidate's language (German here), whatever the browser says, with a switch.

Expected German words are written out here, not computed with the code under test: weekday and month names, the
Sie-form of locale/GLOSSARY.md, and the formats of recruitee/formats/de ("Dienstag, 1. Dezember 2026", "10:00 Uhr").
"""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.test import Client
from icalendar import Calendar as ICalendar

from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from scheduling.models import SchedulingRequest

from .booking_fixtures import (
    another_candidate,
    at,
    booking_day,
    busy,
    interviewer,
    no_booking_limits,  # noqa: F401  (a fixture, used through pytestmark)
    offered_starts,
    send_link,
    start_param,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_booking_limits")]

WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember"]
ENGLISH_WORDS = ("Pick a time", "Times are shown in", "Book this time", "You are booked", "Cancel the interview",
                 "Questions? Write to", "hour")


def german_day(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {day.day}. {MONTHS[day.month - 1]} {day.year}"


def german_span(day: date, start: str, end: str) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {day.day}. {MONTHS[day.month - 1]}, {start}–{end} Uhr"


def text(response) -> str:
    return unescape(response.content.decode())


def set_language(candidate: Candidate, language: str) -> None:
    with across_tenants("test setup"):
        Candidate.objects.filter(pk=candidate.pk).update(language=language)


def stored_language(candidate: Candidate) -> str:
    with across_tenants("test setup"):
        return Candidate.objects.get(pk=candidate.pk).language


@pytest.fixture
def day():
    return booking_day()


@pytest.fixture
def dana(acme):
    return interviewer(acme, "Dana Dev")


@pytest.fixture
def link(owner, acme_candidate, dana, day):
    """Dana is free 12:00-17:00 UTC on `day`; the candidate reads German (the company writes English)."""
    busy(dana, day, "09:00", "12:00")
    set_language(acme_candidate, "de")
    return send_link(owner, acme_candidate, panel=[dana], day=day)


def book(client, link, start, query="tz=UTC"):
    return client.post(f"{link.url}confirm/?start={start_param(start)}&{query}", {"start": start_param(start),
                                                                                 "tz": "UTC"})


# --- the candidate's language, whatever the browser says -----------------------------------------------------------


def test_a_german_candidate_sees_the_times_in_german(link, day):
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get(f"{link.url}?tz=UTC")
    assert response.status_code == 200 and response["Content-Language"] == "de"
    page = text(response)
    assert '<html lang="de">' in page
    assert "<title>Termin wählen: Backend interview · Acme Inc.</title>" in page
    assert "Vorstellungsgespräch, 1 Stunde" in page and "Termin wählen" in page
    assert "Die Zeiten werden in der Zeitzone UTC angezeigt." in page
    assert "Termine anzeigen in der Zeitzone" in page and ">Anzeigen</button>" in page
    assert f">{german_day(day)}</h3>" in page
    assert f'aria-label="{german_span(day, "12:00", "13:00")}"' in page
    assert "Fragen? Schreiben Sie an Olivia Owner" in page and "Zum Inhalt springen" in page
    for english in ENGLISH_WORDS:
        assert english not in page


def test_a_german_candidate_sees_the_day_of_their_own_zone_in_german(link, day):
    # 15:00 UTC is midnight in Tokyo: the next day's heading, in German.
    page = text(Client().get(f"{link.url}?tz=Asia/Tokyo"))
    next_day = day + timedelta(days=1)
    assert re.search(rf">{german_day(day)}</h3>.*>21:00<.*>{german_day(next_day)}</h3>.*>00:00<", page, re.S)


def test_an_english_candidate_sees_english_even_from_a_german_browser(owner, acme, acme_candidate, day):
    dana = interviewer(acme, "Dana Dev")
    link = send_link(owner, acme_candidate, panel=[dana], day=day)
    response = Client(HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").get(f"{link.url}?tz=UTC")
    assert response["Content-Language"] == "en"
    page = text(response)
    assert '<html lang="en">' in page and "Pick a time" in page and "Interview, 1 hour" in page
    assert f">{day:%A} {day.day} {day:%B %Y}</h3>" in page
    assert "Termin" not in page and "Uhr" not in page


def test_a_candidate_without_a_language_gets_the_companys_default(owner, acme, acme_candidate, day):
    acme.default_language = "de"
    acme.save()
    dana = interviewer(acme, "Dana Dev")
    link = send_link(owner, acme_candidate, panel=[dana], day=day)
    assert "Termin wählen" in text(Client(HTTP_ACCEPT_LANGUAGE="en").get(link.url))


# --- every step in German -------------------------------------------------------------------------------------------


def test_a_german_candidate_confirms_books_and_reads_the_booking_in_german(acme, link, day):
    acme.candidate_max_reschedules = 2
    acme.save()
    client = Client()
    start = at(day, "12:00")
    confirm = client.get(f"{link.url}confirm/?start={start_param(start)}&tz=UTC")
    page = text(confirm)
    assert confirm.status_code == 200
    assert f"{german_span(day, '12:00', '13:00')} (UTC) buchen?" in page
    assert ">Diesen Termin buchen</button>" in page and "Zurück zu allen Terminen" in page
    assert "<dt>Was</dt><dd>Vorstellungsgespräch, 1 Stunde</dd>" in page and "<dt>Wo</dt>" in page

    booked = client.get(book(client, link, start)["Location"])
    page = text(booked)
    assert "Ihr Termin ist gebucht" in page and "Gebucht: Backend interview" in page
    assert f"<dt>Wann</dt><dd>{german_span(day, '12:00', '13:00')} (UTC)</dd>" in page
    assert "Zum Kalender hinzufügen (.ics)" in page and "Möchten Sie etwas ändern?" in page
    # The deadline: a full German date and time.
    assert re.search(r"Sie können den Termin hier bis \w+, \d{1,2}\. \w+ \d{4}, \d\d:\d\d Uhr \(UTC\) verschieben "
                     r"oder absagen\.", page)
    assert "Anderen Termin wählen" in page and "Vorstellungsgespräch absagen" in page
    for english in ENGLISH_WORDS:
        assert english not in page

    ics = ICalendar.from_ical(client.get(f"{link.url}invite.ics").content)
    [vevent] = ics.walk("VEVENT")
    assert "Backend interview mit Acme Inc." in str(vevent["DESCRIPTION"])

    choices = client.get(f"{link.url}reschedule/?tz=UTC")
    page = text(choices)
    assert choices.status_code == 200 and "Neuen Termin wählen" in page
    assert f"Derzeit: {german_span(day, '12:00', '13:00')} (UTC)." in page
    assert "Aktuellen Termin behalten" in page and f">{german_day(day)}</h3>" in page
    move = client.get(f"{link.url}reschedule/confirm/?start={start_param(at(day, '16:00'))}&tz=UTC")
    page = text(move)
    assert f"Auf {german_span(day, '16:00', '17:00')} (UTC) verschieben?" in page
    assert "Alle Eingeladenen erhalten den neuen Termin." in page and "Auf diesen Termin verschieben" in page

    cancel = client.get(f"{link.url}cancel/?tz=UTC")
    page = text(cancel)
    assert "Vorstellungsgespräch absagen?" in page and "Möchten Sie uns noch etwas mitteilen?" in page
    assert "(optional)" in page and "Termin behalten" in page
    cancelled = client.get(client.post(f"{link.url}cancel/?tz=UTC", {"reason": "Andere Stelle"})["Location"])
    page = text(cancelled)
    assert "Ihr Vorstellungsgespräch ist abgesagt" in page and "Ihre Nachricht: Andere Stelle" in page


def test_a_form_error_is_in_german(link, day):
    client = Client()
    assert book(client, link, at(day, "12:00")).status_code == 303
    response = client.post(f"{link.url}cancel/", {"reason": "x" * 2001})
    assert response.status_code == 400
    assert "Bitte schreiben Sie höchstens 2000 Zeichen (dieser Text hat 2001)." in text(response)


def test_a_time_just_taken_is_explained_in_german(owner, acme, dana, link, day):
    other = send_link(owner, another_candidate(acme), panel=[dana], day=day)
    assert book(Client(), other, at(day, "15:00")).status_code == 303
    response = book(Client(), link, at(day, "15:00"))
    page = text(response)
    assert response.status_code == 409
    assert "Dieser Termin ist nicht mehr verfügbar" in page and "Bitte wählen Sie einen anderen Termin." in page
    assert "Noch freie Termine" in page and at(day, "15:00") not in offered_starts(response)


def test_unreadable_input_and_closed_links_answer_in_german(link, day):
    response = Client().get(f"{link.url}confirm/", {"start": "tomorrow"})
    assert response.status_code == 400
    assert "Wir konnten den gewählten Termin nicht lesen" in text(response)
    assert "Verfügbare Termine ansehen" in text(response)
    with across_tenants("test setup"):
        SchedulingRequest.objects.filter(pk=link.request.pk).update(first_day=day - timedelta(days=20),
                                                                    last_day=day - timedelta(days=14))
    expired = text(Client().get(link.url))
    last = day - timedelta(days=14)
    assert "Dieser Link ist abgelaufen" in expired
    assert f"Dieser Link bot Termine bis {german_day(last)} an." in expired
    assert "Sie erreichen Olivia Owner unter" in expired


def test_a_limited_page_says_so_in_german_with_a_plural(settings, link):
    settings.BOOKING_RATE_PER_TOKEN_GET = 1
    client = Client(REMOTE_ADDR="2001:db8::de:1")
    client.get(link.url)
    refused = client.get(f"{link.url}?lang=de")
    assert refused.status_code == 429 and "Zu viele Anfragen" in text(refused)
    assert re.search(r"Bitte warten Sie etwa \d+ Minuten? und versuchen Sie es dann erneut\.", text(refused))


# --- the language switch ------------------------------------------------------------------------------------------


def test_the_switch_shows_the_page_in_english_and_keeps_the_choice_for_the_visit(link, acme_candidate, day):
    client = Client()
    page = text(client.get(f"{link.url}?tz=Asia/Tokyo"))
    # An accessible switch: a named navigation, each language in itself, the current one marked.
    assert '<nav class="booking-languages" aria-label="Sprache">' in page
    assert '<span aria-current="true" lang="de">Deutsch</span>' in page
    switch = re.search(r'<a href="([^"]+)" hreflang="en" lang="en">English</a>', page).group(1)
    assert switch == "?tz=Asia%2FTokyo&lang=en"  # a query on the same address: the token stays

    english = client.get(f"{link.url}{switch}")
    page = text(english)
    assert english["Content-Language"] == "en" and "Pick a time" in page and "Times are shown in Asia/Tokyo" in page
    assert '<span aria-current="true" lang="en">English</span>' in page
    assert '<a href="?tz=Asia%2FTokyo&lang=de" hreflang="de" lang="de">Deutsch</a>' in page
    # Every link and form of the page carries the choice on.
    slot_links = re.findall(r'href="(/book/[^"]+confirm/[^"]+)"', page)
    assert slot_links and all(href.endswith("&lang=en") for href in slot_links)
    assert '<input type="hidden" name="lang" value="en">' in page  # the zone picker's form

    confirm = text(client.get(slot_links[0]))
    assert "Book this time" in confirm and f'action="{slot_links[0]}"' in confirm
    start = at(day, "12:00")
    response = client.post(f"{link.url}confirm/?start={start_param(start)}&tz=Asia%2FTokyo&lang=en",
                           {"start": start_param(start), "tz": "Asia/Tokyo"})
    assert response.status_code == 303 and response["Location"] == f"{link.url}?tz=Asia%2FTokyo&lang=en"
    booked = text(client.get(response["Location"]))
    assert "You are booked" in booked
    assert f'href="{link.url}cancel/?tz=Asia%2FTokyo&lang=en"' in booked
    assert f'href="{link.url}invite.ics?lang=en"' in booked

    # Without the choice, the candidate's own language again; the switch never changes the candidate.
    assert "Ihr Termin ist gebucht" in text(client.get(link.url))
    assert stored_language(acme_candidate) == "de"


def test_the_switch_to_german_works_for_an_english_candidate(owner, acme, acme_candidate, day):
    dana = interviewer(acme, "Dana Dev")
    link = send_link(owner, acme_candidate, panel=[dana], day=day)
    page = text(Client().get(f"{link.url}?tz=UTC&lang=de"))
    assert "Termin wählen" in page and f">{german_day(day)}</h3>" in page
    assert stored_language(acme_candidate) == ""


def test_the_switch_keeps_the_chosen_time_and_ignores_what_it_does_not_know(link, day):
    start = start_param(at(day, "12:00"))
    page = text(Client().get(f"{link.url}confirm/?start={start}&tz=UTC&lang=xx"))
    assert "buchen?" in page  # an unknown language: the candidate's
    assert f'href="?tz=UTC&start={start.replace(":", "%3A")}&lang=en"' in page
    # What the switch carries is read back, never echoed: an unknown zone or a made-up start is left out.
    page = text(Client().get(f"{link.url}?tz=%22%3E%3Cb%3E&start=x&lang=de"))
    assert 'href="?lang=en"' in page and "<b>" not in page


def test_an_unknown_link_answers_in_the_language_asked_for_and_names_nothing(client):
    german = client.get("/book/not-a-real-token/?lang=de")
    assert german.status_code == 404 and "Dieser Link funktioniert nicht" in text(german)
    assert 'href="?lang=en"' in text(german)
    assert german.content == client.get("/book/another-unknown-token/?lang=de").content
    browser = Client(HTTP_ACCEPT_LANGUAGE="de").get("/book/not-a-real-token/")
    assert "Dieser Link funktioniert nicht" in text(browser)  # no candidate to go by: the browser's
