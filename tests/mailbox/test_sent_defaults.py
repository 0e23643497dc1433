"""Where the Sent tab opens: admins on everyone's mail, recruiters on their own, and an interviewer (who sends
nothing) on a page that says what the Mailbox is for."""

import re

import pytest

from tests.mailbox.factories import failed_message, send_to_candidate
from tests.mailbox.test_pages import rows

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}


def subjects(page) -> list[str]:
    return re.findall(r'<a class="fw-medium" href="/acme/mailbox/messages/\d+/">(.*?)</a>', page.content.decode())


def current_tab(page) -> str:
    return re.search(r'class="btn btn-outline-secondary active" aria-current="page" href="[^"]*">(\w+)</a>',
                     page.content.decode()).group(1)


def test_it_opens_an_admins_sent_tab_on_everyone(owner_client, owner, teammate, acme_candidate):
    send_to_candidate(owner, acme_candidate, subject="From the owner")
    send_to_candidate(teammate, acme_candidate, subject="From the teammate")

    page = owner_client.get("/acme/mailbox/sent/")
    assert current_tab(page) == "Everyone"
    assert subjects(page) == ["From the teammate", "From the owner"]
    html = page.content.decode()
    assert "Everything sent from Acme Inc., by people and automatically" in html
    assert 'href="?who=mine">Mine</a>' in html
    assert 'name="who"' not in html  # the search stays on everyone's mail

    mine = owner_client.get("/acme/mailbox/sent/?who=mine")
    assert current_tab(mine) == "Mine"
    assert subjects(mine) == ["From the owner"]
    assert '<input type="hidden" name="who" value="mine">' in mine.content.decode()  # searching keeps to mine


def test_it_keeps_an_admin_on_mine_while_filtering(owner_client, owner, teammate, acme_candidate):
    failed_message(owner, acme_candidate)
    failed_message(teammate, acme_candidate)

    everyone = owner_client.get("/acme/mailbox/sent/").content.decode()
    assert "2 messages could not be sent." in everyone and 'href="?status=failed">Show them</a>' in everyone
    mine = owner_client.get("/acme/mailbox/sent/?who=mine").content.decode()
    assert "1 message could not be sent." in mine and 'href="?who=mine&amp;status=failed">Show it</a>' in mine
    nothing = owner_client.get("/acme/mailbox/sent/?who=mine&q=no-such-thing", **HTMX).content.decode()
    assert 'No messages match. <a href="?who=mine">Show all</a>' in nothing


def test_it_shows_a_recruiter_their_own_mail_without_a_choice(teammate_client, owner, teammate, acme_candidate):
    send_to_candidate(owner, acme_candidate, subject="From the owner")
    send_to_candidate(teammate, acme_candidate, subject="From the teammate")

    for query in ("", "?who=everyone", "?who=mine"):
        page = teammate_client.get(f"/acme/mailbox/sent/{query}")
        assert subjects(page) == ["From the teammate"]
        assert 'aria-label="Whose messages"' not in page.content.decode()


def test_it_tells_an_interviewer_what_the_mailbox_is_for(interviewer_client):
    page = interviewer_client.get("/acme/mailbox/sent/").content.decode()
    assert "What the Mailbox is for" in page
    assert "Invitations to your interviews come from the recruiter who schedules them" in page
    assert "reach you at <strong>interviewer@acme.test</strong>" in page
    assert '<a href="/acme/calendars/">Connect your calendar</a>' in page
    # Nothing to search, and no sending limits for someone who sends nothing.
    assert 'role="search"' not in page and "Sending limits" not in page
    assert "What the Mailbox is for" in interviewer_client.get("/acme/mailbox/sent/", **HTMX).content.decode()


def test_it_lists_what_an_interviewer_did_send(interviewer_client, interviewer, acme_candidate):
    # Someone who was a recruiter before keeps the mail they sent then.
    send_to_candidate(interviewer, acme_candidate, subject="Sent while a recruiter")
    page = interviewer_client.get("/acme/mailbox/sent/")
    [row] = rows(page)
    assert row.startswith("Wile E. Coyote Sent while a recruiter Wile E. Coyote Candidate")
    assert "What the Mailbox is for" not in page.content.decode()
