import pytest

from tests.browser import browser_context, page, results_dir  # noqa: F401 - fixtures for this folder
from tests.integration.worker import celery_worker, worker_settings  # noqa: F401 - fixtures for this folder
from tests.mailbox.smtp_server import SMTPTestServer


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback that the worker process delivers to."""
    with SMTPTestServer() as server:
        yield server
