"""Staff see every company's mail and the system mail in the Django admin, read-only, and can retry from there."""

import pytest
from django.test import Client

from recruitee.accounts.models import User
from recruitee.tenancy.db import across_tenants
from tests.mailbox.factories import failed_message

pytestmark = pytest.mark.django_db


def test_it_shows_the_outbox_to_staff_read_only_with_a_retry_action(
    owner, acme_candidate, django_capture_on_commit_callbacks
):
    message = failed_message(owner, acme_candidate, with_attachment=True)
    staff = Client()
    staff.force_login(User.objects.create_superuser(email="staff@recruitee.test", password="a-long-passphrase"),
                      backend="allauth.account.auth_backends.AuthenticationBackend")
    assert b"Offer letter for the rocket project" in staff.get("/admin/mailbox/message/").content
    page = staff.get(f"/admin/mailbox/message/{message.pk}/change/")
    assert b"offer.pdf" in page.content and b"refused every recipient" in page.content
    assert staff.post(f"/admin/mailbox/message/{message.pk}/change/", {"subject": "edited"}).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        staff.post("/admin/mailbox/message/", {"action": "retry", "_selected_action": [message.pk]})
    with across_tenants("test setup"):
        message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
