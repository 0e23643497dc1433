"""The tenant wall's database roles, made for a benchmark on a server that does not have them yet (a fresh machine):
migrations refuse to run without them (recruitee/tenancy/rls.py)."""

from __future__ import annotations

from urllib.parse import urlsplit


def ensure_roles(admin_url: str) -> None:
    """Create the roles unless they are ready. `admin_url` logs in as a role that may create roles."""
    import psycopg

    from recruitee.tenancy.roles import ensure_roles as make_roles
    from recruitee.tenancy.roles import roles_ready

    parts = urlsplit(admin_url)
    with psycopg.connect(dbname="postgres", user=parts.username, password=parts.password, host=parts.hostname,
                         port=parts.port, autocommit=True) as admin:
        if not roles_ready(admin.cursor()):
            make_roles(admin.cursor())
