from django.conf import settings
from django.core.checks import Error, register

from .crypto import TokenKeyError, parse_keys


@register()
def token_encryption_keys_check(app_configs, **kwargs):
    try:
        parse_keys(getattr(settings, "TOKEN_ENCRYPTION_KEYS", "") or "")
    except TokenKeyError as error:
        return [Error(str(error), hint="Fix TOKEN_ENCRYPTION_KEYS in the environment.", id="calendars.E001")]
    return []
