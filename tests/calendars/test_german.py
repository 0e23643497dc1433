"""The calendar pages, the system status and the product's own emails about calendars and team invitations in
German: a page in the reader's language, an email in its recipient's (their own choice, else their company's
default; an invitee's is the company's), whoever's request sends it."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape

from calendars.models import CalendarConnection
from calendars.tokens import connection_mark_reconnect_needed
from recruitee.ops.models import WorkerHeartbeat
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.languages import ago, member_language
from recruitee.tenancy.models import AuditEntry, Company, Invitation, Role
from tests.calendars.factories import connected_calendar
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

REVOKED = "Google no longer accepts this connection (access was revoked or expired)."


def speaking(membership, language: str):
    membership.user.language = language
    membership.user.save(update_fields=["language"])
    return client_for(membership)


def set_language(membership, language: str) -> None:
    membership.user.language = language
    membership.user.save(update_fields=["language"])


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def connection_of(member) -> CalendarConnection:
    with across_tenants("test setup"):
        return connected_calendar(member).connection


def update(connection: CalendarConnection, **fields) -> None:
    with across_tenants("test setup"):
        CalendarConnection.objects.filter(pk=connection.pk).update(**fields)


def mark_dead(connection: CalendarConnection) -> None:
    """What a refused token refresh does (calendars.tokens), in the connection's company as a worker runs it."""
    with across_tenants("test setup"):
        connection_mark_reconnect_needed(connection_id=connection.pk, reason=REVOKED)


def html_of(email) -> str:
    return email.alternatives[0][0]


# --- pages -----------------------------------------------------------------------------------------------------------


def test_a_german_member_without_a_calendar_reads_the_connections_page_in_german(teammate):
    page = text_of(speaking(teammate, "de").get("/acme/calendars/").content.decode())
    for german in ("Ihre Kalender", "Verbinden Sie den Kalender, mit dem Sie arbeiten.", "Google verbinden",
                   "Outlook verbinden", "Noch kein Kalender verbunden.", "Zugangstokens werden verschlüsselt"):
        assert german in page, german
    assert "Your calendars" not in page and "Connect Google" not in page


def test_a_german_member_reads_a_synced_connection_in_german(teammate):
    connection = connection_of(teammate)
    update(connection, connected_at=datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
           last_sync_at=timezone.now() - timedelta(minutes=5), events_count=12, sync_events_skipped=1)
    page = text_of(speaking(teammate, "de").get("/acme/calendars/").content.decode())
    for german in ("Google Kalender · teammate@acme.test", "Verbunden · verbunden am 01.12.2026",
                   "12 Termine synchronisiert · vor 5 Minuten",
                   "1 Termin konnte nicht gelesen werden und wurde übersprungen", "Jetzt synchronisieren",
                   "Trennen", "Kalender, die als belegt zählen", "Work Hauptkalender", "Auswahl speichern"):
        assert german in page, german


def test_a_german_member_reads_why_a_connection_needs_reconnecting_with_its_details(teammate):
    connection = connection_of(teammate)
    mark_dead(connection)

    page = text_of(speaking(teammate, "de").get("/acme/calendars/").content.decode())
    assert "Erneute Verbindung nötig" in page and "Erneut verbinden" in page
    # The reason in German, and the provider's own words (recorded in English) kept as the details.
    assert ("Synchronisierung angehalten: Der Anbieter akzeptiert unseren Zugriff auf diesen Kalender nicht mehr "
            "(er wurde vielleicht widerrufen, oder das Passwort wurde geändert). Verbinden Sie ihn erneut. "
            f"(Details: {REVOKED})") in page

    english = text_of(speaking(teammate, "en").get("/acme/calendars/").content.decode())
    assert "Sync stopped: The provider no longer accepts our access to this calendar" in english
    assert f"(details: {REVOKED})" in english


def test_a_failed_sync_reads_in_german_and_an_unexpected_error_keeps_its_details(teammate):
    connection = connection_of(teammate)
    update(connection, last_error="Could not reach Google while fetching events.",
           last_error_class="TemporaryProviderError", last_error_at=timezone.now())
    page = text_of(speaking(teammate, "de").get("/acme/calendars/").content.decode())
    assert ("Letzte Synchronisierung fehlgeschlagen: Der Kalenderanbieter war nicht erreichbar oder hatte ein "
            "vorübergehendes Problem.") in page
    assert "(Details: Could not reach Google while fetching events.)" in page and "Erneut versuchen" in page

    unexpected = "Unexpected error (AttributeError: 'list' object has no attribute 'get')"
    update(connection, last_error=unexpected, last_error_class="AttributeError")
    html = speaking(teammate, "de").get("/acme/calendars/").content.decode()
    assert "Ein unerwarteter Fehler hat die Synchronisierung angehalten." in html and escape(unexpected) in html


def test_a_german_admin_reads_the_calendar_connections_settings_in_german(owner, teammate, interviewer):
    connection = connection_of(teammate)
    mark_dead(connection)
    client = speaking(owner, "de")
    with translation.override("de"):
        with across_tenants("test setup"):
            expected_reason = CalendarConnection.objects.get(pk=connection.pk).last_error_reason

    page = text_of(client.get("/acme/settings/calendars/").content.decode())
    for german in ("Einstellungen", "Kalenderverbindungen", "Alle Mitglieder von Acme Inc.",
                   "Zwei von drei haben noch keinen", "Mitglied Anbieter Konto Status",
                   "Terry Teammate Google Kalender teammate@acme.test Erneute Verbindung nötig", expected_reason,
                   f"(Details: {REVOKED})", "Kein Kalender verbunden", "Nicht verbunden",
                   "Erinnerung senden an Ivan Interviewer", "Eigenen verbinden"):
        assert german in page, german

    response = client.post(f"/acme/settings/calendars/remind/{interviewer.pk}/", follow=True)
    page = text_of(response.content.decode())
    assert "Ivan Interviewer wurde per E-Mail erinnert, einen Kalender zu verbinden." in page
    assert "Erinnert gerade eben · erneut möglich in 23 Stunden" in page

    again = text_of(client.post(f"/acme/settings/calendars/remind/{interviewer.pk}/", follow=True)
                    .content.decode())
    assert "Ivan Interviewer wurde gerade eben erinnert. Eine weitere Erinnerung ist in 23 Stunden möglich." in again


def test_the_disconnect_page_and_its_message_are_german(owner, teammate):
    connection = connection_of(teammate)
    client = speaking(owner, "de")
    page = text_of(client.get(f"/acme/calendars/{connection.pk}/disconnect/?from=admin").content.decode())
    assert "Google Kalender · teammate@acme.test trennen?" in page
    assert "Dies ist der Kalender von Terry Teammate." in page and "Abbrechen" in page
    done = text_of(client.post(f"/acme/calendars/{connection.pk}/disconnect/", {"from": "admin"}, follow=True)
                   .content.decode())
    assert "Google Kalender · teammate@acme.test wurde getrennt, und die synchronisierten Daten wurden gelöscht." \
        in done


def test_a_german_admin_reads_the_system_status_in_german(owner):
    client = speaking(owner, "de")
    page = text_of(client.get("/acme/settings/system/").content.decode())
    assert "Hintergrunddienst" in page and "Noch kein Lebenszeichen empfangen." in page
    assert "Hintergrunddienst anpingen" in page

    WorkerHeartbeat.objects.create(name="default", beat_at=timezone.now() - timedelta(days=2, hours=3),
                                   hostname="worker-1")
    page = text_of(client.get("/acme/settings/system/").content.decode())
    assert "Seit 2 Tagen, 3 Stunden kein Lebenszeichen." in page

    WorkerHeartbeat.objects.filter(name="default").update(beat_at=timezone.now())
    page = text_of(client.get("/acme/settings/system/").content.decode())
    assert "Läuft – letztes Lebenszeichen gerade eben von worker-1." in page

    response = client.post("/acme/settings/system/pings/", follow=True)
    page = text_of(response.content.decode())
    assert "Ping an den Hintergrunddienst" in page and "Zurück zum Systemstatus" in page


def test_spans_of_time_take_the_german_dative():
    with translation.override("de"):
        assert ago(timezone.now() - timedelta(days=2, hours=1)) == "vor 2\xa0Tagen"
        assert ago(timezone.now() - timedelta(seconds=10)) == "gerade eben"
    assert ago(timezone.now() - timedelta(days=2, hours=1)) == "2\xa0days ago"


# --- emails ----------------------------------------------------------------------------------------------------------


def test_the_reconnect_email_is_in_the_owners_language(teammate, interviewer, django_capture_on_commit_callbacks):
    set_language(teammate, "de")
    set_language(interviewer, "en")
    german, english = connection_of(teammate), connection_of(interviewer)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # a worker: English
        mark_dead(german)
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):  # a German admin's request
        mark_dead(english)

    to_german, to_english = mail.outbox
    assert to_german.to == ["teammate@acme.test"]
    assert to_german.subject == "Verbinden Sie Ihren Kalender erneut: Google Kalender · teammate@acme.test"
    assert "Ihre Kalenderverbindung Google Kalender · teammate@acme.test in Acme Inc. funktioniert nicht mehr" \
        in to_german.body
    assert "Hier erneut verbinden:\nhttp://127.0.0.1:8000/acme/calendars/" in to_german.body
    assert '<html lang="de">' in html_of(to_german) and "Kalender erneut verbinden</a>" in html_of(to_german)

    assert to_english.to == ["interviewer@acme.test"]
    assert to_english.subject == "Reconnect your calendar: Google Calendar · interviewer@acme.test"
    assert "Your calendar connection Google Calendar · interviewer@acme.test in Acme Inc. stopped working" \
        in to_english.body
    assert '<html lang="en">' in html_of(to_english) and "Verbinden" not in to_english.body

    with across_tenants("test setup"):  # the audit trail stays English, whichever language the request spoke
        summaries = sorted(AuditEntry.objects.filter(action="calendar.token_failed").values_list("summary",
                                                                                                 flat=True))
    assert all(summary.startswith("Google Calendar · ") for summary in summaries), summaries


def test_the_connect_reminder_is_in_the_members_language(owner, teammate, interviewer,
                                                          django_capture_on_commit_callbacks):
    set_language(teammate, "de")
    client = speaking(owner, "en")  # an English admin reminds a German member, then an English one
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/acme/settings/calendars/remind/{teammate.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/acme/settings/calendars/remind/{interviewer.pk}/")

    to_german, to_english = mail.outbox
    assert to_german.subject == "Olivia Owner bittet Sie, Ihren Kalender mit Acme Inc. auf Recruitee zu verbinden"
    assert to_german.body.startswith("Hallo Terry Teammate,")
    assert "Sobald er verbunden ist, sieht Ihr Team" in to_german.body
    assert "Das Verbinden dauert eine Minute (Google oder Outlook):" in to_german.body
    assert "<strong>Olivia Owner</strong> bittet Sie" in html_of(to_german)

    assert to_english.subject == "Olivia Owner asks you to connect your calendar to Acme Inc. on Recruitee"
    assert to_english.body.startswith("Hello Ivan Interviewer,")


def test_a_member_without_a_language_gets_the_companys_default(teammate, acme):
    Company.objects.filter(pk=acme.pk).update(default_language="de")
    with across_tenants("test setup"):
        teammate.refresh_from_db()
        teammate.company.refresh_from_db()
    assert teammate.user.language == "" and member_language(teammate) == "de"
    set_language(teammate, "en")
    assert member_language(teammate) == "en"


def test_the_team_invitation_follows_the_companys_default_language(owner, acme, django_capture_on_commit_callbacks):
    client = speaking(owner, "en")  # the admin reads English; the company writes to newcomers in German
    Company.objects.filter(pk=acme.pk).update(default_language="de")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/acme/team/invitations/", {"email": "neu@example.com", "role": Role.INTERVIEWER})
    with across_tenants("test setup"):
        invitation = Invitation.objects.get(email="neu@example.com")
    [email] = mail.outbox
    assert email.subject == "Olivia Owner hat Sie zu Acme Inc. auf Recruitee eingeladen"
    assert "Olivia Owner hat Sie eingeladen, Acme Inc. auf Recruitee als Interviewer*in beizutreten." in email.body
    # The expiry in German, in the company's zone (Europe/Berlin), with the zone named, not the admin's (UTC).
    in_berlin = invitation.expires_at.astimezone(ZoneInfo("Europe/Berlin"))
    expires_zone = in_berlin.tzname()  # CET or CEST
    with translation.override("de"):
        shown = date_format(in_berlin, "DATETIME_FORMAT")
    assert f"läuft am {shown} ({expires_zone}) ab." in email.body and "Uhr" in shown
    assert "Einladung annehmen</a>" in html_of(email) and '<html lang="de">' in html_of(email)

    Company.objects.filter(pk=acme.pk).update(default_language="en")
    speaking(owner, "de")  # a German admin, an English company: the invitation is English
    with django_capture_on_commit_callbacks(execute=True):
        client_for(owner).post("/acme/team/invitations/", {"email": "new@example.com", "role": Role.RECRUITER})
    english = mail.outbox[-1]
    assert english.subject == "Olivia Owner invited you to Acme Inc. on Recruitee"
    assert "Olivia Owner invited you to join Acme Inc. on Recruitee as Recruiter." in english.body
