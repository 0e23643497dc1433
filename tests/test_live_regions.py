"""Status changes that htmx makes are announced from polite regions that the swaps leave in place (issue 15).

A polled status (a message's badge every 2 s, a calendar's sync progress every second) is swapped with outerHTML:
a live region inside it, or the element itself, would be replaced at every poll and announced unreliably. Each
status is followed by a `role=status` region `#<its id>-live`; the status picks itself out of the answer
(`hx-select` of its own id), so the region of the answer is dropped and the page's region stays. static/js/forms.js
writes into it when the status's `data-live` phase changes. The week view's grid, redrawn every 30 s, is not live.
"""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from calendars.models import CalendarConnection
from mailbox.models import Message
from recruitee.tenancy.db import across_tenants
from tests.calendars.factories import connected_calendar
from tests.mailbox.factories import failed_message, send_to_candidate

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict, parent: "Element | None"):
        self.tag, self.attrs, self.parent, self.text = tag, attrs, parent, ""

    def ancestors(self):
        element = self.parent
        while element is not None:
            yield element
            element = element.parent

    def inside(self, other: "Element") -> bool:
        return any(ancestor is other for ancestor in self.ancestors())


class Tree(HTMLParser):
    """Every element of a page with its parent: enough to say what a swap replaces and what it leaves."""

    def __init__(self, markup: str):
        super().__init__()
        self.root = Element("#root", {}, None)
        self.open = [self.root]
        self.elements: list[Element] = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.open[-1])
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, 0, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                return

    def handle_data(self, data):
        for element in self.open[1:]:
            element.text += data

    def by_id(self, element_id: str) -> Element:
        [element] = [e for e in self.elements if e.attrs.get("id") == element_id]
        return element

    def all(self, **attrs) -> list[Element]:
        return [e for e in self.elements if all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]


def assert_stable_region(tree: Tree, status_id: str) -> Element:
    """The status polls or is a swap target of its own; its region follows it and is never part of what is swapped."""
    status, region = tree.by_id(status_id), tree.by_id(f"{status_id}-live")
    assert status.attrs["hx-select"] == f"#{status_id}"  # only the status is taken from an answer
    assert region.attrs["role"] == "status" and "visually-hidden" in region.attrs["class"]
    assert not region.inside(status) and not status.inside(region)
    assert region.parent is status.parent  # right after it, in the same place
    assert region.text.strip() == ""  # nothing is said when the page loads
    assert region.attrs["data-said"] == status.attrs["data-live"]  # the phase the page was rendered in
    for swapper in [status, *[e for e in tree.elements if e.inside(status) and "hx-target" in e.attrs]]:
        target = swapper.attrs.get("hx-target", f"#{status_id}")
        assert target == f"#{status_id}" and swapper.attrs.get("hx-select", status.attrs["hx-select"]) == target
    # No other live region around it that a swap would make speak again.
    assert not [a for a in status.ancestors() if a.attrs.get("aria-live") or a.attrs.get("role") == "status"]
    return status


@pytest.mark.django_db
def test_a_message_status_is_announced_from_a_region_that_stays(teammate_client, teammate, acme_candidate,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as delivery:
        message = send_to_candidate(teammate, acme_candidate, subject="Next steps")
    status_id = f"message-{message.pk}-status"

    page = Tree(teammate_client.get(f"/acme/candidates/{acme_candidate.pk}/").content.decode())
    status = assert_stable_region(page, status_id)
    assert "every 2s" in status.attrs["hx-trigger"] and status.attrs["hx-swap"] == "outerHTML"
    assert status.attrs["data-live"] == "queued-ok"
    sent_tab = Tree(teammate_client.get("/acme/mailbox/sent/").content.decode())
    assert_stable_region(sent_tab, status_id)
    assert_stable_region(Tree(teammate_client.get(f"/acme/mailbox/messages/{message.pk}/").content.decode()),
                         status_id)

    # The poll's answer, as htmx gets it: the same status while queued, the region outside what hx-select takes.
    status_url = status.attrs["hx-get"]
    polled = Tree(teammate_client.get(status_url, HTTP_HX_REQUEST="true").content.decode())
    assert polled.by_id(status_id).attrs["data-live"] == "queued-ok"
    assert not polled.by_id(f"{status_id}-live").inside(polled.by_id(status_id))

    delivery[0]()  # the worker delivers: the next poll brings a new phase, and stops polling
    with across_tenants("test setup"):
        assert Message.objects.get(pk=message.pk).status == Message.Status.SENT
    polled = Tree(teammate_client.get(status_url, HTTP_HX_REQUEST="true").content.decode())
    settled = polled.by_id(status_id)
    assert settled.attrs["data-live"] == "sent-ok" and "hx-get" not in settled.attrs
    assert "Sent" in settled.text


@pytest.mark.django_db
def test_a_failed_message_keeps_its_region_when_retried(owner_client, owner, acme_candidate):
    message = failed_message(owner, acme_candidate)
    status_id = f"message-{message.pk}-status"
    page = Tree(owner_client.get("/acme/mailbox/sent/").content.decode())
    status = assert_stable_region(page, status_id)
    assert status.attrs["data-live"] == "failed-reason"
    [retry] = [e for e in page.elements if e.tag == "form" and e.inside(status)]
    assert retry.attrs["hx-select"] == f"#{status_id}" and retry.attrs["hx-swap"] == "outerHTML"


@pytest.mark.django_db
def test_the_sync_progress_is_announced_from_a_region_that_stays(owner_client, owner):
    calendar = connected_calendar(owner)
    connection_id = calendar.connection_id
    status_id = f"sync-{connection_id}"

    page = Tree(owner_client.get("/acme/calendars/").content.decode())
    status = assert_stable_region(page, status_id)
    assert status.attrs["data-live"] == "waiting" and status.attrs["hx-trigger"] == "every 1s"
    status_url = status.attrs["hx-get"]

    with across_tenants("test setup"):
        CalendarConnection.objects.filter(pk=connection_id).update(
            sync_lock_token="worker-1", sync_heartbeat_at=timezone.now(), sync_pages_fetched=3,
            sync_events_stored=120)
    polled = Tree(owner_client.get(status_url, HTTP_HX_REQUEST="true").content.decode())
    syncing = polled.by_id(status_id)
    assert syncing.attrs["data-live"] == "syncing" and "3 pages fetched" in syncing.text
    assert not polled.by_id(f"{status_id}-live").inside(syncing)

    with across_tenants("test setup"):
        CalendarConnection.objects.filter(pk=connection_id).update(
            sync_lock_token="", sync_heartbeat_at=None, last_sync_at=timezone.now() - timedelta(seconds=5),
            events_count=120)
    polled = Tree(owner_client.get(status_url, HTTP_HX_REQUEST="true").content.decode())
    synced = polled.by_id(status_id)
    assert synced.attrs["data-live"] == "synced" and "hx-get" not in synced.attrs
    assert "Synced 120 events" in synced.text
    # "Sync now" swaps the same status, with the same selection.
    [sync_now] = [e for e in polled.elements if e.tag == "form" and e.inside(synced)]
    assert sync_now.attrs["hx-target"] == f"#{status_id}" and sync_now.attrs["hx-select"] == f"#{status_id}"


@pytest.mark.django_db
def test_the_week_views_refreshed_grid_is_not_announced(owner_client):
    page = Tree(owner_client.get("/acme/calendar/").content.decode())
    grid = page.by_id("week-grid")
    assert "every 30s" in grid.attrs["hx-trigger"]
    live = [e for e in page.elements
            if e.attrs.get("aria-live") not in (None, "off") or e.attrs.get("role") == "status"]
    assert not [e for e in live if e is grid or e.inside(grid) or grid.inside(e)]
