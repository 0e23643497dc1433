"""No name, subject or title a person types can add a header to an email we send.

Python's email package turns more than CR and LF into line breaks when it writes a header (see recruitee.text):
the forms refuse all of them, and the mail builder cleans them again for rows that never went through a form.
"""

import email
import email.policy
import importlib
import inspect
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django_scopes import scope

from mailbox.addresses import Address
from mailbox.mime import build_email
from mailbox.models import Message
from mailbox.services import message_send
from recruitee.accounts.models import User
from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from recruitee.text import one_line
from recruitee.validators import validate_no_line_breaks

pytestmark = pytest.mark.django_db

# Every character that str.splitlines() splits on, and a few other control characters.
LINE_BREAKERS = ["\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
OTHER_CONTROLS = ["\x00", "\x01", "\x1f", "\x7f", "\t"]
HOSTILE = LINE_BREAKERS + OTHER_CONTROLS
STORABLE = [c for c in HOSTILE if c != "\x00"]  # PostgreSQL cannot store NUL in text: no old row holds one
REFUSED = "Line breaks and control characters are not allowed here."


def parsed(message: Message) -> email.message.EmailMessage:
    with across_tenants("test setup"):
        parts = list(message.attachments.all())
    raw = build_email(message, parts).message().as_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


@pytest.mark.parametrize("character", HOSTILE, ids=[f"U+{ord(c):04X}" for c in HOSTILE])
def test_it_refuses_every_line_breaking_or_control_character_in_single_line_text(character) -> None:
    with pytest.raises(ValidationError):
        validate_no_line_breaks(f"Hello{character}Bcc: x@evil.test")
    assert "\n" not in one_line(f"Ivy{character}Reply-To : attacker@evil.test")
    assert len(one_line(f"Ivy{character}Reply-To : attacker@evil.test").splitlines()) == 1


def test_it_keeps_ordinary_names_as_they_are() -> None:
    for name in ["Zoë O’Brien-Łukasiewicz", "李小龍", "محمد", "Ana\u200dMaria", "José 🎉"]:
        validate_no_line_breaks(name)
        assert one_line(name) == name


# --- every single-line field of every form ----------------------------------------------------------------------

def _project_forms() -> list[type[forms.BaseForm]]:
    """Every form class defined in our apps' modules (forms.py, and views that define their own)."""
    root = Path(__file__).resolve().parents[2]
    found = {}
    for package in ["recruitee", "calendars", "mailbox", "scheduling"]:
        for path in (root / package).rglob("*.py"):
            if "migrations" in path.parts or "sandbox" in path.parts or path.name not in {"forms.py", "views.py"}:
                continue
            module = importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
            for _, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                    found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


def _single_line_text_fields() -> list[tuple[str, forms.Form, str]]:
    fields = []
    for form in _project_forms():
        for name, field in form.base_fields.items():
            if not isinstance(field, forms.CharField) or isinstance(field, forms.URLField):
                continue  # links are checked by URL validation; none of them reaches a header
            if isinstance(field.widget, forms.Textarea | forms.PasswordInput | forms.HiddenInput):
                continue
            fields.append((f"{form.__module__}.{form.__qualname__}.{name}", form, name))
    return fields


def _clean(form: type[forms.BaseForm], name: str, value: str) -> None:
    """What the form checks for that field: its own validation, and a model form's model field validators."""
    form.base_fields[name].clean(value)
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is not None and name in {f.name for f in model._meta.get_fields()}:
        model._meta.get_field(name).run_validators(value)


SINGLE_LINE_FIELDS = _single_line_text_fields()


def test_the_walk_finds_the_forms_people_type_names_and_subjects_into() -> None:
    names = {name for name, _, _ in SINGLE_LINE_FIELDS}
    for expected in ["recruitee.accounts.views.ProfileForm.full_name", "mailbox.forms.ComposeForm.subject",
                     "recruitee.recruiting.forms.CandidateForm.full_name", "scheduling.forms.ScheduleForm.title",
                     "scheduling.forms.InviteForm.candidate_subject", "recruitee.tenancy.forms.CompanyForm.name"]:
        assert expected in names


@pytest.mark.parametrize(("name", "form", "field"), SINGLE_LINE_FIELDS, ids=[name for name, _, _ in SINGLE_LINE_FIELDS])
def test_every_single_line_text_field_refuses_line_breaks_and_control_characters(name, form, field) -> None:
    sample = '"a b"@example.com' if isinstance(form.base_fields[field], forms.EmailField) else "Hello there"
    for character in HOSTILE:
        with pytest.raises(ValidationError):
            _clean(form, field, sample.replace(" ", character))


# --- through the pages people use -------------------------------------------------------------------------------

@pytest.mark.parametrize("character", HOSTILE, ids=[f"U+{ord(c):04X}" for c in HOSTILE])
def test_the_profile_refuses_a_name_that_would_add_a_header(owner, owner_client, character) -> None:
    response = owner_client.post("/accounts/profile/", {"full_name": f"Ivy{character}Reply-To : attacker@evil.test",
                                                       "time_zone": "Europe/Berlin"})
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    owner.user.refresh_from_db()
    assert owner.user.full_name == "Olivia Owner"


@pytest.mark.parametrize("character", HOSTILE, ids=[f"U+{ord(c):04X}" for c in HOSTILE])
def test_compose_refuses_a_subject_that_would_add_a_header_and_keeps_the_text(
    teammate_client, acme_candidate, character
) -> None:
    response = teammate_client.post(f"/acme/mailbox/compose/{acme_candidate.pk}/", {
        "subject": f"Hello{character}X-Injected : 1", "body": "My carefully written message.",
    })
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert REFUSED in page and "My carefully written message." in page
    with across_tenants("test setup"):
        assert not Message.objects.exists()


def test_the_candidate_form_refuses_a_name_that_would_add_a_header(teammate_client, acme_job) -> None:
    response = teammate_client.post("/acme/candidates/new/", {
        "full_name": "Mallory\x0bBcc: everyone@example.com", "email": "mallory@example.com",
        "job": acme_job.pk, "stage": "applied", "time_zone": "Europe/Berlin",
    })
    assert REFUSED in response.content.decode()
    with across_tenants("test setup"):
        assert not Candidate.objects.filter(email="mallory@example.com").exists()


# --- the mail builder, for rows that never saw a form -----------------------------------------------------------

def test_a_name_saved_before_the_rule_reaches_the_to_header_as_one_harmless_name(owner, acme, interviewer) -> None:
    User.objects.filter(pk=interviewer.user.pk).update(full_name="Ivy\x0bReply-To : attacker@evil.test")
    interviewer.user.refresh_from_db()
    with scope(company=acme):
        message = message_send(
            company=acme, sender=owner, audience=Message.Audience.INTERVIEWERS,
            to=[Address(email=interviewer.user.email, name=interviewer.user.full_name)],
            subject="Interview with Wile", text="See you.",
        )
    sent = parsed(message)
    assert sent.get_all("Reply-To") == ["Olivia Owner <owner@acme.test>"]
    assert sent["To"].addresses[0].addr_spec == "interviewer@acme.test"
    assert len(sent["To"].addresses) == 1


@pytest.mark.parametrize("character", STORABLE, ids=[f"U+{ord(c):04X}" for c in STORABLE])
def test_the_builder_cleans_a_subject_and_names_stored_before_the_rule(owner, acme, acme_candidate, character):
    with across_tenants("test setup"):
        message = Message.objects.create(
            company=acme, sender=owner, audience=Message.Audience.CANDIDATE, candidate=acme_candidate,
            from_name=f"Olivia{character}X-From-Injected: 1", from_email="no-reply@recruitee.local",
            to=[{"name": f"Wile{character}Bcc: x@evil.test", "email": acme_candidate.email}],
            reply_to=[{"name": "Olivia Owner", "email": "owner@acme.test"}],
            subject=f"Hello{character}X-Injected : 1", text_body="Hi.\n", html_body="<p>Hi.</p>",
        )
    sent = parsed(message)
    assert sent["X-Injected"] is None and sent["X-From-Injected"] is None and sent["Bcc"] is None
    assert sent["Subject"].startswith("Hello") and "X-Injected : 1" in sent["Subject"]
    assert [a.addr_spec for a in sent["To"].addresses] == [acme_candidate.email]


def test_the_message_source_page_shows_a_stored_bcc_subject_instead_of_failing(owner, owner_client, acme,
                                                                               acme_candidate) -> None:
    with across_tenants("test setup"):
        message = Message.objects.create(
            company=acme, sender=owner, audience=Message.Audience.CANDIDATE, candidate=acme_candidate,
            from_name="Olivia Owner", from_email="no-reply@recruitee.local",
            to=[{"name": "Wile", "email": acme_candidate.email}], reply_to=[],
            subject="Hello\x0bBcc: x", text_body="Hi.\n", html_body="<p>Hi.</p>",
        )
    response = owner_client.get(f"/acme/mailbox/messages/{message.pk}/source/")
    assert response.status_code == 200
    source = b"".join(response.streaming_content) if response.streaming else response.content
    headers = email.message_from_bytes(source, policy=email.policy.default)
    assert headers["Bcc"] is None and headers["Subject"] == "Hello Bcc: x"


@pytest.mark.parametrize("field", ["title", "location"])
def test_the_wizard_refuses_a_title_or_place_that_would_add_a_header(owner_client, acme_candidate, field) -> None:
    response = owner_client.post(f"/acme/candidates/{acme_candidate.pk}/schedule/", {
        "kind": "interview", "title": "", "date": "2030-06-12", "start_time": "14:00", "duration": "60",
        "time_zone": "Europe/Berlin", "invite_candidate": "on", "location": "HQ",
        field: "Interview\x1eBcc: everyone@example.com",
    })
    assert response.status_code in (200, 400)
    assert REFUSED in response.content.decode()
