"""Removing a member removes their access everywhere: their calendar grants are revoked at the provider and their
push channels closed, and the admin sees beforehand which upcoming interviews they take part in."""

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings

from calendars.models import CalendarConnection, PushChannel
from calendars.providers import get_provider
from calendars.providers.base import ReconnectNeeded
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry, Membership
from scheduling.models import Interview, Participant
from tests import sandbox_fixtures as sandbox_testing
from tests.calendars import conftest as calendar_fixtures
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect, connections
from tests.conftest import make_member

# The calendar tests' fixtures: a sandbox Google and Microsoft the app is pointed at.
sandbox, sandbox_server = sandbox_testing.sandbox, sandbox_testing.sandbox_server
providers, pushing = calendar_fixtures.providers, calendar_fixtures.pushing


def remove_url(member: Membership) -> str:
    return f"/{member.company.slug}/team/members/{member.pk}/remove/"


def audit_actions(company) -> list[str]:
    with across_tenants("test setup"):
        return list(AuditEntry.objects.filter(company=company).order_by("pk").values_list("action", flat=True))


@pytest.mark.django_db(transaction=True)
def test_it_revokes_the_grants_and_closes_the_channels_of_a_removed_member(pushing, owner_client, teammate,
                                                                          teammate_client):
    connect(teammate_client, "google", GOOGLE_ACCOUNT)
    connect(teammate_client, "microsoft", OUTLOOK_ACCOUNT)
    google = [c for c in connections() if c.provider == "google"][0]
    with across_tenants("test setup"):
        channels = {c.provider: c.channel_id for c in PushChannel.objects.all()}
    assert set(channels) == {"google", "microsoft"}
    # Before: the grant works at Google.
    assert get_provider("google").refresh(refresh_token=google.refresh_token).access_token

    response = owner_client.post(remove_url(teammate))

    assert response.status_code == 302
    with across_tenants("test setup"):
        assert not Membership.objects.filter(pk=teammate.pk).exists()
        assert not CalendarConnection.objects.exists() and not PushChannel.objects.exists()
    log = pushing.state.request_log()
    assert [r for r in log if r["path"] == "/revoke" and r["status"] == 200]
    assert [r for r in log if r["path"].endswith("/channels/stop") and r["status"] == 204]
    assert [r for r in log if r["method"] == "DELETE" and r["path"].endswith(f"/subscriptions/{channels['microsoft']}")
            and r["status"] == 204]
    with pytest.raises(ReconnectNeeded):  # the grant is dead at Google, not merely forgotten by us
        get_provider("google").refresh(refresh_token=google.refresh_token)
    # Audited as on the calendars page, then the removal itself.
    assert audit_actions(teammate.company)[-3:] == ["calendar.disconnected", "calendar.disconnected",
                                                    "membership.removed"]


@pytest.mark.django_db
def test_it_removes_the_member_even_when_the_provider_cannot_revoke(providers, owner_client, teammate,
                                                                   teammate_client):
    connect(teammate_client, "google", GOOGLE_ACCOUNT)
    providers.state.inject_fault(path=r"^/revoke$", status=503, count=None)
    assert owner_client.post(remove_url(teammate)).status_code == 302
    with across_tenants("test setup"):
        assert not Membership.objects.filter(pk=teammate.pk).exists()
    assert connections() == []
    assert [r for r in providers.state.request_log() if r["path"] == "/revoke" and r["status"] == 503]


@pytest.mark.django_db
def test_it_revokes_nothing_when_the_removal_is_refused(providers, owner_client, owner):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    response = owner_client.post(remove_url(owner), follow=True)
    assert b"last admin cannot be removed" in response.content
    assert [c.member_id for c in connections()] == [owner.pk]
    assert not [r for r in providers.state.request_log() if r["path"] == "/revoke"]
    assert "calendar.disconnected" not in audit_actions(owner.company)


def interview(company, candidate, title: str, start: datetime, *, interviewers=(), organizer=None,
              status=Interview.Status.SCHEDULED) -> Interview:
    with across_tenants("test setup"):
        row = Interview.objects.create(company=company, candidate=candidate, title=title, start=start,
                                       end=start + timedelta(hours=1), time_zone="Europe/Berlin", status=status,
                                       organizer=organizer)
        for member in interviewers:
            Participant.objects.create(company=company, interview=row, role=Participant.Role.INTERVIEWER,
                                       member=member, name=member.user.display_name, email=member.user.email,
                                       time_zone="Europe/Berlin")
        return row


@pytest.mark.django_db
def test_it_lists_the_upcoming_interviews_of_the_member_before_the_removal(owner_client, owner, acme, acme_candidate,
                                                                         interviewer, outsider):
    dana = make_member(acme, "dana@acme.test", "interviewer", "Dana Schmidt")
    soon = datetime.now(UTC) + timedelta(days=2)
    for n in range(3):
        interview(acme, acme_candidate, f"Upcoming {n}", soon + timedelta(days=n), interviewers=[dana, interviewer],
                  organizer=owner)
    interview(acme, acme_candidate, "Long past", soon - timedelta(days=30), interviewers=[dana], organizer=owner)
    interview(acme, acme_candidate, "Called off", soon, interviewers=[dana], organizer=owner,
              status=Interview.Status.CANCELLED)
    interview(acme, acme_candidate, "Without Dana", soon, interviewers=[interviewer], organizer=owner)

    page = owner_client.get(remove_url(dana)).content.decode()

    assert "Dana Schmidt is an interviewer in 3 upcoming interviews." in page
    for n in range(3):
        assert f"Upcoming {n} with Wile E. Coyote" in page
    for absent in ("Long past", "Called off", "Without Dana", "organizes"):
        assert absent not in page
    # Nothing was removed by looking.
    with across_tenants("test setup"):
        assert Membership.objects.filter(pk=dana.pk).exists()


@pytest.mark.django_db
def test_it_tells_what_removing_an_organizer_means(owner_client, acme, acme_candidate, teammate, interviewer):
    start = datetime.now(UTC) + timedelta(days=1)
    interview(acme, acme_candidate, "Organized by Terry", start, interviewers=[interviewer], organizer=teammate)
    page = owner_client.get(remove_url(teammate)).content.decode()
    assert "Terry Teammate organizes 1 upcoming interview; without their organizer" in page
    assert "Organized by Terry with Wile E. Coyote" in page


@pytest.mark.django_db
def test_it_shows_the_first_interviews_and_counts_the_rest(owner_client, acme, acme_candidate, interviewer):
    start = datetime.now(UTC) + timedelta(days=1)
    for n in range(12):
        interview(acme, acme_candidate, f"Round {n:02d}", start + timedelta(hours=2 * n), interviewers=[interviewer])
    page = owner_client.get(remove_url(interviewer)).content.decode()
    assert "Ivan Interviewer is an interviewer in 12 upcoming interviews." in page
    assert "Round 09" in page and "Round 10" not in page and "and 2 more" in page


@pytest.mark.django_db
def test_it_names_the_calendars_that_will_be_disconnected(providers, owner_client, teammate, teammate_client):
    connect(teammate_client, "google", GOOGLE_ACCOUNT)
    page = owner_client.get(remove_url(teammate)).content.decode()
    assert "Terry Teammate&#x27;s 1 connected calendar will be disconnected" in page
    assert f"Google Calendar · {GOOGLE_ACCOUNT}" in page


@pytest.mark.django_db
def test_it_leaves_the_interviews_of_other_companies_out(owner_client, owner, acme, globex, outsider,
                                                        acme_candidate):
    with across_tenants("test setup"):
        from recruitee.recruiting.models import Candidate

        globex_candidate = Candidate.objects.create(company=globex, full_name="Globex Person",
                                                    email="person@globex.test", time_zone="UTC")
    start = datetime.now(UTC) + timedelta(days=1)
    interview(globex, globex_candidate, "Globex secret", start, interviewers=[outsider], organizer=outsider)
    page = owner_client.get(remove_url(owner)).content.decode()
    assert "Globex secret" not in page and "upcoming interview" not in page


def test_it_keeps_the_core_free_of_calendar_and_scheduling_imports():
    """The tenancy core offers hooks; the higher layers plug into them (function-level imports count too)."""
    higher = ("calendars", "scheduling", "mailbox")
    offenders = []
    for path in sorted((Path(settings.BASE_DIR) / "recruitee" / "tenancy").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] in higher]
    assert offenders == []
