"""The tenant wall in the database, and the one way across it.

On PostgreSQL every tenant table has row-level security, enabled and forced (recruitee/tenancy/rls.py, applied by
each app's migrations): a row is visible, and may be written, only when its company is one of the ids in the
session setting `app.company_ids`. Nothing set means no rows. The application connects as a role that owns no table
and cannot bypass the policies (the roles: `manage.py database_roles`).

Nobody sets that setting by hand. Before each statement the database backend (recruitee/db/postgresql) asks
`session_wanted()` what the session should be, which is read from the django-scopes scope that is open:
`scope(company=acme)` admits acme's rows, `scope(company=[a, b])` both companies'. `scopes_disabled()` switches off
the Python filters only; the database still admits just the companies of the scope around it (none outside any).

Crossing tenants on purpose is `across_tenants(reason)`: scopes off in Python, and in the database the
`recruitee_crosstenant` role, whose policy admits every row. The reason is logged. It is the only place in the
production code that switches scopes off or changes the database role (a test keeps it so): beat tasks that find
due work in every company, management commands, the admin. The companies a person belongs to (the company menu on
every page) come from member_company_ids(), a function of the database that returns ids only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import environ
from django.conf import settings
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django_scopes import scopes_disabled
from django_scopes.state import state as scope_state

logger = logging.getLogger(__name__)

# The roles; fixed names, because policies and grants (made by migrations) name them.
OWNER_ROLE = "recruitee_owner"  # owns the tables, runs the migrations
APP_ROLE = "recruitee_app"  # what the application logs in as: no table of its own, no bypass
CROSSTENANT_ROLE = "recruitee_crosstenant"  # no login; the app becomes it only inside across_tenants()

COMPANY_IDS_SETTING = "app.company_ids"
# Lists a person's companies across tenants (made by migration tenancy 0007; see member_company_ids()).
MEMBER_COMPANIES_FUNCTION = "tenancy_member_company_ids"

# (role, company ids): what the database session should be. "none" is the login role, as SET ROLE NONE has it.
Session = tuple[str, str]
NO_TENANT: Session = ("none", "")
CROSSING: Session = (CROSSTENANT_ROLE, "")

# The django-scopes state that across_tenants() opened: crossing holds while that very scope is the current one.
# A scope opened inside it (work for one company) narrows the database to that company again until it closes.
_crossing: ContextVar[dict | None] = ContextVar("across_tenants", default=None)
# The last scope state looked at and its answer: django-scopes makes a new dict for every scope it opens and never
# changes one, so the same dict means the same answer. Kept in one tuple, so threads read a consistent pair.
_last: tuple[dict | None, Session] = (None, NO_TENANT)


def _company_id(value: object) -> int | None:
    if isinstance(value, models.Model):
        value = value.pk
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def company_ids_of(value: object) -> str:
    """The setting's value for a django-scopes `company` value: "7", "7,9", or "" (nothing admitted) for None
    (which django-scopes reads as every company) and for anything that is not a company, an id or a list of them."""
    values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
    ids = [_company_id(item) for item in values]
    if not ids or None in ids:
        return ""
    return ",".join(str(company_id) for company_id in sorted(set(ids)))


def session_wanted() -> Session:
    """The database session the next statement must run in. Called before every statement: cheap."""
    global _last
    current = scope_state.get()
    if current is None:
        return NO_TENANT
    if current is _crossing.get():
        return CROSSING
    last_state, last_session = _last
    if current is last_state:
        return last_session
    wanted = ("none", company_ids_of(current.get("company")))
    _last = (current, wanted)
    return wanted


def session_statement(session: Session) -> tuple[str, tuple[str, str]]:
    """One statement that puts a session into `session`: both settings at session level (not local to a
    transaction, since Django runs in autocommit), so they last until the next change, a rollback or the end of the
    connection."""
    role, company_ids = session
    return (f"SELECT set_config('role', %s, false), set_config('{COMPANY_IDS_SETTING}', %s, false)",
            (role, company_ids))


@contextmanager
def across_tenants(reason: str) -> Iterator[None]:
    """Work with every company's rows, in Python and in the database. Say why: it is logged.

        with across_tenants("beat: find the companies with reminders due"):
            company_ids = list(...)
    """
    if not reason:
        raise ValueError("across_tenants() needs a reason")
    logger.info("Across tenants: %s", reason)
    with scopes_disabled():
        token = _crossing.set(scope_state.get())
        try:
            yield
        finally:
            _crossing.reset(token)


def member_company_ids(user_id: int) -> RawSQL | models.QuerySet:
    """The ids of the companies a person belongs to, for `Company.objects.filter(pk__in=...)`: asked outside any
    scope (the company menu on every page, the home page after signing in). On PostgreSQL a function that runs as
    the tables' owner answers it, with ids only; the memberships themselves stay behind the wall."""
    if connection.vendor == "postgresql":
        return RawSQL(f"SELECT {MEMBER_COMPANIES_FUNCTION}(%s)", (user_id,))  # noqa: S611 (a constant; bound id)
    from .models import Membership  # this module is loaded with the database backend, before the models

    return Membership._base_manager.filter(user_id=user_id).values("company_id")


# What the owner's URL changes of a connection: the database stays the one configured (or the test database).
_LOGIN_KEYS = ("USER", "PASSWORD", "HOST", "PORT")


@contextmanager
def as_owner(connection: Any) -> Iterator[None]:
    """`connection` logs in as the tables' owner (DATABASE_OWNER_URL) until the block ends; without that setting
    it stays as it is."""
    if not settings.DATABASE_OWNER_URL:
        yield
        return
    owner = environ.Env.db_url_config(settings.DATABASE_OWNER_URL)
    saved = {key: connection.settings_dict.get(key) for key in _LOGIN_KEYS}
    connection.close()
    connection.settings_dict.update({key: owner.get(key, "") for key in _LOGIN_KEYS})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
