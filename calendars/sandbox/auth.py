"""OAuth bookkeeping shared by both providers: clients, consent requests, codes, grants and tokens.

All records live in `State` and are only touched while its lock is held.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


@dataclass
class Client:
    provider: str
    client_id: str
    secret: str
    redirect_uris: set[str] = field(default_factory=set)


@dataclass
class ConsentRequest:
    """An authorize request waiting for the person to pick an account or deny."""

    id: str
    provider: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    challenge: str
    offline: bool
    prompt: str
    nonce: str | None = None
    tenant: str = "common"
    response_mode: str = "query"
    login_hint: str | None = None
    client_info: bool = False
    created: float = field(default_factory=time.time)


@dataclass
class AuthCode:
    code: str
    provider: str
    account: tuple[str, str]
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    challenge: str
    offline: bool
    expires_at: float
    nonce: str | None = None
    tenant: str = "common"
    used: bool = False


@dataclass
class Grant:
    """One refresh-token family: what a person consented to for one client."""

    provider: str
    account: tuple[str, str]
    client_id: str
    scopes: tuple[str, ...]
    refresh_token: str | None
    tenant: str = "common"
    revoked: bool = False
    previous: set[str] = field(default_factory=set)  # rotated-away Microsoft refresh tokens


@dataclass
class AccessToken:
    token: str
    grant: Grant
    expires_at: float
    scopes: tuple[str, ...]
    revoked: bool = False

    @property
    def account(self) -> tuple[str, str]:
        return self.grant.account

    def valid(self, now: float) -> bool:
        return not self.revoked and not self.grant.revoked and now < self.expires_at


def new_token(prefix: str, nbytes: int = 32) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def pkce_ok(verifier: str | None, challenge: str) -> bool:
    if not verifier or not re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", verifier):
        return False
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return hmac.compare_digest(digest, challenge)


def basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = raw.partition(":")
    return (user, password) if sep else None


def is_loopback_uri(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and parts.hostname in ("127.0.0.1", "localhost", "::1")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@lru_cache(maxsize=1)
def signing_key() -> rsa.RSAPrivateKey:
    # One key per process: generating RSA keys is slow and id_token signatures are not checked by clients.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY_ID = "sandbox-key-1"


def sign_jwt(claims: dict[str, Any]) -> str:
    header = {"typ": "JWT", "alg": "RS256", "kid": KEY_ID}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode()) + "."
        + b64url(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    )
    signature = signing_key().sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(signature)


def jwks() -> dict[str, Any]:
    numbers = signing_key().public_key().public_numbers()

    def enc(n: int) -> str:
        return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))

    return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": KEY_ID, "n": enc(numbers.n),
                      "e": enc(numbers.e)}]}


def public_key_pem() -> bytes:
    return signing_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
