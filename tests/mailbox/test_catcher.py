"""The local mail catcher: `make run` delivers into .eml files that admins read in the app."""

from email import policy
from email.parser import BytesParser

import pytest

from mailbox.catcher import BACKEND, caught_list
from tests.mailbox.factories import send_to_candidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def catcher(settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = BACKEND
    settings.MAILBOX_CATCHER_DIR = tmp_path / "mail"
    return tmp_path / "mail"


def test_it_catches_each_message_in_an_eml_file_and_shows_it_to_admins(
    catcher, owner, owner_client, acme_candidate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_to_candidate(owner, acme_candidate, subject="Welcome to the pipeline",
                                    text="Hi Wile,\n\nwelcome!\n")
    [file] = catcher.glob("*.eml")
    email = BytesParser(policy=policy.default).parsebytes(file.read_bytes())
    assert email["Message-ID"] == message.message_id
    assert [p.get_content_type() for p in email.walk()] == ["multipart/alternative", "text/plain", "text/html"]

    sent = owner_client.get("/acme/mailbox/sent/").content.decode()
    assert 'href="/acme/mailbox/catcher/">Local mail catcher</a>' in sent
    listing = owner_client.get("/acme/mailbox/catcher/").content.decode()
    assert "Welcome to the pipeline" in listing and "wile.coyote@acme-candidates.test" in listing
    [caught] = caught_list()
    page = owner_client.get(f"/acme/mailbox/catcher/{caught.name}/").content.decode()
    assert "multipart/alternative" in page and "text/html" in page
    assert "Hi Wile," in page  # the text part
    assert f'href="/acme/mailbox/messages/{message.pk}/">Open in Sent</a>' in page
    frame = owner_client.get(f"/acme/mailbox/catcher/{caught.name}/body/")
    assert frame["Content-Security-Policy"].endswith("sandbox")
    assert "<p>welcome!</p>" in frame.content.decode()


def test_it_shows_the_catcher_to_admins_of_the_sending_company_only(
    catcher, owner, teammate_client, outsider_client, acme_candidate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_to_candidate(owner, acme_candidate, subject="Only for acme")
    [caught] = caught_list()
    assert teammate_client.get("/acme/mailbox/catcher/").status_code == 403
    assert "Only for acme" not in outsider_client.get("/globex/mailbox/catcher/").content.decode()
    assert outsider_client.get(f"/globex/mailbox/catcher/{caught.name}/").status_code == 404


def test_it_has_no_catcher_without_debug(catcher, settings, owner_client):
    settings.DEBUG = False
    assert owner_client.get("/acme/mailbox/catcher/").status_code == 404
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert owner_client.get("/acme/mailbox/catcher/").status_code == 404
    assert "Local mail catcher" not in owner_client.get("/acme/mailbox/sent/").content.decode()


def test_it_refuses_file_names_that_leave_the_catcher_folder(catcher, owner_client):
    for name in ["..%2F..%2Fetc%2Fpasswd", "20260101T000000.000000-0123abcd", "x" * 40]:
        assert owner_client.get(f"/acme/mailbox/catcher/{name}/").status_code == 404
