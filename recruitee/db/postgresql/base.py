"""Django's PostgreSQL backend, keeping the session's tenant (row-level security) in step with the scope in Python.

Before each statement it asks recruitee.tenancy.db which role and company ids the session should have and, only when
that differs from what it last set on this connection, sets both with one extra statement (session-level
set_config: Django runs in autocommit, so a transaction-local setting would last one statement). What was set is
forgotten whenever it may have been undone: a new connection, a transaction or savepoint rolled back (PostgreSQL
reverts SET with them), or a connection handed out by a pool. Then the next statement sets it again. After each
request, once its response is out, a kept connection goes back to no tenant at all: whatever uses it next starts
from nothing, and the next request's first statements (its session, its user) need no change of their own.

The extra statement goes through a cursor of its own: not logged, not counted by assertNumQueries, and never the
named cursor of a server-side iteration. It is sent in one pipeline with the statement it comes before (psycopg's
pipeline mode): one round trip to the server for both, not two (bench/rls.py measures it).

Statements a connection sends again and again are prepared on the server (recruitee/settings/base.py), and after a
few runs PostgreSQL keeps one plan for them, as its default plan_cache_mode has it: planning a statement under the
tenant policies costs more than running many of them. Except searches: a statement with LIKE is never prepared, so
each is planned for its own pattern (a rare word wants the trigram index, a common one the newest rows first; one
plan kept for "any word" would serve one of them badly).
"""

import logging
import re
from contextlib import contextmanager

from django.core.signals import request_finished
from django.db import DatabaseError, connections
from django.db.backends.postgresql import base

from recruitee.tenancy.db import NO_TENANT, session_statement, session_wanted

logger = logging.getLogger(__name__)
# Statements that may share a pipeline (an implicit transaction) with the tenant setting before them.
_PIPELINED = re.compile(r"\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)
_UNKNOWN = None
# A statement whose plan depends on the values it is run with, as a search's does on its words.
_PLANNED_PER_RUN = " LIKE "


class PlannedCursor(base.ServerBindingCursor):
    """Django's cursor for server-side binding, but a search is never prepared."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        if prepare is None and isinstance(query, str) and _PLANNED_PER_RUN in query:
            prepare = False  # sent as an unnamed statement, which PostgreSQL plans for the values bound to it
        return super().execute(query, params, prepare=prepare, binary=binary)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What this connection's session has now; _UNKNOWN forces the next statement to set it.
        self._tenant_session = _UNKNOWN
        self._tenant_hold = False
        # Installed first, so it runs outside every wrapper added later (query counters, tests).
        self.execute_wrappers.append(self._keep_tenant_session)

    def get_connection_params(self):
        params = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:
            params["cursor_factory"] = PlannedCursor
        return params

    def _keep_tenant_session(self, execute, sql, params, many, context):
        if self._tenant_hold:  # a savepoint statement, which needs no tenant (and may come in a failed transaction)
            return execute(sql, params, many, context)
        wanted = session_wanted()
        if wanted != self._tenant_session:
            self.validate_no_broken_transaction()  # Django's own error for it, not PostgreSQL's
            role, company_ids = wanted
            # A login role given by OPTIONS["assume_role"] is this connection's own role, not the login's.
            if role == "none":
                role = self.settings_dict["OPTIONS"].get("assume_role") or role
            statement, values = session_statement((role, company_ids))
            if many or getattr(context["cursor"].cursor, "name", None) or not _PIPELINED.match(sql):
                # executemany pipelines by itself, a server-side cursor cannot be part of a pipeline, and neither
                # can what must run outside a transaction (VACUUM, CREATE INDEX CONCURRENTLY, ...): a pipeline is
                # one implicit transaction. Plain reads and writes are all the pipeline is for.
                with self.wrap_database_errors, self.connection.cursor() as cursor:
                    cursor.execute(statement, values)
                self._tenant_session = wanted
                return execute(sql, params, many, context)
            try:
                # The pipeline sends both and waits once, at its end, where an error of either is raised.
                with self.wrap_database_errors, self.connection.pipeline():
                    self.connection.cursor().execute(statement, values)
                    result = execute(sql, params, many, context)
            except Exception:
                self._tenant_session = _UNKNOWN  # in autocommit the failed statement took the setting along
                raise
            self._tenant_session = wanted
            return result
        return execute(sql, params, many, context)

    def leave_tenant(self) -> None:
        """Put the session back to no tenant now, if a connection is open and usable."""
        if self.connection is None or self._tenant_session == NO_TENANT or self.needs_rollback:
            return
        statement, values = session_statement((self.settings_dict["OPTIONS"].get("assume_role") or "none", ""))
        try:
            with self.wrap_database_errors, self.connection.cursor() as cursor:
                cursor.execute(statement, values)
        except DatabaseError:
            logger.warning("Could not clear the tenant of database connection %s", self.alias, exc_info=True)
            self._tenant_session = _UNKNOWN
        else:
            self._tenant_session = NO_TENANT

    def init_connection_state(self):
        super().init_connection_state()
        # A new session has neither setting; one from a pool may carry its last user's.
        self._tenant_session = _UNKNOWN if self.pool else NO_TENANT

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._tenant_session = _UNKNOWN

    def _savepoint(self, sid):
        with self._holding_tenant():
            return super()._savepoint(sid)

    def _savepoint_commit(self, sid):
        with self._holding_tenant():
            return super()._savepoint_commit(sid)

    def _savepoint_rollback(self, sid):
        try:
            with self._holding_tenant():
                return super()._savepoint_rollback(sid)
        finally:
            self._tenant_session = _UNKNOWN

    @contextmanager
    def _holding_tenant(self):
        self._tenant_hold = True
        try:
            yield
        finally:
            self._tenant_hold = False

    def _close(self):
        self._tenant_session = _UNKNOWN
        return super()._close()


def _no_tenant_between_requests(**kwargs) -> None:
    for connection in connections.all(initialized_only=True):
        if isinstance(connection, DatabaseWrapper):
            connection.leave_tenant()


# After Django's own receiver, which closes the connections that are not to be kept: only kept ones are cleared.
request_finished.connect(_no_tenant_between_requests, dispatch_uid="recruitee.db.no_tenant_between_requests")
