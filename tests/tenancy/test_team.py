import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from recruitee.accounts.models import User
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry, Invitation, Membership, Role
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def team_url(name: str, **kwargs) -> str:
    return reverse(f"tenancy:{name}", kwargs={"company_slug": "acme", **kwargs})


def invite(client, email="newbie@example.com", role=Role.RECRUITER):
    return client.post(team_url("invitation-create"), {"email": email, "role": role})


def accept_link_from_outbox() -> str:
    body = mail.outbox[-1].body
    return re.search(r"https?://\S+/join/\S+/", body).group(0)


def test_it_emails_a_single_use_link_that_creates_an_account_and_membership(
    owner_client, owner, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(owner_client)
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["newbie@example.com"]
    assert "Acme Inc." in mail.outbox[-1].subject
    assert mail.outbox[-1].alternatives[0][1] == "text/html"
    link = accept_link_from_outbox()
    path = link.split("://", 1)[1].split("/", 1)[1]

    page = client.get("/" + path)
    assert page.status_code == 200
    assert b"newbie@example.com" in page.content
    response = client.post("/" + path, {"full_name": "Nina Newbie", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/acme/"

    user = User.objects.get(email="newbie@example.com")
    with across_tenants("test setup"):
        assert Membership.objects.get(user=user).role == Role.RECRUITER
    # Now signed in as the new member: the company's pages open.
    assert client.get("/acme/candidates/").status_code == 200

    # The same link a second time is dead.
    stranger = Client()
    assert stranger.get("/" + path).status_code == 404


def test_it_rejects_an_expired_or_resent_invitation_link(owner_client, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client)
    first_link = accept_link_from_outbox().split("/", 3)[3]
    with across_tenants("test setup"):
        invitation = Invitation.objects.get(email="newbie@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(team_url("invitation-resend", invitation_id=invitation.pk))
    second_link = accept_link_from_outbox().split("/", 3)[3]
    assert first_link != second_link
    assert client.get("/" + first_link).status_code == 404
    assert client.get("/" + second_link).status_code == 200

    with across_tenants("test setup"):
        Invitation.objects.filter(pk=invitation.pk).update(expires_at="2000-01-01T00:00:00Z")
    assert client.get("/" + second_link).status_code == 404


def test_it_lets_an_existing_user_accept_after_signing_in(owner_client, outsider, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client, email=outsider.user.email, role=Role.INTERVIEWER)
    path = "/" + accept_link_from_outbox().split("/", 3)[3]
    outsider_client = client_for(outsider)
    page = outsider_client.get(path)
    assert b"Join Acme Inc." in page.content
    assert outsider_client.post(path).status_code == 302
    assert outsider_client.get("/acme/candidates/").status_code == 200
    with across_tenants("test setup"):
        assert Membership.objects.get(company__slug="acme", user=outsider.user).role == Role.INTERVIEWER


def test_it_refuses_an_invitation_meant_for_someone_else(owner_client, teammate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client, email="someone.else@example.com")
    path = "/" + accept_link_from_outbox().split("/", 3)[3]
    response = client_for(teammate).post(path, follow=True)
    assert b"This invitation is for someone.else@example.com" in response.content
    with across_tenants("test setup"):
        assert Invitation.objects.get(email="someone.else@example.com").accepted_at is None


def test_it_refuses_to_invite_a_member_twice(owner_client, teammate):
    response = invite(owner_client, email=teammate.user.email)
    assert response.status_code == 400
    assert b"already a member" in response.content


def test_it_lets_only_admins_invite(teammate_client):
    assert invite(teammate_client).status_code == 403
    with across_tenants("test setup"):
        assert not Invitation.objects.exists()


def test_it_changes_roles_and_records_it(owner_client, teammate):
    response = owner_client.post(team_url("membership-role", membership_id=teammate.pk), {"role": Role.ADMIN})
    assert response.status_code == 302
    with across_tenants("test setup"):
        teammate.refresh_from_db()
    assert teammate.role == Role.ADMIN
    with across_tenants("test setup"):
        assert AuditEntry.objects.filter(action="membership.role_changed").count() == 1


def test_it_never_demotes_or_removes_the_last_admin(owner_client, owner, teammate):
    response = owner_client.post(team_url("membership-role", membership_id=owner.pk), {"role": Role.RECRUITER},
                                 follow=True)
    assert b"at least one admin" in response.content
    response = owner_client.post(team_url("membership-remove", membership_id=owner.pk), follow=True)
    assert b"last admin cannot be removed" in response.content
    with across_tenants("test setup"):
        owner.refresh_from_db()
    assert owner.role == Role.ADMIN


def test_it_removes_a_member_after_confirmation(owner_client, teammate):
    confirm = owner_client.get(team_url("membership-remove", membership_id=teammate.pk))
    assert b"Remove Terry Teammate from Acme Inc.?" in confirm.content
    assert owner_client.post(team_url("membership-remove", membership_id=teammate.pk)).status_code == 302
    with across_tenants("test setup"):
        assert not Membership.objects.filter(pk=teammate.pk).exists()
    assert client_for(teammate).get("/acme/candidates/").status_code == 404


def test_it_shows_the_team_to_every_member_but_actions_only_to_admins(teammate_client, owner):
    page = teammate_client.get(team_url("team"))
    assert b"Olivia Owner" in page.content
    assert b"Invite someone" not in page.content
    assert b"Remove" not in page.content
