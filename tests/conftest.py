"""Shared fixtures: an owner and a teammate in `acme`, an outsider in `globex` (and the objects they own)."""

import pytest
from django.test import Client
from django.utils import translation
from django_scopes import scopes_disabled

from recruitee.accounts.models import User
from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.models import Company, Membership, Role

PASSWORD = "correct-horse-battery-staple"


def make_member(company: Company, email: str, role: str, full_name: str = "") -> Membership:
    user = User.objects.create_user(email=email, password=PASSWORD, full_name=full_name or email.split("@")[0].title())
    with scopes_disabled():
        return Membership.objects.create(company=company, user=user, role=role)


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A request leaves its language active in the thread: a German test must not leave later tests in German."""
    yield
    translation.deactivate()


@pytest.fixture
def acme(db) -> Company:
    return Company.objects.create(name="Acme Inc.", slug="acme", time_zone="Europe/Berlin")


@pytest.fixture
def globex(db) -> Company:
    return Company.objects.create(name="Globex Corporation", slug="globex", time_zone="America/Chicago")


@pytest.fixture
def owner(acme) -> Membership:
    """An admin of acme."""
    return make_member(acme, "owner@acme.test", Role.ADMIN, "Olivia Owner")


@pytest.fixture
def teammate(acme) -> Membership:
    """A recruiter in acme."""
    return make_member(acme, "teammate@acme.test", Role.RECRUITER, "Terry Teammate")


@pytest.fixture
def interviewer(acme) -> Membership:
    return make_member(acme, "interviewer@acme.test", Role.INTERVIEWER, "Ivan Interviewer")


@pytest.fixture
def outsider(globex) -> Membership:
    """An admin of globex: has no business with anything of acme."""
    return make_member(globex, "outsider@globex.test", Role.ADMIN, "Oscar Outsider")


@pytest.fixture
def acme_job(acme) -> Job:
    with scopes_disabled():
        return Job.objects.create(company=acme, title="Secret Rocket Engineer", department="Skunkworks")


@pytest.fixture
def acme_candidate(acme, acme_job, owner) -> Candidate:
    with scopes_disabled():
        return Candidate.objects.create(
            company=acme, full_name="Wile E. Coyote", email="wile.coyote@acme-candidates.test",
            time_zone="America/Phoenix", job=acme_job, created_by=owner.user,
        )


def client_for(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return client


@pytest.fixture
def owner_client(owner) -> Client:
    return client_for(owner)


@pytest.fixture
def teammate_client(teammate) -> Client:
    return client_for(teammate)


@pytest.fixture
def interviewer_client(interviewer) -> Client:
    return client_for(interviewer)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return client_for(outsider)
