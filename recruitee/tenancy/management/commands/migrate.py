"""Django's migrate, as the tables' owner (DATABASE_OWNER_URL) when one is configured: the application's own role
owns no table and may not change the schema. Every migration, RunPython ones included, runs on that connection."""

from django.core.management.commands import migrate
from django.db import connections

from recruitee.tenancy.db import as_owner


class Command(migrate.Command):
    help = f"{migrate.Command.help} Runs as DATABASE_OWNER_URL's role when that is set."

    def handle(self, *args, **options):
        with as_owner(connections[options["database"]]):
            return super().handle(*args, **options)
