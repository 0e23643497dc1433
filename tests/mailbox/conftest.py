import pytest

from tests.mailbox.smtp_server import SMTPTestServer


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, and Django configured to send through it."""
    with SMTPTestServer() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        yield server
