"""The default wording reads well for any company name and event type: no "Acme Inc..", no "a Interview", no
"your Interview"; and the words on the pages are the ones people expect."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Company
from scheduling import emails
from scheduling.defaults import DEFAULT_TEMPLATES, ENTRY_REPLACED
from scheduling.invite_templates import invite_template_save
from scheduling.models import Audience, InterviewKind, Purpose
from scheduling.placeholders import PLACEHOLDERS
from scheduling.plan import Plan

from .helpers import messages_of, schedule

pytestmark = pytest.mark.django_db

LABELS = "|".join(re.escape(str(label)) for label in InterviewKind.labels)
# A type's label after a word or a comma is in the middle of a sentence ("your Interview", "a Video call");
# after a colon, a parenthesis or at the start of a line it starts a subject, a line or a title.
MID_SENTENCE = re.compile(rf"[a-z,] (?:{LABELS})\b")
ARTICLE = re.compile(r"\b[Aa] [AEIOUaeiou]")
WORDINGS = [*DEFAULT_TEMPLATES.items(), (("any", "entry replaced"), ENTRY_REPLACED)]


def _plan(company: Company, owner, candidate, interviewer, kind: str) -> Plan:
    zone = ZoneInfo("Europe/Berlin")
    return Plan(kind=kind, title=f"{InterviewKind(kind).label}: Backend Engineer",
                start=datetime(2030, 6, 12, 14, tzinfo=zone), end=datetime(2030, 6, 12, 15, tzinfo=zone),
                time_zone="Europe/Berlin", candidate=candidate, job=candidate.job, organizer=owner,
                interviewers=[interviewer], location="Acme Inc., Main Street 1", note="Bring an ID.",
                cancellation_reason="Scheduling conflict", cancellation_note="We will call you.")


@pytest.mark.parametrize("kind", InterviewKind.values)
@pytest.mark.parametrize(("use", "wording"), WORDINGS, ids=[f"{a}-{p}" for (a, p), _w in WORDINGS])
def test_it_reads_well_for_acme_inc_and_every_type(acme, owner, acme_candidate, interviewer, kind, use, wording):
    assert acme.name == "Acme Inc."
    with across_tenants("test setup"):
        values = emails.values_for(_plan(acme, owner, acme_candidate, interviewer, kind), "Europe/Berlin",
                                   previous=(datetime(2030, 6, 10, 9, tzinfo=ZoneInfo("UTC")),
                                             datetime(2030, 6, 10, 10, tzinfo=ZoneInfo("UTC"))))
    values.update({"scheduling_link": "https://recruit.example.com/book/x/", "scheduling_deadline": "Friday"})
    rendered = emails.render(emails.Wording(*wording), values)
    for text in (rendered.subject, rendered.text):
        assert ".." not in text, text
        assert not ARTICLE.search(text), text
        assert not MID_SENTENCE.search(text), text
    if use[0] == Audience.CANDIDATE:
        assert "Acme Inc." in rendered.text  # the name was there to be tripped over


def test_it_offers_the_type_in_small_letters_for_sentences(acme, owner, acme_candidate, interviewer):
    assert PLACEHOLDERS["event_type_lower"].sample == PLACEHOLDERS["event_type"].sample.lower()
    with across_tenants("test setup"):
        values = emails.values_for(_plan(acme, owner, acme_candidate, interviewer, "on_site"), "Europe/Berlin")
    assert (values["event_type"], values["event_type_lower"]) == ("On-site interview", "on-site interview")
    rendered = emails.render(emails.Wording(*DEFAULT_TEMPLATES[(Audience.CANDIDATE, Purpose.UPDATE)]), values)
    assert rendered.subject.startswith("New time for your on-site interview with Acme Inc.: Wednesday")


def test_the_invitation_a_candidate_reads(owner_client, acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"kind": "on_site"})
    message = messages_of(interview)["candidate"]
    assert message.subject == "On-site interview with Acme Inc.: Wednesday, 12 June 2030 at 05:00"
    assert "thank you for your interest in the Secret Rocket Engineer position. We at Acme Inc. would like to " \
           "meet you:" in message.text_body
    assert "What: On-site interview (1 hour)" in message.text_body
    assert ".." not in message.text_body and not ARTICLE.search(message.text_body)


def test_a_companys_own_templates_are_not_rewritten(acme, owner):
    with across_tenants("test setup"):
        invite_template_save(company=acme, audience="candidate", purpose="invitation", actor=owner.user,
                             subject="Your {event_type} with {company_name}.", body="We invite you to a {event_type}.")
        wording = emails.company_wording(acme, "candidate", "invitation")
    assert wording == emails.Wording("Your {event_type} with {company_name}.", "We invite you to a {event_type}.")


def test_the_candidate_page_says_schedule_interview(owner_client, interviewer_client, acme_candidate):
    page = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/").content.decode()
    assert ">Schedule interview</a>" in page and ">Schedule event</a>" not in page
    assert "Schedule interview" not in interviewer_client.get(f"/acme/candidates/{acme_candidate.pk}/").content.decode()


def test_the_interview_page_keeps_calendar_words_behind_details(owner_client, acme_candidate):
    interview = schedule(owner_client, acme_candidate)
    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    seen, hidden = page.split('<details class="mt-3" data-testid="technical-details">')
    hidden = hidden.split("</details>")[0]
    assert "<summary" in hidden and ">Details</summary>" in hidden
    for word in ("Calendar UID", interview.ical_uid, "Sequence"):
        assert word in hidden and word not in seen
    assert "sequence" not in seen.lower().split("<main")[-1]
