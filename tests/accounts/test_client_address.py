"""Behind our TLS proxy, lockouts and allauth's rate limits see each client, not the proxy; without a trusted proxy,
a client cannot pick its address with a header of its own."""

import pytest
from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.test import Client, RequestFactory

from recruitee.client_address import client_address
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    """allauth counts in the cache, which outlives a test when it is Redis: these tests count in their own."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "client-address-tests"}}
    cache.clear()


def behind_proxy(client_ip: str, *, sent_by_client: str = "") -> Client:
    """A browser at `client_ip` reaching us through the proxy, which appends what it saw to X-Forwarded-For."""
    forwarded = f"{sent_by_client}, {client_ip}" if sent_by_client else client_ip
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def fail_to_sign_in(client: Client, times: int = 5) -> None:
    for _ in range(times):
        client.post("/accounts/login/", {"login": "owner@acme.test", "password": "wrong-password"})


def signs_in(client: Client) -> bool:
    response = client.post("/accounts/login/", {"login": "owner@acme.test", "password": PASSWORD})
    return response.status_code == 302


def test_it_locks_out_only_the_client_behind_the_proxy_that_guessed(settings, owner):
    settings.TRUSTED_PROXY_COUNT = 1
    fail_to_sign_in(behind_proxy("198.51.100.7"))
    assert not signs_in(behind_proxy("198.51.100.7"))
    assert signs_in(behind_proxy("203.0.113.20"))  # the owner, elsewhere, behind the same proxy


def test_it_ignores_what_a_client_puts_in_the_header_ahead_of_the_proxy(settings, owner):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):  # a new made-up address on every try
        fail_to_sign_in(behind_proxy("198.51.100.7", sent_by_client=f"192.0.2.{n}"), times=1)
    assert not signs_in(behind_proxy("198.51.100.7", sent_by_client="192.0.2.99"))


def test_it_ignores_a_forwarded_header_without_a_trusted_proxy(settings, owner):
    assert settings.TRUSTED_PROXY_COUNT == 0
    for n in range(5):
        client = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        fail_to_sign_in(client, times=1)
    assert not signs_in(Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.99"))
    assert signs_in(Client(REMOTE_ADDR="203.0.113.20"))


def test_allauth_rate_limits_each_client_behind_the_proxy(settings, owner):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "2/m/ip"}
    asker = behind_proxy("198.51.100.7")
    answers = [asker.post("/accounts/password/reset/", {"email": f"x{n}@example.com"}).status_code
               for n in range(3)]
    assert answers == [302, 302, 429]
    other = behind_proxy("203.0.113.20")
    assert other.post("/accounts/password/reset/", {"email": "y@example.com"}).status_code == 302


@pytest.mark.parametrize(("count", "remote", "forwarded", "expected"), [
    (0, "198.51.100.7", "192.0.2.1", "198.51.100.7"),
    (1, PROXY, "192.0.2.1, 198.51.100.7", "198.51.100.7"),
    (2, "10.0.0.3", "192.0.2.1, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
    (1, PROXY, "", PROXY),  # a health check straight to the web process
    (2, "10.0.0.3", "198.51.100.7", "10.0.0.3"),  # fewer hops than our proxies: only the peer is known
    (1, PROXY, "not-an-address", PROXY),
    (1, PROXY, "[2001:db8::7]:443", "2001:db8::7"),
    (1, PROXY, "198.51.100.7:51234", "198.51.100.7"),
])
def test_allauth_and_axes_see_the_same_address(settings, count, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **extra)
    assert client_address(request) == expected
    assert get_adapter(request).get_client_ip(request) == expected

    from axes.helpers import get_client_ip_address

    assert get_client_ip_address(request) == expected
