"""Reading a provider's page of events from its JSON: what the fast decoder refuses still reads."""

import json
from datetime import UTC, datetime

import pytest

from calendars.providers import google_pages, microsoft_pages
from calendars.providers.base import ProviderCalendar

CALENDAR = ProviderCalendar(calendar_id="primary", name="Work", time_zone="Europe/Berlin")
WINDOW = (datetime(2030, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC))
GOOGLE_EVENT = {"id": "ev1", "summary": "Coffee", "start": {"dateTime": "2030-05-06T09:00:00Z"},
                "end": {"dateTime": "2030-05-06T09:30:00Z"}}
GRAPH_EVENT = {"id": "ev1", "subject": "Coffee", "start": {"dateTime": "2030-05-06T09:00:00", "timeZone": "UTC"},
               "end": {"dateTime": "2030-05-06T09:30:00", "timeZone": "UTC"}}
# Valid for Python's json, refused by orjson: an integer beyond 64 bits, and NaN (which JSON itself does not know).
ODD_VALUES = ', "sequence": 123456789012345678901234567890, "weight": NaN'


def with_odd_values(event: dict) -> str:
    return json.dumps(event)[:-1] + ODD_VALUES + "}"


@pytest.mark.parametrize(("reader", "content"), [
    (google_pages.read_events_page, '{"items": [' + with_odd_values(GOOGLE_EVENT) + '], "nextSyncToken": "s1"}'),
    (microsoft_pages.read_events_page, '{"value": [' + with_odd_values(GRAPH_EVENT) + '], "@odata.deltaLink": "d1"}'),
])
def test_a_page_with_values_the_fast_decoder_refuses_is_read_all_the_same(reader, content):
    page = reader(content.encode(), calendar=CALENDAR, window=WINDOW)
    assert [(event.provider_event_id, event.title) for event in page.events] == [("ev1", "Coffee")]
    assert page.cursor in ("s1", "d1") and page.skipped == 0
