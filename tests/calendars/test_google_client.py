"""The Google Calendar client: one per process, shared by every thread (the sync fetches in threads of its own),
each thread sending over its own connection with the token it was given."""

import threading

import pytest

from calendars.providers.google import GoogleProvider, calendar_api, events_api
from tests.sandbox_fixtures import consent, query_of

pytestmark = pytest.mark.django_db

REDIRECT_URI = "http://127.0.0.1:8000/oauth/calendar/google/"
ACCOUNTS = ["dana.schmidt@sandbox-google.test", "li.wei@sandbox-google.test"]


def access_token(adapter: GoogleProvider, email: str) -> str:
    start = adapter.begin_authorization(state="test-state", redirect_uri=REDIRECT_URI)
    grant = adapter.complete_authorization(flow=start.flow, params=query_of(consent(start.url, email)),
                                           redirect_uri=REDIRECT_URI)
    return grant.tokens.access_token


def test_threads_share_one_client_and_each_is_answered_for_its_own_token(providers):
    adapter = GoogleProvider()
    tokens = {email: access_token(adapter, email) for email in ACCOUNTS}
    answers: dict[str, set[str]] = {email: set() for email in ACCOUNTS}
    clients, failures = set(), []
    ready = threading.Barrier(len(ACCOUNTS) * 2)

    def read_account(email: str) -> None:
        try:
            ready.wait(timeout=10)  # all at once, as the sync's prefetch threads start
            for _ in range(5):
                clients.add(id(events_api()))
                answers[email].add(adapter.account(access_token=tokens[email]).email)
        except Exception as error:  # noqa: BLE001 -- reported below, from the test's thread
            failures.append(error)

    threads = [threading.Thread(target=read_account, args=(email,)) for email in ACCOUNTS for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert answers == {email: {email} for email in ACCOUNTS}
    assert len(clients) == 1


def test_a_request_sent_without_its_threads_connection_goes_nowhere(providers):
    # The shared client holds no credentials: a request not given a thread's authorised connection must fail here,
    # never go out to Google anonymously.
    request = calendar_api().calendarList().get(calendarId="primary")
    with pytest.raises(RuntimeError, match="without its thread's http"):
        request.execute(num_retries=0)
