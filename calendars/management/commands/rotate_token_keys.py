from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from calendars.crypto import TokenDecryptionError, rotate
from calendars.fields import Ciphertext
from calendars.models import CalendarConnection
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Company
from recruitee.tenancy.services import audit_record

TOKEN_FIELDS = ("access_token", "refresh_token")


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored OAuth token with the newest key in TOKEN_ENCRYPTION_KEYS. "
        "Afterwards the older keys can be removed from the list."
    )

    def handle(self, *args, **options):
        rotated = 0
        failures = []
        with across_tenants("rotate_token_keys: every company's calendar tokens"):
            ids = list(CalendarConnection.objects.order_by("pk").values_list("pk", flat=True))
            for connection_id in ids:
                try:
                    self._rotate_one(connection_id)
                except TokenDecryptionError as error:
                    failures.append(str(error))
                else:
                    rotated += 1
            for company in Company.objects.filter(calendar_connections__isnull=False).distinct():
                audit_record(company=company, actor=None, action="tokens.rotated",
                             summary="Calendar tokens were re-encrypted with the newest key")
        self.stdout.write(f"Re-encrypted the tokens of {rotated} connection(s).")
        if failures:
            raise CommandError("Some tokens could not be re-encrypted:\n" + "\n".join(failures))

    @staticmethod
    @transaction.atomic
    def _rotate_one(connection_id: int) -> None:
        connection = CalendarConnection.objects.select_for_update().get(pk=connection_id)
        for name in TOKEN_FIELDS:
            stored = connection.__dict__.get(name)
            if stored:
                what = f"{name} of CalendarConnection {connection_id}"
                setattr(connection, name, Ciphertext(rotate(stored, what=what)))
        connection.save(update_fields=list(TOKEN_FIELDS))
