"""English and German: a member reads the language of their profile, else their browser's; a candidate's language is
their own, else their company's default. German pages say it as a German product would, dates included."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format

from recruitee.recruiting.models import Candidate
from recruitee.recruiting.selectors import candidate_language
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry, Company, Invitation

from .conftest import client_for

pytestmark = pytest.mark.django_db

GERMAN_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9,en;q=0.5"}
# Tuesday, 1 December 2020, 10:00 in the members' zone (the fixtures' users live in UTC); past, whatever the clock.
WHEN = datetime(2020, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A request leaves its language active in the thread (LocaleMiddleware does not undo it): the tests that run
    after these must not start in German."""
    yield
    translation.deactivate()


def speaking(membership, language: str):
    membership.user.language = language
    membership.user.save(update_fields=["language"])
    return client_for(membership)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def added_on(candidate: Candidate, when: datetime) -> None:
    with across_tenants("test setup"):
        Candidate.objects.filter(pk=candidate.pk).update(created_at=when, updated_at=when)


NEW_CANDIDATE = {"full_name": "Grace Hopper", "email": "grace@example.com", "phone": "", "time_zone": "Europe/Berlin",
                 "stage": "applied", "notes": ""}


# --- which language a member reads ---------------------------------------------------------------------------------


def test_english_is_the_default(owner_client):
    response = owner_client.get("/acme/candidates/")
    assert "<h1>Candidates</h1>" in response.content.decode()
    assert response["Content-Language"] == "en"


def test_a_german_browser_gets_german_when_the_profile_leaves_it_open(owner):
    response = client_for(owner).get("/acme/candidates/", **GERMAN_BROWSER)
    assert "<h1>Kandidat*innen</h1>" in response.content.decode()
    assert response["Content-Language"] == "de"
    assert "Accept-Language" in response["Vary"]


def test_the_profile_choice_wins_over_the_browser(owner):
    response = speaking(owner, "en").get("/acme/candidates/", **GERMAN_BROWSER)
    assert "<h1>Candidates</h1>" in response.content.decode() and response["Content-Language"] == "en"
    response = speaking(owner, "de").get("/acme/candidates/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert "<h1>Kandidat*innen</h1>" in response.content.decode() and response["Content-Language"] == "de"


def test_people_who_are_not_signed_in_get_their_browsers_language():
    response = Client().get("/no/such/page/", **GERMAN_BROWSER)
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode() and "Zu Ihrer Startseite" in response.content.decode()
    assert "Page not found" in Client().get("/no/such/page/").content.decode()
    # allauth's pages: its German, in the Sie-form the product speaks (locale/allauth/).
    login = text_of(Client().get("/accounts/login/", **GERMAN_BROWSER).content.decode())
    assert "Sie haben noch kein Konto? Dann registrieren Sie sich bitte zuerst." in login
    assert "Passwort vergessen?" in login and "Du hast" not in login


def test_a_member_chooses_a_language_on_the_profile_and_reads_it_from_the_next_page_on(owner):
    client = client_for(owner)
    profile = client.get("/accounts/profile/").content.decode()
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]+)</option>',
                         profile.split('id="id_language"')[1].split("</select>")[0])
    assert options == [("", " selected", "As my browser asks"), ("en", "", "English"), ("de", "", "Deutsch")]

    response = client.post("/accounts/profile/", {"full_name": "Olivia Owner", "time_zone": "UTC", "language": "de"},
                           follow=True)
    owner.user.refresh_from_db()
    assert owner.user.language == "de"
    page = response.content.decode()
    assert "Profil gespeichert." in page and "Ihr Profil" in page
    assert '<option value="de" selected>Deutsch</option>' in page

    client.post("/accounts/profile/", {"full_name": "Olivia Owner", "time_zone": "UTC", "language": ""})
    owner.user.refresh_from_db()
    assert owner.user.language == ""
    assert "<h1>Candidates</h1>" in client.get("/acme/candidates/").content.decode()


def test_a_profile_form_without_the_language_keeps_it(owner):
    client = speaking(owner, "de")
    client.post("/accounts/profile/", {"full_name": "Olivia Owner", "time_zone": "Asia/Tokyo"})
    owner.user.refresh_from_db()
    assert (owner.user.language, owner.user.time_zone) == ("de", "Asia/Tokyo")


@pytest.mark.parametrize("language", ["fr", "DE", "de\x00"])
def test_the_profile_refuses_a_language_it_does_not_offer(owner_client, owner, language):
    response = owner_client.post("/accounts/profile/",
                                 {"full_name": "Olivia", "time_zone": "UTC", "language": language})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    owner.user.refresh_from_db()
    assert owner.user.language == ""


# --- German pages -------------------------------------------------------------------------------------------------


def test_a_german_member_reads_the_candidate_list_in_german(owner, acme_candidate):
    html = speaking(owner, "de").get("/acme/candidates/").content.decode()
    page = text_of(html)
    for german in ("Kandidat*innen", "Kandidat*in hinzufügen", "Alle Stellen", "Alle Phasen",
                   "Name E-Mail Stelle Phase Zeitzone", "Beworben", "1 Kandidat*in"):
        assert german in page, german
    assert 'placeholder="Nach Name, E-Mail oder Telefon suchen"' in html
    assert "Add candidate" not in page


def test_a_german_member_reads_the_candidate_page_in_german_with_german_dates(owner, acme_candidate):
    added_on(acme_candidate, WHEN)
    page = text_of(speaking(owner, "de").get(f"/acme/candidates/{acme_candidate.pk}/").content.decode())
    for german in ("Kontakt", "Telefon", "Stelle", "Notizen", "Noch keine Notizen.", "Bearbeiten", "Löschen",
                   "Sprache English (Standard des Unternehmens)", "Hinzugefügt 1. Dezember 2020"):
        assert german in page, german


def test_a_german_member_reads_the_job_pipeline_in_german(owner, acme_job, acme_candidate):
    added_on(acme_candidate, WHEN)
    page = speaking(owner, "de").get(f"/acme/jobs/{acme_job.pk}/pipeline/").content.decode()
    headings = re.findall(r'<h2 class="pipeline-column-title"[^>]*>\s*<span>([^<]+)</span>', page)
    assert headings == ["Beworben", "Vorauswahl", "Vorstellungsgespräch", "Angebot", "Eingestellt", "Abgelehnt"]
    assert 'aria-label="Wile E. Coyote verschieben nach"' in page
    card_date = r'<time datetime="2020-12-01T10:00:00\+00:00" title="01.12.2020, 10:00">01.12.2020</time>'
    assert re.search(r"Beworben\s*" + card_date, page)
    assert "Keine Kandidat*innen" in page and "Verschieben nach" in page


def test_a_german_member_reads_a_pipeline_move_in_german(owner, acme_job, acme_candidate):
    client = speaking(owner, "de")
    response = client.post(f"/acme/jobs/{acme_job.pk}/pipeline/{acme_candidate.pk}/move/", {"stage": "interview"},
                           HTTP_HX_REQUEST="true")
    assert "Wile E. Coyote wurde von „Beworben“ nach „Vorstellungsgespräch“ verschoben." in response.content.decode()
    # The audit trail is a record in one language, whoever reads it.
    with across_tenants("test setup"):
        [entry] = AuditEntry.objects.filter(action="candidate.stage_changed")
    assert entry.summary.endswith("moved Wile E. Coyote from Applied to Interview")


def test_a_german_member_reads_the_team_page_in_german(owner, teammate):
    with across_tenants("test setup"):  # expired already: the page says so instead of a date
        Invitation.objects.create(company=owner.company, email="new@acme.test", role="interviewer",
                                  invited_by=owner.user, expires_at=WHEN)
    page = text_of(speaking(owner, "de").get("/acme/team/").content.decode())
    for german in ("Team", "Name E-Mail Rolle Gesprächsgrenzen", "(Sie)", "Keine Begrenzung", "Recruiter*in",
                   "Offene Einladungen", "Interviewer*in Abgelaufen", "Jemanden einladen", "Einladung senden"):
        assert german in page, german


def test_a_german_member_sees_the_invitation_expiry_in_german_dates(owner, acme):
    later = datetime(2030, 12, 3, 9, 30, tzinfo=UTC)
    with across_tenants("test setup"):
        Invitation.objects.create(company=acme, email="new@acme.test", role="interviewer", invited_by=owner.user,
                                  expires_at=later)
    assert "03.12.2030, 09:30" in speaking(owner, "de").get("/acme/team/").content.decode()
    assert "3 Dec 2030, 09:30" in speaking(owner, "en").get("/acme/team/").content.decode()


def test_a_german_admin_reads_the_settings_page_in_german(owner):
    page = speaking(owner, "de").get("/acme/settings/").content.decode()
    for german in ("<h1>Einstellungen</h1>", "Name des Unternehmens", "Zeitzone", "Standardsprache",
                   "— nicht verschieben —", "Allgemein", "Protokoll", ">Speichern</button>"):
        assert german in page, german
    assert '<option value="en" selected>English</option>' in page


def test_a_german_member_reads_form_errors_in_german(owner):
    response = speaking(owner, "de").post("/acme/my-hours/", {"work_start": "17:00", "work_end": "09:00"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Wählen Sie mindestens einen Arbeitstag." in page
    assert "Das Ende muss nach dem Beginn liegen (Arbeitszeiten innerhalb eines Tages)." in page


def test_german_dates_are_written_the_german_way():
    with translation.override("de"):
        assert date_format(datetime(2026, 12, 1, 10, tzinfo=UTC), "DATETIME_FORMAT") == \
            "Dienstag, 1. Dezember 2026, 10:00 Uhr"
        assert date_format(WHEN, "DATETIME_FORMAT") == "Dienstag, 1. Dezember 2020, 10:00 Uhr"
        assert date_format(WHEN, "DATE_FORMAT") == "1. Dezember 2020"
        assert date_format(WHEN, "SHORT_DATETIME_FORMAT") == "01.12.2020, 10:00"
    with translation.override("en"):
        assert date_format(WHEN, "DATETIME_FORMAT") == "Tuesday, 1 December 2020, 10:00"
        assert date_format(WHEN, "SHORT_DATETIME_FORMAT") == "1 Dec 2020, 10:00"


# --- the company's default language and the candidate's -------------------------------------------------------


def settings_post(company: Company, **changes) -> dict:
    return {"name": company.name, "time_zone": company.time_zone, "candidate_change_cutoff_hours": "24",
            "candidate_max_reschedules": "2", "stage_on_schedule": "interview", **changes}


def test_an_admin_sets_the_companys_default_language_and_the_audit_log_says_so(owner_client, acme):
    response = owner_client.post("/acme/settings/", settings_post(acme, default_language="de"))
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.default_language == "de"
    with across_tenants("test setup"):
        [entry] = AuditEntry.objects.filter(company=acme, action="company.updated")
    assert entry.data == {"changed": ["default_language"]}
    assert '<option value="de" selected>Deutsch</option>' in owner_client.get("/acme/settings/").content.decode()


@pytest.mark.parametrize("language", ["fr", "", "Deutsch"])
def test_the_settings_refuse_a_default_language_not_offered(owner_client, acme, language):
    response = owner_client.post("/acme/settings/", settings_post(acme, default_language=language))
    assert response.status_code == 400
    acme.refresh_from_db()
    assert acme.default_language == "en"


def test_a_settings_form_without_the_language_keeps_it(owner_client, acme):
    acme.default_language = "de"
    acme.save()
    assert owner_client.post("/acme/settings/", settings_post(acme, name="Acme Corp")).status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.default_language) == ("Acme Corp", "de")


def test_new_candidates_take_the_companys_default_language(teammate_client, acme):
    acme.default_language = "de"
    acme.save()
    form = teammate_client.get("/acme/candidates/new/").content.decode()
    assert '<option value="" selected>Company default (Deutsch)</option>' in form

    response = teammate_client.post("/acme/candidates/new/", {**NEW_CANDIDATE, "language": ""})
    assert response.status_code == 302
    with across_tenants("test setup"):
        candidate = Candidate.objects.get(email="grace@example.com")
        assert candidate.language == "" and candidate_language(candidate) == "de"
    page = text_of(teammate_client.get(response["Location"]).content.decode())
    assert "Language Deutsch (the company’s default)" in page

    # Blank follows the company's default when it changes later.
    acme.default_language = "en"
    acme.save()
    with across_tenants("test setup"):
        assert candidate_language(Candidate.objects.get(pk=candidate.pk)) == "en"


def test_a_candidates_own_language_wins_over_the_companys(teammate_client, acme):
    acme.default_language = "de"
    acme.save()
    response = teammate_client.post("/acme/candidates/new/", {**NEW_CANDIDATE, "language": "en"})
    with across_tenants("test setup"):
        candidate = Candidate.objects.get(email="grace@example.com")
        assert candidate.language == "en" and candidate_language(candidate) == "en"
    page = text_of(teammate_client.get(response["Location"]).content.decode())
    assert "Language English" in page and "the company’s default" not in page

    teammate_client.post(f"/acme/candidates/{candidate.pk}/edit/", {**NEW_CANDIDATE, "language": "de"})
    with across_tenants("test setup"):
        assert Candidate.objects.get(pk=candidate.pk).language == "de"
        [entry] = AuditEntry.objects.filter(action="candidate.updated")
    assert entry.summary.endswith("changed the candidate Grace Hopper: language")


def test_a_candidate_form_without_the_language_keeps_it(teammate_client, acme_candidate):
    with across_tenants("test setup"):
        Candidate.objects.filter(pk=acme_candidate.pk).update(language="de")
    teammate_client.post(f"/acme/candidates/{acme_candidate.pk}/edit/", {**NEW_CANDIDATE, "full_name": "Wile"})
    with across_tenants("test setup"):
        assert Candidate.objects.get(pk=acme_candidate.pk).language == "de"


def test_a_candidate_language_not_offered_is_refused(teammate_client):
    response = teammate_client.post("/acme/candidates/new/", {**NEW_CANDIDATE, "language": "fr"})
    assert response.status_code == 400
    with across_tenants("test setup"):
        assert not Candidate.objects.filter(email="grace@example.com").exists()


def test_a_stored_language_no_longer_offered_falls_back_to_the_companys(acme, acme_candidate):
    with across_tenants("test setup"):
        Candidate.objects.filter(pk=acme_candidate.pk).update(language="fr")
        candidate = Candidate.objects.select_related("company").get(pk=acme_candidate.pk)
    assert candidate_language(candidate) == "en"
    Company.objects.filter(pk=acme.pk).update(default_language="xx")
    with across_tenants("test setup"):
        candidate = Candidate.objects.select_related("company").get(pk=acme_candidate.pk)
    assert candidate_language(candidate) == "en"
