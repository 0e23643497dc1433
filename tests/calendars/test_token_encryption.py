import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection as db

from calendars.checks import token_encryption_keys_check
from calendars.crypto import TokenDecryptionError
from calendars.models import CalendarConnection, Provider
from recruitee.tenancy.db import across_tenants

pytestmark = pytest.mark.django_db

ACCESS = "ya29.access-token-PLAINTEXT-0123456789"
REFRESH = "1//refresh-token-PLAINTEXT-abcdefghij"


@pytest.fixture
def connection(owner):
    with across_tenants("test setup"):
        return CalendarConnection.objects.create(
            company=owner.company, member=owner, provider=Provider.GOOGLE, account_id="acct-1",
            account_email="owner@gmail.test", access_token=ACCESS, refresh_token=REFRESH,
        )


def raw_tokens(pk: int) -> tuple[str, str]:
    with across_tenants("test setup"), db.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM calendars_calendarconnection WHERE id = %s", [pk])
        return cursor.fetchone()


def test_it_stores_only_fernet_ciphertext(connection):
    access, refresh = raw_tokens(connection.pk)
    for stored, plain in ((access, ACCESS), (refresh, REFRESH)):
        assert stored.startswith("gAAAAA")
        assert "PLAINTEXT" not in stored and plain not in stored
    with across_tenants("test setup"):
        fresh = CalendarConnection.objects.get(pk=connection.pk)
        values = CalendarConnection.objects.values_list("access_token", flat=True).get(pk=connection.pk)
    assert fresh.access_token == ACCESS and fresh.refresh_token == REFRESH
    assert "PLAINTEXT" not in values
    assert "PLAINTEXT" not in repr(fresh) and "PLAINTEXT" not in str(fresh)


def test_it_names_the_row_when_no_key_decrypts(connection, settings):
    settings.TOKEN_ENCRYPTION_KEYS = Fernet.generate_key().decode()
    with across_tenants("test setup"):
        fresh = CalendarConnection.objects.get(pk=connection.pk)
    with pytest.raises(TokenDecryptionError, match=f"access_token of CalendarConnection {connection.pk}"):
        fresh.access_token  # noqa: B018


def test_it_rotates_to_the_newest_key_so_old_keys_can_go(connection, settings, caplog):
    old_keys = settings.TOKEN_ENCRYPTION_KEYS
    newest = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = f"{newest},{old_keys}"
    before = raw_tokens(connection.pk)
    with caplog.at_level(logging.DEBUG):
        call_command("rotate_token_keys")
    after = raw_tokens(connection.pk)
    assert before != after and all(value.startswith("gAAAAA") for value in after)
    assert REFRESH not in caplog.text and ACCESS not in caplog.text

    settings.TOKEN_ENCRYPTION_KEYS = newest  # the old keys are gone now
    with across_tenants("test setup"):
        fresh = CalendarConnection.objects.get(pk=connection.pk)
    assert fresh.access_token == ACCESS and fresh.refresh_token == REFRESH


def test_it_fails_the_system_check_on_a_malformed_key(settings):
    settings.TOKEN_ENCRYPTION_KEYS = "not-a-key"
    errors = token_encryption_keys_check(None)
    assert [error.id for error in errors] == ["calendars.E001"]
    assert "not-a-key" not in errors[0].msg
    settings.TOKEN_ENCRYPTION_KEYS = ""
    assert token_encryption_keys_check(None)[0].id == "calendars.E001"
