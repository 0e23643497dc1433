from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings

from scheduling.week_layout import SLOTS_PER_DAY, Block, assign_lanes
from tests.calendars.factories import connected_calendar, event

pytestmark = pytest.mark.django_db


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    # November 2026 in Berlin is UTC+1.
    return datetime(2026, 11, day, hour - 1, minute, tzinfo=UTC)


@pytest.fixture
def week(owner, teammate):
    owner.user.time_zone = "Europe/Berlin"
    owner.user.save()
    mine = connected_calendar(owner)
    theirs = connected_calendar(teammate)
    event(mine, "Design review", berlin(24, 10), berlin(24, 11))
    event(mine, "Overlapping 1:1", berlin(24, 10, 30), berlin(24, 11, 30))
    event(mine, "Lunch (free)", berlin(25, 12), berlin(25, 13), is_busy=False)
    event(mine, "Night shift", berlin(26, 22), berlin(27, 2))
    event(mine, "Conference", datetime(2026, 11, 26, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC),
          all_day=True, start_date=date(2026, 11, 26), end_date=date(2026, 11, 28))
    event(theirs, "Teammate secret dentist", berlin(24, 14), berlin(24, 15))
    event(theirs, "Teammate optional webinar", berlin(24, 16), berlin(24, 17), is_busy=False)
    return mine, theirs


def test_it_shows_my_week_in_my_time_zone(owner_client, week):
    page = owner_client.get("/acme/calendar/", {"date": "2026-11-25"}).content.decode()
    assert "Week of 23 November 2026" in page
    assert "Times in Europe/Berlin" in page
    assert "10:00–11:00" in page and "Design review" in page
    # Across midnight: one block until midnight, one after it.
    assert "22:00–00:00" in page and "00:00–02:00" in page
    assert "Conference" in page and "all-day" in page


def test_it_lays_overlapping_events_side_by_side(owner_client, week):
    page = owner_client.get("/acme/calendar/", {"date": "2026-11-24"}).content.decode()
    assert page.count("lane-0-of-2") == 1 and page.count("lane-1-of-2") == 1


def test_it_shows_teammates_busy_times_without_titles(owner_client, week, teammate):
    page = owner_client.get("/acme/calendar/", {"date": "2026-11-24", "with": teammate.pk}).content.decode()
    assert "14:00–15:00" in page
    assert "Teammate secret dentist" not in page
    assert "Teammate optional webinar" not in page  # free time is neither a conflict nor ours to see
    assert "Busy" in page


def test_it_says_when_availability_is_unknown(owner_client, interviewer):
    page = owner_client.get("/acme/calendar/", {"with": interviewer.pk}).content.decode()
    assert "Ivan Interviewer has no connected calendar: availability unknown." in page
    assert "You have no connected calendar yet" in page


def test_it_survives_a_bad_date_and_unknown_teammates(owner_client, week, outsider):
    assert owner_client.get("/acme/calendar/", {"date": "2026-13-45", "with": ["abc", outsider.pk]}).status_code == 200


def test_it_has_a_css_class_for_every_slot_and_lane():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "week-slots.css").read_text()
    for slot in range(SLOTS_PER_DAY):
        assert f".wk-t-{slot}{{" in css
    for height in range(1, SLOTS_PER_DAY + 1):
        assert f".wk-h-{height}{{" in css
    assert ".lane-5-of-6{" in css


def test_it_gives_a_whole_cluster_of_overlaps_one_lane_count():
    def block(start_hour, end_hour):
        return Block(title="", start=datetime(2026, 1, 1, start_hour, tzinfo=UTC),
                     end=datetime(2026, 1, 1, end_hour, tzinfo=UTC), busy=True, own=True, source_id=0)

    a, b, c, d = block(9, 12), block(10, 11), block(11, 12), block(13, 14)
    assign_lanes([a, b, c, d])
    assert (a.lane, b.lane, c.lane) == (0, 1, 1)
    assert a.lanes == b.lanes == c.lanes == 2
    assert (d.lane, d.lanes) == (0, 1)


def test_a_title_with_markup_shows_as_text_in_the_block_and_its_tooltip(owner_client, owner):
    owner.user.time_zone = "Europe/Berlin"
    owner.user.save()
    event(connected_calendar(owner), '<img src=x onerror="alert(1)"> Q&A', berlin(24, 10), berlin(24, 11))
    page = owner_client.get("/acme/calendar/", {"date": "2026-11-24"}).content.decode()
    assert "<img src=x" not in page
    assert '<span class="wk-title">&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Q&amp;A</span>' in page
    assert 'title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Q&amp;A · 10:00–11:00"' in page
