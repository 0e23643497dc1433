"""The tenant wall in the database: PostgreSQL row-level security on every company table (recruitee/tenancy/db.py,
recruitee/tenancy/rls.py). The tests connect as the application's role, as production does (tests/conftest.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django_scopes import scope, scopes_disabled
from psycopg.types.json import Jsonb

from calendars.models import Calendar, CalendarConnection, Event, PushChannel
from mailbox.models import Message
from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.db import APP_ROLE, CROSSTENANT_ROLE, across_tenants
from recruitee.tenancy.models import Company, Membership
from recruitee.tenancy.rls import CROSSTENANT_POLICY, TENANT_POLICY
from recruitee.tenancy.selectors import member_companies
from scheduling.models import (
    CalendarInvite,
    InterviewMessage,
    InvitationCalendar,
    InviteTemplate,
    Participant,
    ReminderDelivery,
    ReminderSettings,
)
from tests.conftest import make_member
from tests.probe import FACTORIES, CompanyObjects, _draft_query

JSON_TYPES = {114, 3802}  # the type oids of json and jsonb

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security is PostgreSQL's"),
]


def company_models() -> list[type[models.Model]]:
    """Every model with a column that names a company: each is a tenant table."""
    return [
        model for model in apps.get_models(include_auto_created=True)
        if any(field.concrete and field.is_relation and field.related_model is Company
               for field in model._meta.get_fields())
    ]


def tenant_tables() -> list[str]:
    return sorted(model._meta.db_table for model in company_models() if model._meta.managed)


def tenant_views() -> list[str]:
    """Views of company rows (mailbox.models.SentListing, recruiting.models.CandidateListing,
    scheduling.models.InterviewListing): the model is not Django's to manage."""
    return sorted(model._meta.db_table for model in company_models() if not model._meta.managed)


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def every_table_filled(company: Company, actor_email: str) -> None:
    """At least one row of `company` in every tenant table: what the URLs name (the probe's factories), and the rest
    here. The tests below fail for a new tenant table until this learns to fill it."""
    actor = make_member(company, actor_email, "admin").user
    objects = CompanyObjects(company, actor=actor)
    for name in FACTORIES:
        objects.value(name)
    _draft_query(objects)
    interview_id = int(objects.value("interview_id"))
    with across_tenants("test setup"):
        member = Membership.objects.get(company=company, user=actor)
        connection_ = CalendarConnection.objects.get(pk=objects.value("connection_id"))
        calendar = Calendar.objects.filter(connection=connection_).first()
        start = datetime(2030, 6, 12, 9, tzinfo=UTC)
        Event.objects.create(company=company, calendar=calendar, provider_event_id=f"{company.slug}-event",
                             start=start, end=start + timedelta(hours=1), title=f"{company.name} board meeting")
        PushChannel.objects.create(company=company, connection=connection_, provider="google",
                                   channel_id=f"{company.slug}-channel", secret="s", expires_at=start)
        InviteTemplate.objects.create(company=company, audience="candidate", purpose="invitation", language="en",
                                      subject="Hello", body="Hi")
        CalendarInvite.objects.create(company=company, interview_id=interview_id, provider="google")
        message = Message.objects.get(pk=objects.value("message_id"))
        InterviewMessage.objects.create(company=company, interview_id=interview_id, message=message)
        ReminderSettings.objects.create(company=company)
        participant = Participant.objects.filter(interview_id=interview_id).first()
        ReminderDelivery.objects.create(company=company, interview_id=interview_id, participant=participant,
                                        offset_minutes=60, sequence=0, due_at=start)
        InvitationCalendar.objects.create(company=company, member=member, connection=connection_)


@pytest.fixture
def filled(acme, globex):
    every_table_filled(acme, "admin@acme.test")
    every_table_filled(globex, "admin@globex.test")
    with across_tenants("test setup"):
        counts = {table: dict(rows(f'SELECT company_id, count(*) FROM "{table}" GROUP BY 1'))  # noqa: S608
                  for table in tenant_tables()}
    empty = [table for table, by_company in counts.items() if not (by_company.get(acme.pk) and
                                                                  by_company.get(globex.pk))]
    assert empty == [], "every_table_filled() must write a row of each company into these tables"
    return acme, globex


def test_it_connects_as_a_role_that_owns_nothing_and_bypasses_nothing():
    [(user, superuser, bypass)] = rows(
        "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    assert (user, superuser, bypass) == (APP_ROLE, False, False)
    assert rows("SELECT relname FROM pg_class WHERE relowner = current_user::regrole") == []


def test_every_table_with_a_company_is_behind_the_wall():
    tables = tenant_tables()
    assert "recruiting_candidate" in tables and "mailbox_message" in tables and "tenancy_company" not in tables
    # And tables the models do not know of: every company_id column in the schema.
    columns = {table for (table,) in rows(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND column_name = 'company_id' AND table_name IN (SELECT tablename FROM pg_tables)")}
    assert columns == set(tables)
    security = dict((name, (enabled, forced)) for name, enabled, forced in rows(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s)", [tables]))
    assert {table: security.get(table) for table in tables} == {table: (True, True) for table in tables}
    policies = {(table, name): (roles, command, qual, check) for table, name, roles, command, qual, check in rows(
        "SELECT tablename, policyname, roles::text[], cmd, qual, with_check FROM pg_policies "
        "WHERE schemaname = 'public'")}
    for table in tables:
        roles, command, qual, check = policies[(table, TENANT_POLICY)]
        assert (roles, command) == (["public"], "ALL"), table
        assert "app.company_ids" in qual and "app.company_ids" in check, table
        assert policies[(table, CROSSTENANT_POLICY)][:2] == ([CROSSTENANT_ROLE], "ALL"), table
    assert {table for table, _name in policies} == set(tables), "policies on a table without a company"


def test_every_view_of_company_rows_admits_the_sessions_companies_only_and_only_to_read():
    views = tenant_views()
    assert views == ["mailbox_sent_listing", "recruiting_candidate_listing", "scheduling_interview_listing"]
    for view in views:
        [(definition,)] = rows("SELECT definition FROM pg_views WHERE viewname = %s", [view])
        assert "app.company_ids" in definition, view
        for role in (APP_ROLE, CROSSTENANT_ROLE):
            granted = {privilege for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
                       if rows("SELECT has_table_privilege(%s, %s, %s)", [role, view, privilege])[0][0]}
            assert granted == {"SELECT"}, (view, role)


def test_every_table_under_a_company_table_has_a_company_of_its_own():
    """The rule for tables whose tenant comes through a parent: they carry the company too (one comparison per row,
    no look-up of the parent), so the check above covers them."""
    tenant = set(company_models())
    orphans = [
        f"{model._meta.label}.{field.name}" for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model in tenant and model not in tenant
    ]
    assert orphans == []


def test_a_raw_select_in_acmes_scope_returns_no_globex_row(filled):
    acme, globex = filled
    relations = tenant_tables() + tenant_views()
    with scope(company=acme):
        seen = {name: {company for (company,) in rows(f'SELECT DISTINCT company_id FROM "{name}"')}  # noqa: S608
                for name in relations}
    assert seen == {name: {acme.pk} for name in relations}


def test_with_no_company_set_a_raw_select_returns_nothing(filled):
    relations = tenant_tables() + tenant_views()
    seen = {name: rows(f'SELECT count(*) FROM "{name}"')[0][0] for name in relations}  # noqa: S608
    assert seen == {name: 0 for name in relations}
    with scope(company=None):  # "every company" to django-scopes; to the database, none
        assert rows("SELECT count(*) FROM recruiting_candidate") == [(0,)]


def test_an_insert_of_a_globex_row_in_acmes_scope_fails(filled):
    acme, globex = filled
    refused = {}
    for table in tenant_tables():
        with across_tenants("test setup"), connection.cursor() as cursor:
            cursor.execute(f'SELECT * FROM "{table}" WHERE company_id = %s LIMIT 1', [globex.pk])  # noqa: S608
            # A copy of a globex row (a new id): json values go back as json.
            values = {column.name: Jsonb(value) if column.type_code in JSON_TYPES else value
                      for column, value in zip(cursor.description, cursor.fetchone(), strict=True)
                      if column.name != "id"}
        names = ", ".join(f'"{name}"' for name in values)
        insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(["%s"] * len(values))})'  # noqa: S608
        with scope(company=acme), pytest.raises(DatabaseError) as error, transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(insert, list(values.values()))
        refused[table] = "violates row-level security policy" in str(error.value)
    assert refused == {table: True for table in tenant_tables()}


def test_an_acme_row_cannot_be_moved_to_globex(acme, globex, acme_job):
    with scope(company=acme), pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        Job.objects.filter(pk=acme_job.pk).update(company=globex)


def test_a_view_with_scopes_switched_off_still_sees_only_its_company(filled):
    acme, globex = filled
    with scope(company=acme), scopes_disabled():
        assert {job.company_id for job in Job.objects.all()} == {acme.pk}
        assert not Candidate.objects.filter(company=globex).exists()
    with scopes_disabled():
        assert not Job.objects.exists()


def test_across_tenants_sees_every_company_and_says_why(filled, caplog):
    acme, globex = filled
    with caplog.at_level("INFO", logger="recruitee.tenancy.db"), across_tenants("checking the wall"):
        assert {job.company_id for job in Job.objects.all()} == {acme.pk, globex.pk}
        with scope(company=globex):  # work for one company inside it is that company's again
            assert {job.company_id for job in Job.objects.all()} == {globex.pk}
        assert Job.objects.filter(company=acme).exists()
    assert "Across tenants: checking the wall" in caplog.text
    assert not Job.objects.exists()


def test_a_scope_of_several_companies_admits_each(filled):
    acme, globex = filled
    with scope(company=[acme.pk, globex.pk]):
        assert {job.company_id for job in Job.objects.all()} == {acme.pk, globex.pk}


def test_a_scope_of_several_companies_admits_each_in_every_table(filled):
    # The policies of the tables that hold rows of no company too compare with the session's first company before
    # the others (rls.tenant_predicate): the second company must be admitted all the same.
    acme, globex = filled
    relations = tenant_tables() + tenant_views()
    with scope(company=[acme, globex]):
        seen = {name: {company for (company,) in rows(f'SELECT DISTINCT company_id FROM "{name}"')}  # noqa: S608
                for name in relations}
    assert seen == {name: {acme.pk, globex.pk} for name in relations}


def test_a_rolled_back_transaction_leaves_no_stale_tenant(filled):
    """PostgreSQL undoes a setting made inside a transaction that rolls back; the backend must set it again."""
    acme, globex = filled
    with scope(company=acme):
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            assert Job.objects.exists()  # acme set inside the transaction...
            raise ZeroDivisionError  # ...and undone here
        assert Job.objects.filter(company=acme).exists()
    with scope(company=globex), transaction.atomic():
        assert Job.objects.exists()
        transaction.set_rollback(True)
    with scope(company=globex):
        assert Job.objects.exists()


def test_a_failed_statement_in_another_scope_rolls_back_cleanly(filled):
    """The savepoint is rolled back after the scope around the failed statement has closed: in a failed transaction,
    where nothing but the rollback may run."""
    acme, globex = filled
    with scope(company=acme), transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(), scope(company=globex):
            Job.objects.create(company=globex, title=None)
        assert {job.company_id for job in Job.objects.all()} == {acme.pk}


def test_a_kept_connection_holds_no_tenant_between_requests(owner_client, acme_candidate):
    assert owner_client.get(f"/acme/candidates/{acme_candidate.pk}/").status_code == 200
    with connection.connection.cursor() as raw:  # past the backend: what the session itself holds now
        raw.execute("SELECT coalesce(current_setting('app.company_ids', true), ''), current_user")
        assert raw.fetchone() == ("", APP_ROLE)


@pytest.mark.django_db(transaction=True)
def test_a_statement_that_runs_outside_transactions_may_follow_a_change_of_tenant(acme, acme_job):
    """VACUUM (like CREATE INDEX CONCURRENTLY) cannot share the pipeline the tenant setting goes in."""
    with scope(company=acme), connection.cursor() as cursor:
        cursor.execute("VACUUM (SKIP_LOCKED) recruiting_job")  # the application may not: a warning, no error
        assert Job.objects.get() == acme_job


def test_setting_the_tenant_is_not_a_query_of_its_own(acme, acme_job, django_assert_num_queries):
    with scope(company=acme), django_assert_num_queries(1):
        assert list(Job.objects.all()) == [acme_job]


def test_a_person_sees_all_their_companies_and_no_other(acme, globex, owner, outsider):
    with across_tenants("test setup"):
        Membership.objects.create(company=globex, user=owner.user, role="recruiter")
    assert list(member_companies(owner.user)) == [acme, globex]
    assert list(member_companies(outsider.user)) == [globex]
    with scope(company=acme):
        assert list(member_companies(owner.user)) == [acme, globex]
