"""Shared fixtures: an owner and a teammate in `acme`, an outsider in `globex` (and the objects they own)."""

from collections.abc import Iterator
from contextlib import contextmanager

import environ
import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import translation

from recruitee.accounts.models import User
from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.db import APP_ROLE, across_tenants
from recruitee.tenancy.models import Company, Membership, Role
from recruitee.tenancy.roles import ensure_roles, roles_ready

PASSWORD = "correct-horse-battery-staple"

# On PostgreSQL the tests run as production does: the test database is created and migrated by the tables' owner,
# and the tests (the live server and the real Celery worker included) connect as the application's role, for which
# the row-level security holds. The two logins: DATABASE_OWNER_URL and DATABASE_URL (as .ci/run sets them), or,
# with DATABASE_URL a superuser and no owner URL (a developer's local server), that superuser as the owner and
# recruitee_app (made here if missing) as the application.
_LOGINS: dict[str, dict[str, str]] = {}


def _login(config: dict) -> dict[str, str]:
    return {"USER": config.get("USER") or "", "PASSWORD": config.get("PASSWORD") or ""}


def _log_in_as(which: str) -> None:
    connection.close()
    connection.settings_dict.update(_LOGINS[which])


def _roles_made_by(superuser: dict) -> None:
    with psycopg.connect(dbname="postgres", user=superuser["USER"], password=superuser["PASSWORD"] or None,
                         host=superuser["HOST"] or None, port=superuser["PORT"] or None, autocommit=True) as admin:
        if not roles_ready(admin.cursor()):  # only then: another run on this server may rely on what they are
            ensure_roles(admin.cursor(), owner_may_create_databases=True)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """Create and migrate the test database as the owner (django_db_setup then switches to the application)."""
    database = connection.settings_dict
    if database["ENGINE"] == "recruitee.db.postgresql" and not _LOGINS:
        if settings.DATABASE_OWNER_URL:
            _LOGINS["owner"] = _login(environ.Env.db_url_config(settings.DATABASE_OWNER_URL))
            _LOGINS["app"] = _login(database)
        else:
            _roles_made_by(database)
            _LOGINS["owner"] = _login(database)
            _LOGINS["app"] = {"USER": APP_ROLE, "PASSWORD": ""}
        _log_in_as("owner")


def analyze(*tables: str) -> None:
    """Fresh planner statistics for tables a test has just filled, in its transaction (which another connection
    could not see into). ANALYZE is the tables' owner's; the application's role asks a function of the test setup."""
    with connection.cursor() as cursor:
        for table in tables:
            if _LOGINS:
                cursor.execute("SELECT tests_analyze(%s)", [table])
            else:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


@contextmanager
def table_owner() -> Iterator[None]:
    """The tests' connection logs in as the tables' owner until the block ends, for a test that changes the schema
    (the application's role may not). It reconnects: only in tests outside a transaction (transaction=True)."""
    if not _LOGINS:
        yield
        return
    _log_in_as("owner")
    try:
        yield
    finally:
        _log_in_as("app")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    if not _LOGINS:
        yield
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        # Transactional tests empty the tables with TRUNCATE, which row-level security does not restrict: a right
        # the application never has outside the tests.
        cursor.execute("SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables WHERE schemaname = 'public'")
        cursor.execute(f"GRANT TRUNCATE ON {cursor.fetchone()[0]} TO {APP_ROLE}")
        # Fresh statistics for what a test wrote in its own transaction: ANALYZE is the owner's (see analyze()).
        cursor.execute("CREATE FUNCTION tests_analyze(tbl regclass) RETURNS void LANGUAGE plpgsql SECURITY DEFINER "
                       "AS $$ BEGIN EXECUTE format('ANALYZE %s', tbl); END $$")
        cursor.execute(f"GRANT EXECUTE ON FUNCTION tests_analyze(regclass) TO {APP_ROLE}")
    _log_in_as("app")
    yield
    _log_in_as("owner")  # who may drop the test database


def make_member(company: Company, email: str, role: str, full_name: str = "") -> Membership:
    user = User.objects.create_user(email=email, password=PASSWORD, full_name=full_name or email.split("@")[0].title())
    with across_tenants("test setup"):
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
    with across_tenants("test setup"):
        return Job.objects.create(company=acme, title="Secret Rocket Engineer", department="Skunkworks")


@pytest.fixture
def acme_candidate(acme, acme_job, owner) -> Candidate:
    with across_tenants("test setup"):
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
