from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from calendars.models import CalendarConnection
from calendars.providers.base import ProviderError
from calendars.sync.engine import SyncDeferred, connection_sync
from recruitee.tenancy.db import across_tenants


class Command(BaseCommand):
    help = "Sync calendar connections now, in the foreground, with a progress line."

    def add_arguments(self, parser):
        parser.add_argument("--connection", type=int, help="Only this connection (its id).")
        parser.add_argument("--full", action="store_true", help="Fetch everything again instead of the changes.")

    def handle(self, *args, **options):
        with across_tenants("sync_calendars: the connections of every company"):
            connections = CalendarConnection.objects.select_related("company").order_by("pk")
            if options["connection"]:
                connections = connections.filter(pk=options["connection"])
            connections = list(connections)
        if options["connection"] and not connections:
            raise CommandError(f"There is no calendar connection {options['connection']}.")
        failed = 0
        for connection in connections:
            label = f"#{connection.pk} {connection} ({connection.company.slug})"

            def progress(pages: int, events: int, label=label) -> None:
                self.stdout.write(f"\r{label}: {pages:,} pages, {events:,} events", ending="")
                self.stdout.flush()

            with scope(company=connection.company):
                try:
                    outcome = connection_sync(connection_id=connection.pk, full=options["full"], progress=progress)
                except (SyncDeferred, ProviderError) as error:
                    failed += 1
                    self.stdout.write("")
                    self.stderr.write(f"{label}: {error}")
                    continue
                if not outcome["ran"]:
                    self.stdout.write(f"{label}: another sync is running; it will pick up this request.")
                    continue
                total = CalendarConnection.objects.get(pk=connection.pk).events_count
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS(f"{label}: synced, {total:,} events stored."))
        if failed:
            raise CommandError(f"{failed} connection(s) could not be synced.")
