"""Create or update the PostgreSQL roles of the tenant wall (recruitee/tenancy/roles.py) and give the database to
the owner role. Run it once before the first `migrate`, and again whenever a password changes:

    DATABASE_ADMIN_URL=postgres://postgres:secret@db:5432/recruitee \\
    DATABASE_OWNER_URL=postgres://recruitee_owner:owner-secret@db:5432/recruitee \\
    DATABASE_URL=postgres://recruitee_app:app-secret@db:5432/recruitee \\
        python manage.py database_roles

The passwords come from the two URLs; the admin URL names a role that may create roles (a superuser, or the
managed server's administrator) and is used for nothing else.
"""

import environ
import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recruitee.tenancy.db import APP_ROLE, OWNER_ROLE
from recruitee.tenancy.roles import ensure_roles, hand_database_to_owner


class Command(BaseCommand):
    help = "Create or update the database roles (owner, application, cross-tenant) and give the database to the owner."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--admin-url", default=environ.Env().str("DATABASE_ADMIN_URL", default=""),
                            help="A role that may create roles (default: DATABASE_ADMIN_URL).")
        parser.add_argument("--owner-may-create-databases", action="store_true",
                            help="CREATEDB for the owner: the test suite creates its database as the owner.")

    def handle(self, *args, admin_url: str, owner_may_create_databases: bool, **options):
        if not admin_url:
            raise CommandError("Say who may create roles: --admin-url or DATABASE_ADMIN_URL.")
        app = settings.DATABASES["default"]
        if app["ENGINE"] != "recruitee.db.postgresql":
            raise CommandError("DATABASE_URL is not PostgreSQL: there are no roles to make.")
        if not settings.DATABASE_OWNER_URL:
            raise CommandError(f"Set DATABASE_OWNER_URL (the role {OWNER_ROLE}, as whom migrations run).")
        owner = environ.Env.db_url_config(settings.DATABASE_OWNER_URL)
        for name, config, role in (("DATABASE_URL", app, APP_ROLE), ("DATABASE_OWNER_URL", owner, OWNER_ROLE)):
            if config["USER"] != role:
                raise CommandError(f"{name} must log in as {role}, not {config['USER'] or '(nobody)'}.")
            if config["NAME"] != app["NAME"]:
                raise CommandError(f"{name} must name the database {app['NAME']}.")
        admin = environ.Env.db_url_config(admin_url)
        with psycopg.connect(dbname=app["NAME"], user=admin["USER"], password=admin["PASSWORD"] or None,
                             host=admin["HOST"] or None, port=admin["PORT"] or None, autocommit=True) as connection:
            with connection.cursor() as cursor:
                ensure_roles(cursor, app_password=app["PASSWORD"] or None, owner_password=owner["PASSWORD"] or None,
                             owner_may_create_databases=owner_may_create_databases)
                hand_database_to_owner(cursor, app["NAME"])
        self.stdout.write(f"Roles ready: {OWNER_ROLE} owns {app['NAME']}, the application logs in as {APP_ROLE}.")
