"""Django's PostgreSQL backend, keeping the session's tenant (row-level security) in step with the scope in Python.

Before each statement it asks recruitee.tenancy.db which role and company ids the session should have and, only when
that differs from what it last set on this connection, sets both with one extra statement (session-level
set_config: Django runs in autocommit, so a transaction-local setting would last one statement). What was set is
forgotten whenever it may have been undone: a new connection, a transaction or savepoint rolled back (PostgreSQL
reverts SET with them), or a connection handed out by a pool. Then the next statement sets it again.

The extra statement goes through a cursor of its own: not logged, not counted by assertNumQueries, and never the
named cursor of a server-side iteration.
"""

from contextlib import contextmanager

from django.db.backends.postgresql import base

from recruitee.tenancy.db import NO_TENANT, session_statement, session_wanted

_UNKNOWN = None


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What this connection's session has now; _UNKNOWN forces the next statement to set it.
        self._tenant_session = _UNKNOWN
        self._tenant_hold = False
        # Installed first, so it runs outside every wrapper added later (query counters, tests).
        self.execute_wrappers.append(self._keep_tenant_session)

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
            with self.wrap_database_errors, self.connection.cursor() as cursor:
                cursor.execute(statement, values)
            self._tenant_session = wanted
        return execute(sql, params, many, context)

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
