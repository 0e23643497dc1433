"""The audit trail in its reader's language: an interview's history and Settings → Audit log say each entry in the
member's language and time zone, from what the entry stored; older entries show their English summary; every action
the code writes has its sentence. Also the language of what the product itself writes for a member: a message's
failure reason in its sender's language, and which language the interviewers' email was written in."""

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django_scopes import scope

from calendars.providers.base import Account, Grant, ProviderCalendar, TokenSet
from calendars.services import connection_store
from mailbox.models import Message
from recruitee.recruiting.models import Candidate
from recruitee.recruiting.services import job_create
from recruitee.tenancy.audit_sentences import said_actions
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry, Company, Role
from recruitee.tenancy.services import audit_record
from scheduling.answers import answers_store
from scheduling.models import Interview

from .conftest import client_for, make_member
from .mailbox.factories import send_to_candidate
from .mailbox.smtp_server import SMTPTestServer, free_port
from .scheduling.helpers import schedule

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
REASON = "The position has been filled"


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.deactivate()


def reading(membership, language: str, zone: str = "Europe/Berlin"):
    """A client for the member, who reads `language` in `zone`."""
    user = membership.user
    user.language, user.time_zone = language, zone
    user.save(update_fields=["language", "time_zone"])
    return client_for(membership)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def history(client, interview: Interview) -> list[str]:
    """The lines of the interview page's History card, newest first, as a reader sees them."""
    page = client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    # Each line: when it was recorded · what happened, by whom.
    return [text_of(item).split(" · ", 1)[1] for item in re.findall(r'<li class="mb-1">(.*?)</li>', page, re.S)]


def audit_log(client) -> list[str]:
    page = client.get("/acme/settings/audit/").content.decode()
    return [text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)][1:]


def reschedule(client, interview: Interview) -> None:
    with across_tenants("test setup"):
        interviewers = [p.member_id for p in interview.participants.all() if p.role == "interviewer"]
    response = client.post(f"/acme/interviews/{interview.pk}/reschedule/", {
        "kind": interview.kind, "title": interview.title, "date": "2030-06-13", "start_time": "09:30",
        "duration": "45", "time_zone": "Europe/Berlin", "location": interview.location,
        "interviewers": interviewers})
    assert response.status_code == 302


@pytest.fixture
def lived(owner_client, owner, interviewer, acme_candidate) -> Interview:
    """Scheduled (Wednesday 12 June 2030, 14:00 in Berlin) by Olivia Owner, who reads English; accepted by the
    interviewer; moved to Thursday 13 June 09:30; cancelled with a reason."""
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    with scope(company=owner.company):
        answers_store(interview=interview, attendees=[{"email": interviewer.user.email, "response": "accepted"}])
    reschedule(owner_client, interview)
    response = owner_client.post(f"/acme/interviews/{interview.pk}/cancel/", {"reason": REASON})
    assert response.status_code == 302
    return interview


def connect_google(member) -> None:
    grant = Grant(tokens=TokenSet(access_token="a", refresh_token="r", expires_at=None),
                  account=Account(account_id="g-1", email="olivia@gmail.test"))
    with scope(company=member.company):
        connection_store(member=member, provider="google", grant=grant,
                         calendars=[ProviderCalendar(calendar_id="primary", name="Olivia", is_primary=True)])


# --- the interview's history and the audit log --------------------------------------------------------------------


def test_a_german_member_reads_the_interviews_history_in_german(lived, owner):
    lines = history(reading(owner, "de"), lived)
    assert lines == [
        "Abgesagt: „The position has been filled“ von Olivia Owner",
        "Verschoben von Mittwoch, 12. Juni 2030, 14:00 Uhr auf Donnerstag, 13. Juni 2030, 09:30 Uhr "
        "(Europe/Berlin) von Olivia Owner",
        "Ivan Interviewer hat zugesagt",
        "Geplant für Mittwoch, 12. Juni 2030, 14:00 Uhr (Europe/Berlin) von Olivia Owner",
    ], lines


def test_an_english_member_reads_the_same_history_in_english(lived, owner):
    lines = history(reading(owner, "en"), lived)
    assert lines == [
        f"Cancelled: “{REASON}” by Olivia Owner",
        "Rescheduled from Wednesday, 12 June 2030, 14:00 to Thursday, 13 June 2030, 09:30 (Europe/Berlin) "
        "by Olivia Owner",
        "Ivan Interviewer accepted",
        "Scheduled for Wednesday, 12 June 2030, 14:00 (Europe/Berlin) by Olivia Owner",
    ], lines


def test_times_are_told_in_the_readers_zone(lived, owner):
    lines = history(reading(owner, "en", zone="America/New_York"), lived)
    assert lines[-1] == "Scheduled for Wednesday, 12 June 2030, 08:00 (America/New_York) by Olivia Owner"


def test_a_german_admin_reads_the_audit_log_in_german(lived, owner):
    connect_google(owner)
    log = audit_log(reading(owner, "de"))
    title = f"{lived.title} mit Wile E. Coyote"
    for line in (f"Olivia Owner {title}: Abgesagt: „{REASON}“",
                 f"System {title}: Ivan Interviewer hat zugesagt",
                 f"Olivia Owner {title}: Geplant für Mittwoch, 12. Juni 2030, 14:00 Uhr (Europe/Berlin)",
                 "Olivia Owner Olivia Owner hat Google Kalender · olivia@gmail.test verbunden"):
        assert any(row.endswith(line) for row in log), (line, log)
    assert any(f"{title}: Verschoben von Mittwoch, 12. Juni 2030, 14:00 Uhr auf Donnerstag" in row for row in log)


def test_an_english_admin_reads_the_audit_log_in_english(lived, owner):
    connect_google(owner)
    log = audit_log(reading(owner, "en"))
    title = f"{lived.title} with Wile E. Coyote"
    for line in (f"Olivia Owner {title}: Cancelled: “{REASON}”",
                 f"Olivia Owner {title}: Scheduled for Wednesday, 12 June 2030, 14:00 (Europe/Berlin)",
                 "Olivia Owner Olivia Owner connected Google Calendar · olivia@gmail.test"):
        assert any(row.endswith(line) for row in log), (line, log)


def test_the_stored_summary_stays_an_english_record(lived, owner):
    reading(owner, "de").get(f"/acme/interviews/{lived.pk}/")
    with across_tenants("test setup"):
        entry = AuditEntry.objects.get(action="interview.cancelled")
    assert entry.summary == f"{lived.title} with Wile E. Coyote: Cancelled: “{REASON}”"


def test_an_older_entry_without_the_data_shows_its_summary(owner, acme_candidate, lived):
    with across_tenants("test setup"):
        AuditEntry.objects.filter(company=owner.company).delete()
        AuditEntry.objects.create(company=owner.company, actor=owner.user, action="interview.scheduled",
                                  target_type="scheduling.interview", target_id=lived.pk,
                                  summary="Old talk with Wile E. Coyote: Scheduled for Tue 1 Dec 2026 10:00",
                                  data={"detail": "Scheduled for Tue 1 Dec 2026 10:00", "by": ""})
        AuditEntry.objects.create(company=owner.company, actor=owner.user, action="job.created",
                                  summary="Olivia Owner created the job Rocket Pilot", data={"job_id": 1})
    german = reading(owner, "de")
    assert history(german, lived) == ["Scheduled for Tue 1 Dec 2026 10:00 von Olivia Owner"]
    log = audit_log(german)
    assert any(row.endswith("Old talk with Wile E. Coyote: Scheduled for Tue 1 Dec 2026 10:00") for row in log)
    assert any(row.endswith("Olivia Owner created the job Rocket Pilot") for row in log)


def test_names_in_a_sentence_are_escaped(owner):
    with scope(company=owner.company):
        job_create(company=owner.company, actor=owner.user, title="<script>alert(1)</script>")
    page = reading(owner, "de").get("/acme/settings/audit/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_a_team_change_reads_in_german(owner, teammate):
    reading(owner, "de").post(f"/acme/team/members/{teammate.pk}/role/", {"role": Role.INTERVIEWER})
    log = audit_log(reading(owner, "de"))
    assert any(row.endswith("Olivia Owner hat die Rolle von Terry Teammate von „Recruiter*in“ in "
                            "„Interviewer*in“ geändert") for row in log), log


# --- every action has its sentence -----------------------------------------------------------------------------


def _strings(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _strings(node.body), _strings(node.orelse)
        return body + orelse if body is not None and orelse is not None else None
    return None


class _Module:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        self.tree = ast.parse(path.read_text())
        self.parents = {child: parent for parent in ast.walk(self.tree) for child in ast.iter_child_nodes(parent)}

    def function_of(self, node: ast.AST) -> ast.FunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    def values_of(self, name: str, at: ast.AST) -> list[str] | None:
        """The strings a variable in an f-string can hold: a parameter of the enclosing function (what its callers
        in this module pass), or a local assigned from string literals."""
        function = self.function_of(at)
        if function is None:
            return None
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                return _strings(node.value)
        parameters = [a.arg for a in function.args.posonlyargs + function.args.args]
        if name not in parameters and name not in [a.arg for a in function.args.kwonlyargs]:
            return None
        found: list[str] = []
        for call in ast.walk(self.tree):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == function.name):
                continue
            given = [k.value for k in call.keywords if k.arg == name]
            if not given and name in parameters and parameters.index(name) < len(call.args):
                given = [call.args[parameters.index(name)]]
            values = _strings(given[0]) if given else None
            if values is None:
                return None
            found += values
        return found or None

    def actions(self, action: ast.expr) -> list[str] | None:
        if isinstance(action, ast.Name):  # a constant of this module, or imported into it
            value = getattr(importlib.import_module(self.name), action.id, None)
            return [value] if isinstance(value, str) else None
        if isinstance(action, ast.JoinedStr):
            prefix = "".join(part.value for part in action.values if isinstance(part, ast.Constant))
            variables = [part.value for part in action.values if isinstance(part, ast.FormattedValue)]
            if len(variables) != 1 or not isinstance(variables[0], ast.Name) or not isinstance(
                    action.values[-1], ast.FormattedValue):
                return None
            values = self.values_of(variables[0].id, action)
            return [prefix + value for value in values] if values is not None else None
        return _strings(action)


def written_actions() -> tuple[dict[str, str], list[str]]:
    """Every action an audit_record call in the code writes ({action: where}), and the calls it could not read."""
    found, unread = {}, []
    for package in ("recruitee", "mailbox", "calendars", "scheduling"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts or "sandbox" in path.parts:
                continue
            module = _Module(path)
            for call in ast.walk(module.tree):
                if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "audit_record"):
                    continue
                [action] = [k.value for k in call.keywords if k.arg == "action"] or [None]
                where = f"{path.relative_to(ROOT)}:{call.lineno}"
                values = module.actions(action) if action is not None else None
                if values is None:
                    unread.append(where)
                for value in values or []:
                    found.setdefault(value, where)
    return found, unread


def test_every_action_written_in_the_code_has_a_sentence():
    written, unread = written_actions()
    assert not unread, f"Actions this test cannot read (use a literal, a constant or f'prefix.{{kind}}'): {unread}"
    assert {"interview.scheduled", "interview.rescheduled", "interview.edited", "interview.cancelled",
            "interview.answered", "calendar.connected", "calendar.reconnected", "candidate.stage_changed",
            "scheduling_link.booked", "tokens.rotated"} <= set(written)
    missing = {action: where for action, where in written.items() if action not in said_actions()}
    assert not missing, f"Written without a sentence (see recruitee/tenancy/audit_sentences.py): {missing}"
    assert not said_actions() - set(written), "Sentences for actions nothing writes any more"


def test_an_unknown_action_is_refused_where_it_is_written(settings, acme):
    settings.AUDIT_ACTIONS_STRICT = True
    with scope(company=acme), pytest.raises(ImproperlyConfigured, match="nobody.knows"):
        audit_record(company=acme, actor=None, action="nobody.knows", summary="Something happened")
    settings.AUDIT_ACTIONS_STRICT = False
    with scope(company=acme):
        entry = audit_record(company=acme, actor=None, action="nobody.knows", summary="Something happened")
    assert entry.summary == "Something happened"


# --- a message's failure, in its sender's language -------------------------------------------------------------


def test_a_german_senders_failed_message_says_why_in_german(settings, owner, acme_candidate,
                                                              django_capture_on_commit_callbacks):
    for name, value in SMTPTestServer(port=free_port()).settings().items():  # nothing listens there
        setattr(settings, name, value)
    german = reading(owner, "de")
    with django_capture_on_commit_callbacks(execute=True):
        message = send_to_candidate(owner, acme_candidate)
    with across_tenants("test setup"):
        message = Message.objects.get(pk=message.pk)
    reason = "Der Mailserver war nicht erreichbar (Verbindung abgelehnt). Nach 3 Versuchen aufgegeben."
    assert (message.status, message.last_error) == (Message.Status.FAILED, reason)
    assert reason in german.get("/acme/mailbox/sent/").content.decode()


def test_an_english_senders_failed_message_says_why_in_english(settings, owner, acme_candidate,
                                                                 django_capture_on_commit_callbacks):
    for name, value in SMTPTestServer(port=free_port()).settings().items():
        setattr(settings, name, value)
    reading(owner, "en")
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):  # whatever the worker speaks
        message = send_to_candidate(owner, acme_candidate)
    with across_tenants("test setup"):
        assert Message.objects.get(pk=message.pk).last_error == (
            "The mail server could not be reached (connection refused). Gave up after 3 attempts.")


# --- the language of the interviewers' email -------------------------------------------------------------------


def interviewers_language_line(client, interview: Interview) -> str | None:
    page = client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    found = re.search(r'<p[^>]*data-testid="interviewers-language"[^>]*>(.*?)</p>', page, re.S)
    return text_of(found.group(1)) if found else None


def test_the_interview_page_names_the_interviewers_language_where_the_company_uses_two(
        owner_client, owner, interviewer, acme_candidate):
    with across_tenants("test setup"):
        Candidate.objects.filter(pk=acme_candidate.pk).update(language="de")
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]},
                         interviewers_language="en")
    assert interviewers_language_line(owner_client, interview) == "Language of the email to the interviewers: English"
    assert interviewers_language_line(reading(owner, "de"), interview) == \
        "Sprache der E-Mail an die Interviewer*innen: English"
    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert '<span lang="en">English</span>' in page


def test_the_interview_page_says_nothing_of_languages_where_the_company_uses_one(
        owner_client, interviewer, acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    assert interviewers_language_line(owner_client, interview) is None


def test_a_member_who_reads_another_language_makes_it_two(owner_client, interviewer, acme_candidate):
    with across_tenants("test setup"):
        Company.objects.filter(pk=acme_candidate.company_id).update(default_language="en")
    make_member(acme_candidate.company, "dora@acme.test", Role.RECRUITER, "Dora Deutsch").user.__class__.objects \
        .filter(email="dora@acme.test").update(language="de")
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    assert interviewers_language_line(owner_client, interview) == "Language of the email to the interviewers: English"


def test_an_interview_without_interviewers_says_nothing_of_their_language(owner_client, acme_candidate):
    with across_tenants("test setup"):
        Candidate.objects.filter(pk=acme_candidate.pk).update(language="de")
    interview = schedule(owner_client, acme_candidate)
    assert interviewers_language_line(owner_client, interview) is None

