"""A sync runs with Python's cycle collector off (see calendars.sync.engine): nothing it does per page may leave
objects in reference cycles, or they would pile up until the sync ends (a 100,000-event calendar is 40 pages)."""

import gc

import pytest

from calendars.models import Event
from recruitee.tenancy.db import across_tenants
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT
from tests.calendars.test_sync import connected, sync

pytestmark = pytest.mark.django_db


def cycles_left_by_a_full_sync(connection) -> int:
    """Objects in reference cycles that a full sync of the connection left behind (the collector stays off until
    they are counted: the sync turns it back on only when it was on before)."""
    gc.collect()
    gc.disable()
    try:
        sync(connection, full=True)
        return gc.collect()
    finally:
        gc.enable()


@pytest.mark.parametrize(("provider", "account"), [("google", GOOGLE_ACCOUNT), ("microsoft", OUTLOOK_ACCOUNT)])
def test_it_leaves_no_reference_cycles_behind_page_after_page(providers, owner_client, settings, provider, account):
    connection = connected(owner_client, provider, account, all_calendars=False)
    sync(connection, full=True)
    with across_tenants("test setup"):
        events = Event.objects.filter(calendar__connection=connection).count()
    assert events >= 60

    settings.CALENDAR_SYNC_PAGE_SIZE = settings.CALENDAR_SYNC_GRAPH_PAGE_SIZE = -(-events // 2)
    two_pages = cycles_left_by_a_full_sync(connection)
    settings.CALENDAR_SYNC_PAGE_SIZE = settings.CALENDAR_SYNC_GRAPH_PAGE_SIZE = -(-events // 20)
    twenty_pages = cycles_left_by_a_full_sync(connection)

    # What a sync makes once (its threads' clients) may stay until the next collection; nothing may come per page.
    # (Google's client built its events collection anew for every page: ~240 objects in cycles, ~0.5 MB, each.)
    assert twenty_pages - two_pages < 18 * 20, (two_pages, twenty_pages)
