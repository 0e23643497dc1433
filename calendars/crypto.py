"""Encryption of OAuth tokens at rest: MultiFernet built from TOKEN_ENCRYPTION_KEYS (comma-separated, newest first).

Encrypting always uses the newest key; decrypting tries each key, so a key can be retired once
`manage.py rotate_token_keys` has re-encrypted every token with the newest one.
"""

import base64
import binascii
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class TokenKeyError(Exception):
    """TOKEN_ENCRYPTION_KEYS is missing or holds something that is not a Fernet key."""


class TokenDecryptionError(Exception):
    """A stored token cannot be decrypted with any configured key (wrong key, key removed too early, tampering)."""


def parse_keys(raw: str) -> list[bytes]:
    keys = [part.strip() for part in raw.split(",") if part.strip()]
    if not keys:
        raise TokenKeyError("TOKEN_ENCRYPTION_KEYS is empty: set one or more Fernet keys, newest first.")
    for position, key in enumerate(keys, start=1):
        try:
            decoded = base64.urlsafe_b64decode(key.encode())
        except (binascii.Error, ValueError):
            decoded = b""
        if len(decoded) != 32:
            # Never echo the key itself: it is a secret even when malformed.
            raise TokenKeyError(
                f"Key number {position} in TOKEN_ENCRYPTION_KEYS is not a Fernet key "
                "(32 url-safe base64-encoded bytes; make one with "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)."
            )
    return [key.encode() for key in keys]


@lru_cache(maxsize=4)
def _fernet_for(raw: str) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in parse_keys(raw)])


def fernet() -> MultiFernet:
    # Keyed on the setting's value so tests (and a rotation in a running shell) see a changed setting at once.
    return _fernet_for(settings.TOKEN_ENCRYPTION_KEYS)


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str, *, what: str) -> str:
    try:
        return fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        # InvalidToken carries no message; say which row failed, never what it held.
        raise TokenDecryptionError(
            f"Cannot decrypt {what} with any key in TOKEN_ENCRYPTION_KEYS. Was a key removed before "
            "`manage.py rotate_token_keys` ran, or is the key list from another deployment?"
        ) from None


def rotate(ciphertext: str, *, what: str) -> str:
    try:
        return fernet().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise TokenDecryptionError(f"Cannot re-encrypt {what}: no configured key decrypts it.") from None
