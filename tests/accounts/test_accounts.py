import re

import pytest
from django.core import mail
from django.test import Client

from recruitee.accounts.models import User
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Company, Membership, Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "founder@newco.test",
    "full_name": "Frida Founder",
    "company_name": "NewCo GmbH",
    "company_slug": "newco",
    "time_zone": "Europe/Vienna",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def test_it_creates_a_company_with_the_new_user_as_admin_on_sign_up(client):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="founder@newco.test")
    assert user.full_name == "Frida Founder"
    assert user.time_zone == "Europe/Vienna"
    company = Company.objects.get(slug="newco")
    assert company.name == "NewCo GmbH"
    with across_tenants("test setup"):
        assert Membership.objects.get(company=company, user=user).role == Role.ADMIN
    assert client.get("/").url == "/newco/"  # the new company's home page
    assert client.get("/newco/team/").status_code == 200


def test_it_refuses_a_taken_or_reserved_company_address(client, acme):
    response = client.post("/accounts/signup/", {**SIGNUP, "company_slug": "acme"})
    assert response.status_code == 200
    assert b"This address is already taken." in response.content
    response = client.post("/accounts/signup/", {**SIGNUP, "company_slug": "admin"})
    assert b"This address is reserved." in response.content
    assert not User.objects.filter(email="founder@newco.test").exists()


def test_it_enforces_password_rules_on_sign_up(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "password1": "12345", "password2": "12345"})
    assert b"too short" in response.content
    assert not User.objects.exists()


def test_it_signs_in_with_email_and_out_again(owner):
    client = Client()
    response = client.post("/accounts/login/", {"login": "owner@acme.test", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/acme/candidates/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/acme/candidates/").status_code == 302


def test_it_locks_out_a_login_after_repeated_failures(owner):
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"login": "owner@acme.test", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"login": "owner@acme.test", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert b"Too many failed sign-in attempts" in response.content
    assert client.get("/acme/candidates/").status_code == 302


def test_it_resets_a_forgotten_password_by_email(owner, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "owner@acme.test"})
    assert mail.outbox[-1].to == ["owner@acme.test"]
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[-1].body).group(0)
    path = "/" + link.split("/", 3)[3]
    form_page = client.get(path, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    new_password = "a-brand-new-passphrase"
    response = client.post(action, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    fresh = Client()
    assert fresh.post("/accounts/login/", {"login": "owner@acme.test", "password": new_password}).status_code == 302
    assert fresh.get("/acme/candidates/").status_code == 200


def test_it_updates_the_profile_time_zone(owner_client, owner):
    response = owner_client.post("/accounts/profile/", {"full_name": "Olivia O.", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    owner.user.refresh_from_db()
    assert owner.user.time_zone == "Asia/Tokyo"
    response = owner_client.post("/accounts/profile/", {"full_name": "Olivia O.", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


def test_it_offers_a_switcher_between_the_users_companies(owner, globex):
    with across_tenants("test setup"):
        Membership.objects.create(company=globex, user=owner.user, role=Role.RECRUITER)
    client = Client()
    client.force_login(owner.user, backend="allauth.account.auth_backends.AuthenticationBackend")
    page = client.get("/acme/candidates/").content.decode()
    assert 'href="/globex/"' in page and "Globex Corporation" in page
    assert client.get("/globex/candidates/").status_code == 200
