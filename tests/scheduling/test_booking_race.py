"""Two candidates booking at the same moment, as two real concurrent requests on PostgreSQL.

Each request runs in its own thread with its own database connection. A third connection holds the row lock of the
interviewers the bookings need, so both get as far as they can and wait side by side; then it lets go. Whatever the
order they run in, one slot makes one interview, and a pool member's limit holds.
"""

import threading

import pytest
from django.db import connections
from django.test import Client

from recruitee.tenancy.db import across_tenants
from scheduling.models import Interview, Participant
from tests.locks import wait_for_lock_waiters

from .booking_fixtures import (
    another_candidate,
    at,
    booking_day,
    busy,
    existing_interview,
    interviewer,
    no_booking_limits,  # noqa: F401  (a fixture, used through pytestmark)
    offered_starts,
    send_link,
    start_param,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_booking_limits")]


def book_at_once(bookings, members) -> list:
    """POST every (link, start) booking from its own browser at the same moment; the answers in the same order."""
    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    with across_tenants("test setup"), holder.cursor() as cursor:
        cursor.execute("select id from tenancy_membership where id = any(%s) for update", [[m.pk for m in members]])
    answers = [None] * len(bookings)

    def candidate(n, link, start):
        try:
            answers[n] = Client().post(f"{link.url}confirm/", {"start": start_param(start), "tz": "UTC"})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=candidate, args=(n, link, start))
               for n, (link, start) in enumerate(bookings)]
    for thread in threads:
        thread.start()
    try:
        wait_for_lock_waiters(len(bookings))
    finally:
        holder.rollback()
        holder.close()
    for thread in threads:
        thread.join(60)
    assert all(answer is not None for answer in answers), "a booking did not answer"
    return answers


def interviews_of(member) -> list[Interview]:
    with across_tenants("test setup"):
        return list(Interview.objects.filter(participants__member=member,
                                             participants__role=Participant.Role.INTERVIEWER,
                                             status=Interview.Status.SCHEDULED).exclude(title="Earlier interview"))


def test_it_books_the_last_free_slot_once_when_two_candidates_take_it_at_the_same_moment(owner, acme,
                                                                                          acme_candidate):
    day = booking_day()
    xena = interviewer(acme, "Xena Expert")
    busy(xena, day, "09:00", "10:00")
    busy(xena, day, "11:00", "17:00")  # 10:00-11:00 is her last free hour
    first = send_link(owner, acme_candidate, panel=[xena], day=day)
    second = send_link(owner, another_candidate(acme), panel=[xena], day=day)
    for link in (first, second):
        assert offered_starts(Client().get(f"{link.url}?tz=UTC")) == [at(day, "10:00")]

    answers = book_at_once([(first, at(day, "10:00")), (second, at(day, "10:00"))], [xena])

    assert sorted(answer.status_code for answer in answers) == [303, 409]
    [taken] = [answer for answer in answers if answer.status_code == 409]
    assert "This time is no longer available" in taken.content.decode()
    assert offered_starts(taken) == []  # and nothing else is left
    [interview] = interviews_of(xena)
    assert interview.start == at(day, "10:00")
    with across_tenants("test setup"):
        assert Interview.objects.count() == 1
    statuses = sorted(link.fresh().status for link in (first, second))
    assert statuses == ["booked", "opened"]


@pytest.mark.parametrize("fallback", [True, False], ids=["pool of two", "pool of one"])
def test_it_never_books_a_pool_member_over_their_limit_under_concurrent_bookings(owner, acme, acme_candidate,
                                                                                 fallback):
    day = booking_day()
    paula = interviewer(acme, "Paula Pool", max_interviews_per_day=1)
    quinn = interviewer(acme, "Quinn Pool")
    # Quinn has more interviews this week: both bookings would rather have Paula, who may take only one that day.
    existing_interview(quinn, acme_candidate, owner, day, "09:00")
    existing_interview(quinn, acme_candidate, owner, day, "16:00")
    pool = [paula, quinn] if fallback else [paula]
    first = send_link(owner, acme_candidate, pool=pool, pool_size=1, day=day)
    second = send_link(owner, another_candidate(acme), pool=pool, pool_size=1, day=day)

    answers = book_at_once([(first, at(day, "11:00")), (second, at(day, "14:00"))], pool)

    assert len(interviews_of(paula)) == 1
    if fallback:
        assert [answer.status_code for answer in answers] == [303, 303]
        assert len(interviews_of(quinn)) == 1  # the second booking went to the next in line
    else:
        assert sorted(answer.status_code for answer in answers) == [303, 409]
        with across_tenants("test setup"):
            assert Interview.objects.exclude(title="Earlier interview").count() == 1
