"""Invite templates per language (issue 15): each message in its recipient's language. The candidate's in the
candidate's language, the interviewers' in the one the organizer chose (their own by default); dates in that
language's formats and the recipient's zone; the .ics SUMMARY and DESCRIPTION in the message's language; the company
edits each language's templates apart.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation
from django_scopes import scope

from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry
from scheduling import emails, services
from scheduling.defaults import DEFAULT_TEMPLATES, ENTRY_REPLACED_BY_LANGUAGE, GERMAN_TEMPLATES
from scheduling.ics import InviteError, build_invite
from scheduling.invite_templates import invite_template_save
from scheduling.models import Audience, InterviewKind, InviteTemplate, Purpose
from scheduling.placeholders import find_unknown
from scheduling.plan import Plan
from scheduling.reminders import reminders_send_due
from tests.conftest import table_owner

from .booking_fixtures import at, booking_day, no_booking_limits, send_link, start_param  # noqa: F401 (a fixture)
from .booking_fixtures import interviewer as booking_interviewer
from .helpers import all_messages_of, calendar_part, messages_of
from .parsers import Parser, parse_with_icalendar

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN)  # a Tuesday
URL = "/acme/settings/templates/"


@pytest.fixture
def german_candidate(acme_candidate) -> Candidate:
    with across_tenants("test setup"):
        acme_candidate.language, acme_candidate.time_zone = "de", "Europe/Berlin"
        acme_candidate.save()
    return acme_candidate


@pytest.fixture
def english_candidate(acme, acme_job, owner) -> Candidate:
    with across_tenants("test setup"):
        return Candidate.objects.create(company=acme, full_name="Road Runner", email="road.runner@acme-candidates.test",
                                        time_zone="Europe/Berlin", job=acme_job, created_by=owner.user,
                                        language="en")


@pytest.fixture
def berlin_interviewer(interviewer):
    interviewer.user.time_zone = "Europe/Berlin"
    interviewer.user.save()
    return interviewer


def plan_for(owner, candidate, interviewers=(), *, kind="interview", start=START) -> Plan:
    return Plan(kind=kind, title=f"{InterviewKind(kind).label}: Secret Rocket Engineer", start=start,
                end=start + timedelta(hours=1), time_zone="Europe/Berlin", candidate=candidate, job=candidate.job,
                organizer=owner, interviewers=list(interviewers), location="HQ, Raum 4")


def schedule(owner, candidate, interviewers=(), **kwargs):
    """As the wizard does once its step 2 starts from each recipient's language (emails.recipient_language)."""
    plan = plan_for(owner, candidate, interviewers, **kwargs)
    via = services.Channels(email=True)
    with scope(company=owner.company_id):
        wording = {a: emails.company_wording(owner.company, a, Purpose.INVITATION, emails.recipient_language(plan, a))
                   for a in Audience.values}
        return services.interview_schedule(plan=plan, candidate_via=via, interviewers_via=via,
                                           candidate_wording=wording[Audience.CANDIDATE],
                                           interviewers_wording=wording[Audience.INTERVIEWERS], actor=owner.user)


def test_it_writes_to_a_german_candidate_in_german_and_to_the_interviewers_in_the_organizers_english(
        owner, german_candidate, berlin_interviewer):
    interview = schedule(owner, german_candidate, [berlin_interviewer])
    sent = messages_of(interview)
    candidate, interviewers = sent["candidate"], sent["interviewers"]
    assert candidate.subject == "Vorstellungsgespräch bei Acme Inc.: Dienstag, 1. Dezember 2026 um 10:00 Uhr"
    assert candidate.text_body.startswith("Guten Tag Wile E. Coyote,\n\nvielen Dank für Ihr Interesse an der Stelle "
                                          "„Secret Rocket Engineer“.")
    assert "Was: Vorstellungsgespräch (1 Stunde)\n" in candidate.text_body
    assert "Wann: Dienstag, 1. Dezember 2026, 10:00–11:00 Uhr (Europe/Berlin (CET, UTC+01:00))\n" \
        in candidate.text_body
    assert "Mit freundlichen Grüßen\nOlivia Owner\nAcme Inc." in candidate.text_body
    assert interviewers.subject == ("Interview with Wile E. Coyote (Secret Rocket Engineer): Tuesday, 1 December 2026 "
                                    "at 10:00")
    assert "When: Tuesday, 1 December 2026, 10:00–11:00" in interviewers.text_body
    assert not re.search(r"Dienstag|Dezember|Guten|Uhr", interviewers.text_body + interviewers.subject)


def test_the_interviewers_email_follows_the_organizers_language(owner, acme_candidate, berlin_interviewer):
    owner.user.language = "de"
    owner.user.save()
    interview = schedule(owner, acme_candidate, [berlin_interviewer])  # the candidate: the company's English
    sent = messages_of(interview)
    assert sent["interviewers"].subject == ("Vorstellungsgespräch mit Wile E. Coyote (Secret Rocket Engineer): "
                                            "Dienstag, 1. Dezember 2026 um 10:00 Uhr")
    assert "Sie führen ein Vorstellungsgespräch mit Wile E. Coyote" in sent["interviewers"].text_body
    # The candidate's own zone (Phoenix) and language (the company's default, English).
    assert sent["candidate"].subject == "Interview with Acme Inc.: Tuesday, 1 December 2026 at 02:00"


def test_the_german_messages_ics_has_a_german_summary_and_icaljs_reads_it(owner, german_candidate,
                                                                         berlin_interviewer, icaljs: Parser):
    interview = schedule(owner, german_candidate, [berlin_interviewer])
    sent = messages_of(interview)
    german, english = calendar_part(sent["candidate"]), calendar_part(sent["interviewers"])
    assert b"SUMMARY;LANGUAGE=de:" in german and b"DESCRIPTION;LANGUAGE=de:" in german
    ours, theirs = parse_with_icalendar(german), icaljs(german, "Europe/Berlin")
    assert theirs["summary"] == ours["summary"] == "Vorstellungsgespräch: Secret Rocket Engineer"
    assert theirs["description"] == ours["description"] == sent["candidate"].text_body
    assert "Dienstag, 1. Dezember 2026" in theirs["description"]
    assert (theirs["startZone"], theirs["start"]) == ("UTC", datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("UTC")))
    assert theirs["uid"] == interview.ical_uid and theirs["method"] == "REQUEST"
    assert icaljs(english, "Europe/Berlin")["summary"] == "Interview: Secret Rocket Engineer"


def test_a_title_the_recruiter_wrote_is_never_translated(owner, german_candidate):
    plan = plan_for(owner, german_candidate)
    with across_tenants("test setup"):
        assert emails.values_for(plan, "Europe/Berlin", language="de")["event_title"] == \
            "Vorstellungsgespräch: Secret Rocket Engineer"
        plan.title = "Interview: our rocket"
        assert emails.values_for(plan, "Europe/Berlin", language="de")["event_title"] == "Interview: our rocket"


def test_a_companys_german_template_goes_to_german_candidates_and_the_english_one_to_english_candidates(
        owner, german_candidate, english_candidate):
    with across_tenants("test setup"):
        invite_template_save(company=owner.company, audience="candidate", purpose="invitation", language="de",
                             subject="Einladung am {event_date}", body="Hallo {candidate_name}, bis {event_time}.",
                             actor=owner.user)
        invite_template_save(company=owner.company, audience="candidate", purpose="invitation", language="en",
                             subject="Invitation on {event_date}", body="Hi {candidate_name}, see you at {event_time}.",
                             actor=owner.user)
    german = messages_of(schedule(owner, german_candidate))["candidate"]
    english = messages_of(schedule(owner, english_candidate))["candidate"]
    assert (german.subject, german.text_body) == ("Einladung am Dienstag, 1. Dezember 2026",
                                                  "Hallo Wile E. Coyote, bis 10:00.\n")
    assert (english.subject, english.text_body) == ("Invitation on Tuesday, 1 December 2026",
                                                    "Hi Road Runner, see you at 10:00.\n")


def test_the_cancellation_uses_the_candidates_language_template(owner, german_candidate, english_candidate):
    with across_tenants("test setup"):
        invite_template_save(company=owner.company, audience="candidate", purpose="cancellation", language="de",
                             subject="Abgesagt: {event_date}", body="Leider abgesagt.", actor=owner.user)
    for candidate, subject in ((german_candidate, "Abgesagt: Dienstag, 1. Dezember 2026"),
                               (english_candidate, "Cancelled: Interview with Acme Inc. on Tuesday, 1 December 2026")):
        interview = schedule(owner, candidate)
        with scope(company=owner.company_id):
            services.interview_cancel(interview=interview, actor=owner.user)
        with across_tenants("test setup"):
            cancelled = [m for m in all_messages_of(interview) if m.audience == "candidate"][-1]
        assert cancelled.subject == subject


def test_a_reschedule_tells_the_german_candidate_in_german_with_the_old_date(owner, german_candidate):
    interview = schedule(owner, german_candidate)
    moved = plan_for(owner, german_candidate, start=START + timedelta(days=1, hours=4))
    with scope(company=owner.company_id):
        services.interview_reschedule(interview=interview, plan=moved, actor=owner.user)
    update = [m for m in all_messages_of(interview) if m.audience == "candidate"][-1]
    assert update.subject == ("Neuer Termin für Ihr Vorstellungsgespräch bei Acme Inc.: Mittwoch, 2. Dezember 2026 "
                              "um 14:00 Uhr")
    assert "(bisher am Dienstag, 1. Dezember 2026 um 10:00 Uhr)" in update.text_body


def test_editing_the_german_template_never_changes_the_english_one(owner_client, owner):
    response = owner_client.post(f"{URL}?language=de&audience=candidate&purpose=invitation", {
        "subject": "Ihr Termin am {event_date}", "body": "Bis bald, {candidate_name}.", "action": "save"})
    assert response.status_code == 302 and "language=de" in response["Location"]
    with across_tenants("test setup"):
        assert list(InviteTemplate.objects.values_list("language", "subject")) == [
            ("de", "Ihr Termin am {event_date}")]
        assert emails.company_wording(owner.company, "candidate", "invitation", "en") == \
            emails.Wording(*DEFAULT_TEMPLATES[(Audience.CANDIDATE, Purpose.INVITATION)])
        assert emails.company_wording(owner.company, "candidate", "invitation") == \
            emails.Wording(*DEFAULT_TEMPLATES[(Audience.CANDIDATE, Purpose.INVITATION)])  # the company's default
    english = owner_client.get(f"{URL}?audience=candidate&purpose=invitation")
    assert english.context["form"]["subject"].value() == DEFAULT_TEMPLATES[("candidate", "invitation")][0]
    assert not english.context["is_custom"]
    german = owner_client.get(f"{URL}?language=de&audience=candidate&purpose=invitation")
    assert german.context["form"]["subject"].value() == "Ihr Termin am {event_date}" and german.context["is_custom"]
    page = german.content.decode()
    assert '(<span lang="de">Deutsch</span>)' in page and 'aria-current="page" href="?language=de&amp;' in page
    # The preview speaks the template's language: German sample dates.
    assert "Ihr Termin am Montag, 29. März 2027" in page
    log = owner_client.get("/acme/settings/audit/").content.decode()
    assert "customized the candidate invitation template (Deutsch)" in log


def test_it_resets_one_language_and_keeps_the_other(owner_client, owner):
    for language in ("en", "de"):
        owner_client.post(f"{URL}?language={language}&audience=interviewers&purpose=update",
                          {"subject": f"Moved {language}", "body": "Moved.", "action": "save"})
    owner_client.post(f"{URL}?language=de&audience=interviewers&purpose=update", {"action": "reset"})
    with across_tenants("test setup"):
        assert list(InviteTemplate.objects.values_list("language", "subject")) == [("en", "Moved en")]
        reset = AuditEntry.objects.get(action="template.reset")
        assert reset.summary.endswith("reset the interviewers update template (Deutsch) to the default wording")
    german = owner_client.get(f"{URL}?language=de&audience=interviewers&purpose=update")
    assert german.context["form"]["subject"].value() == GERMAN_TEMPLATES[("interviewers", "update")][0]


def test_the_company_default_language_comes_first_and_opens_first(owner_client, acme):
    acme.default_language = "de"
    acme.save()
    page = owner_client.get(URL)
    assert [tab["code"] for tab in page.context["language_tabs"]] == ["de", "en"]
    assert page.context["form"]["subject"].value() == GERMAN_TEMPLATES[("candidate", "invitation")][0]
    with across_tenants("test setup"):
        assert emails.company_wording(acme, "candidate", "invitation").subject == \
            GERMAN_TEMPLATES[("candidate", "invitation")][0]


def test_the_settings_page_ignores_a_language_it_does_not_offer(owner_client):
    page = owner_client.get(f"{URL}?language=xx&audience=candidate&purpose=invitation")
    assert page.status_code == 200 and page.context["language"] == "en"


def test_reminders_follow_the_candidates_language(owner, german_candidate, english_candidate):
    german = schedule(owner, german_candidate)
    english = schedule(owner, english_candidate)
    with across_tenants("test setup"):
        type(german).objects.filter(pk__in=[german.pk, english.pk]).update(updated_at=START - timedelta(days=3))
    with scope(company=owner.company_id):
        sent = reminders_send_due(company=owner.company, now=START - timedelta(hours=24))
    assert len(sent) == 2
    by_interview = {d.interview_id: d.message for d in sent}
    assert by_interview[german.pk].subject == ("Erinnerung: Vorstellungsgespräch bei Acme Inc. am Dienstag, "
                                               "1. Dezember 2026 um 10:00 Uhr")
    assert "wir möchten Sie an Ihr Vorstellungsgespräch" in by_interview[german.pk].text_body
    assert by_interview[english.pk].subject == ("Reminder: Interview with Acme Inc. on Tuesday, 1 December 2026 at "
                                                "10:00")


@pytest.mark.parametrize("kind", InterviewKind.values)
@pytest.mark.parametrize("use", [*GERMAN_TEMPLATES, "entry replaced"])
def test_the_german_defaults_read_well_for_every_type(owner, german_candidate, interviewer, kind, use):
    wording = ENTRY_REPLACED_BY_LANGUAGE["de"] if use == "entry replaced" else GERMAN_TEMPLATES[use]
    assert not find_unknown(wording[0] + wording[1])
    plan = plan_for(owner, german_candidate, [interviewer], kind=kind)
    plan.cancellation_reason, plan.cancellation_note = "Terminkonflikt", "Wir rufen Sie an."
    with across_tenants("test setup"):
        values = emails.values_for(plan, "Europe/Berlin", language="de",
                                   previous=(START - timedelta(days=1), START - timedelta(days=1, hours=-1)))
    values.update({"scheduling_link": "https://recruit.example.com/book/x/", "scheduling_deadline": "Freitag"})
    rendered = emails.render(emails.Wording(*wording), values)
    for text in (rendered.subject, rendered.text):
        assert ".." not in text and "{" not in text, text
        assert not re.search(r"\b(Hi|When|Where|with|your|the)\b", text), text  # no English left over
        assert not re.search(r"\b(du|dich|dir|dein)\b", text, re.IGNORECASE), text  # Sie-form only
        # A type in the middle of a sentence keeps German capitals ("Ihr Videogespräch", "Ihr telefonisches …").
        assert not re.search(r"(Ihr|ein) (vorstellungsgespräch|videogespräch)", text), text
    if kind == "phone_screen" and use == (Audience.CANDIDATE, Purpose.UPDATE):
        assert rendered.subject.startswith("Neuer Termin für Ihr telefonisches Vorgespräch bei Acme Inc.")


def test_dates_and_types_are_written_in_the_asked_language_whatever_the_active_one(owner, german_candidate):
    plan = plan_for(owner, german_candidate, kind="video_call")
    with across_tenants("test setup"), translation.override("de"):
        english = emails.values_for(plan, "Europe/Berlin", language="en")
    with across_tenants("test setup"):
        german = emails.values_for(plan, "Europe/Berlin", language="de")
    assert (english["event_date"], english["event_type"], english["event_type_lower"], english["event_duration"]) \
        == ("Tuesday, 1 December 2026", "Video call", "video call", "1 hour")
    assert (german["event_date"], german["event_type"], german["event_type_lower"], german["event_duration"]) \
        == ("Dienstag, 1. Dezember 2026", "Videogespräch", "Videogespräch", "1 Stunde")


def test_the_ics_refuses_a_language_that_is_not_a_tag():
    with pytest.raises(InviteError):
        build_invite(method="PUBLISH", uid="x@recruitee", sequence=0, start=START, end=START + timedelta(hours=1),
                     time_zone="Europe/Berlin", summary="S", description="D", location="", url=None,
                     organizer_email="o@acme.test", organizer_name="O", attendees=[], status="CONFIRMED",
                     language="de\nX-EVIL:1")


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_templates_written_before_languages_english():
    with table_owner():  # migrations are the owner's to run
        migrate_back_and_forth()


def migrate_back_and_forth():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("scheduling", "0011_invitation_calendar")], [("scheduling", "0012_invite_template_language")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    company = old.get_model("tenancy", "Company").objects.create(name="Acme Inc.", slug="acme-old",
                                                                  time_zone="Europe/Berlin", default_language="de")
    old.get_model("scheduling", "InviteTemplate").objects.create(company_id=company.pk, audience="candidate",
                                                                 purpose="invitation", subject="Hi", body="Hello.")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    rows = new.get_model("scheduling", "InviteTemplate").objects.filter(company_id=company.pk)
    assert list(rows.values_list("language", "subject")) == [("en", "Hi")]  # English words, a German company
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.usefixtures("no_booking_limits")
def test_a_german_candidate_who_books_through_a_scheduling_link_is_invited_in_german(owner, acme, german_candidate):
    day = booking_day()
    link = send_link(owner, german_candidate, panel=[booking_interviewer(acme, "Dana Dev")], day=day)
    start = start_param(at(day, "12:00"))
    response = Client().post(f"{link.url}confirm/?start={start}&tz=UTC", {"start": start, "tz": "UTC"})
    assert response.status_code == 303  # See Other: the booked page
    sent = messages_of(link.fresh().interview)
    assert sent["candidate"].subject.startswith("Vorstellungsgespräch bei Acme Inc.: ")
    assert sent["candidate"].subject.endswith(" Uhr") and "Guten Tag Wile E. Coyote" in sent["candidate"].text_body
    assert sent["interviewers"].subject.startswith("Interview with Wile E. Coyote")
