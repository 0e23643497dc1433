"""The self-scheduling slot computation (scheduling/slots.py): a pure function, tested without a database.

Times are written as wall-clock times in a named zone and compared the same way, as a person reading the
candidate's page (or the recruiter's preview) would."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from scheduling.slots import Person, Rules, SlotResult, compute_slots, pick_pool

BERLIN, NEW_YORK, TOKYO = "Europe/Berlin", "America/New_York", "Asia/Tokyo"
WEEKDAYS = frozenset({1, 2, 3, 4, 5})
EVERY_DAY = frozenset(range(1, 8))
LONG_AGO = datetime(2027, 1, 1, tzinfo=UTC)
# Week 24 of 2027: Monday 14 June to Sunday 20 June, summer time in Berlin and New York.
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2027, 6, 14) + timedelta(days=n) for n in range(7))


def at(zone: str, day: date, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in `zone`, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def person(pid: int = 1, name: str = "Dana Scott", *, zone: str = BERLIN, busy=(), days=WEEKDAYS,
           hours: tuple[time, time] = (time(9), time(17)), **fields) -> Person:
    return Person(id=pid, name=name, zone=zone, working_weekdays=frozenset(days), work_start=hours[0],
                  work_end=hours[1], busy=tuple(busy), **fields)


def rules(first: date, last: date | None = None, *, zone: str = BERLIN, minutes: int = 60, now: datetime = LONG_AGO,
          **fields) -> Rules:
    return Rules(first_day=first, last_day=last or first, zone=zone, duration=timedelta(minutes=minutes), now=now,
                 **fields)


def slots(panel=(), pool=(), pool_needed: int = 0, **rule_fields) -> SlotResult:
    first = rule_fields.pop("first", WED)
    return compute_slots(panel=list(panel), pool=list(pool), pool_needed=pool_needed,
                         rules=rules(first, rule_fields.pop("last", None), **rule_fields))


def on(result: SlotResult, day: date, zone: str = BERLIN) -> list[str]:
    """The slots starting on `day` in `zone`, as "HH:MM" there."""
    local = [slot.start.astimezone(ZoneInfo(zone)) for slot in result.slots]
    return [f"{moment:%H:%M}" for moment in local if moment.date() == day]


def half_hours(first: str, last: str) -> list[str]:
    start, end = datetime.strptime(first, "%H:%M"), datetime.strptime(last, "%H:%M")
    return [f"{start + timedelta(minutes=30 * n):%H:%M}" for n in range(int((end - start) / timedelta(minutes=30)) + 1)]


# --- the grid, working hours, time zones --------------------------------------------------------------------

def test_it_offers_every_half_hour_that_fits_inside_working_hours() -> None:
    result = slots([person()])
    assert on(result, WED) == half_hours("09:00", "16:00")  # 16:00–17:00 ends as the working day ends
    assert all(slot.end - slot.start == timedelta(hours=1) for slot in result.slots)
    assert all(slot.start.tzinfo is UTC and slot.pool_ids == () for slot in result.slots)
    assert [slot.start for slot in result.slots] == sorted(slot.start for slot in result.slots)
    assert result.empty_days == {} and result.problems == []


def test_it_keeps_starts_on_the_hours_grid_not_on_the_start_of_working_hours() -> None:
    late_starter = person(hours=(time(9, 10), time(17)))
    assert on(slots([late_starter]), WED)[0] == "09:30"
    assert on(slots([late_starter], step=timedelta(hours=1)), WED) == ["10:00", "11:00", "12:00", "13:00", "14:00",
                                                                       "15:00", "16:00"]


def test_it_follows_berlin_wall_clock_hours_across_the_start_of_summer_time() -> None:
    # Sunday 2027-03-28: the clocks jump from 02:00 to 03:00.
    result = slots([person(days=EVERY_DAY, hours=(time(0), time(23, 59)))], minutes=30,
                   first=date(2027, 3, 26), last=date(2027, 3, 29))
    sunday = on(result, date(2027, 3, 28))
    assert sunday == ["00:00", "00:30", "01:00", "01:30", *half_hours("03:00", "23:00")]
    assert "02:00" not in sunday and "02:30" not in sunday
    assert at(BERLIN, date(2027, 3, 28), 3) - at(BERLIN, date(2027, 3, 28), 1, 30) == timedelta(minutes=30)
    # 09:00 on both sides of the change is 09:00 on the wall: an hour apart in UTC.
    nine = [slot.start for slot in result.slots if slot.start.astimezone(ZoneInfo(BERLIN)).time() == time(9)]
    assert datetime(2027, 3, 26, 8, tzinfo=UTC) in nine and datetime(2027, 3, 29, 7, tzinfo=UTC) in nine


def test_it_offers_the_repeated_hour_once_when_summer_time_ends() -> None:
    # Sunday 2027-10-31: the clocks go back from 03:00 to 02:00; 02:00 and 02:30 are taken at their first occurrence.
    result = slots([person(days=EVERY_DAY, hours=(time(0), time(23, 59)))], minutes=30,
                   first=date(2027, 10, 29), last=date(2027, 11, 1))
    sunday = on(result, date(2027, 10, 31))
    assert sunday == half_hours("00:00", "23:00")  # 47 starts, none twice
    starts = {slot.start for slot in result.slots}
    assert datetime(2027, 10, 31, 0, 0, tzinfo=UTC) in starts  # 02:00 CEST
    assert datetime(2027, 10, 31, 0, 30, tzinfo=UTC) in starts  # 02:30 CEST
    assert datetime(2027, 10, 31, 1, 0, tzinfo=UTC) not in starts  # 02:00 CET, the repeat
    assert datetime(2027, 10, 31, 1, 30, tzinfo=UTC) not in starts
    assert datetime(2027, 10, 31, 2, 0, tzinfo=UTC) in starts  # 03:00 CET
    friday, monday = date(2027, 10, 29), date(2027, 11, 1)
    assert on(result, friday)[18] == "09:00" and at(BERLIN, friday, 9) == datetime(2027, 10, 29, 7, tzinfo=UTC)
    assert on(result, monday)[18] == "09:00" and at(BERLIN, monday, 9) == datetime(2027, 11, 1, 8, tzinfo=UTC)


def test_it_lasts_the_interview_in_real_time_over_the_repeated_hour() -> None:
    result = slots([person(days=EVERY_DAY, hours=(time(0), time(23, 59)))], first=date(2027, 10, 31))
    half_past_two = next(slot for slot in result.slots if slot.start == datetime(2027, 10, 31, 0, 30, tzinfo=UTC))
    assert half_past_two.end == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # 02:30 CET, an hour later


def test_it_keeps_a_new_york_interviewer_in_their_hours_for_a_candidate_in_tokyo() -> None:
    # New York 09:00–17:00 (UTC-4) is 22:00–06:00 the next day in Tokyo (UTC+9).
    ivan = person(7, "Ivan Ng", zone=NEW_YORK)
    result = slots([ivan], first=MON, last=SUN, zone=TOKYO)
    assert on(result, MON, TOKYO) == ["22:00", "22:30", "23:00", "23:30"]  # 23:30–00:30 is Monday for Ivan
    assert on(result, TUE, TOKYO) == [*half_hours("00:00", "05:00"), "22:00", "22:30", "23:00", "23:30"]
    assert on(result, SAT, TOKYO) == half_hours("00:00", "05:00")  # Friday afternoon in New York
    assert result.empty_days == {SUN: ["Not a working day for Ivan Ng"]}
    assert all(9 <= slot.start.astimezone(ZoneInfo(NEW_YORK)).hour < 17 for slot in result.slots)


def test_it_blocks_the_whole_day_of_an_all_day_event_in_the_persons_own_zone() -> None:
    berlin = ZoneInfo(BERLIN)
    holiday = (datetime.combine(WED, time(0), tzinfo=berlin), datetime.combine(THU, time(0), tzinfo=berlin))
    result = slots([person(busy=[holiday])], first=TUE, last=THU)
    assert on(result, WED) == []
    assert on(result, TUE)[-1] == "16:00" and on(result, THU)[0] == "09:00"
    assert result.empty_days == {WED: ["Dana Scott has no free hour in working hours"]}


def test_it_blocks_an_all_day_event_in_new_york_for_a_tokyo_window() -> None:
    off = (at(NEW_YORK, WED), at(NEW_YORK, THU))  # all of Wednesday in New York
    result = slots([person(7, "Ivan Ng", zone=NEW_YORK, busy=[off])], first=TUE, last=FRI, zone=TOKYO)
    assert on(result, WED, TOKYO) == half_hours("00:00", "05:00")  # Tuesday in New York
    assert on(result, THU, TOKYO) == ["22:00", "22:30", "23:00", "23:30"]  # Thursday in New York


def test_it_blocks_both_days_of_an_event_that_spans_midnight() -> None:
    night = (at(BERLIN, TUE, 22), at(BERLIN, WED, 10))
    result = slots([person(busy=[night])], first=TUE, last=WED)
    assert on(result, TUE)[-1] == "16:00"
    assert on(result, WED)[0] == "10:00"


def test_it_treats_overlapping_unsorted_busy_blocks_as_their_union() -> None:
    busy = [(at(BERLIN, WED, 10, 30), at(BERLIN, WED, 12)), (at(BERLIN, WED, 10), at(BERLIN, WED, 11)),
            (at(BERLIN, WED, 10, 15), at(BERLIN, WED, 10, 45)), (at(BERLIN, WED, 11), at(BERLIN, WED, 11, 30)),
            (at(BERLIN, WED, 14), at(BERLIN, WED, 14, 30)), (at(BERLIN, WED, 13, 30), at(BERLIN, WED, 15))]
    assert on(slots([person(busy=busy)]), WED) == ["09:00", "12:00", "12:30", "15:00", "15:30", "16:00"]


def test_it_lets_a_slot_touch_a_busy_block_without_buffers() -> None:
    busy = [(at(BERLIN, WED, 9), at(BERLIN, WED, 10)), (at(BERLIN, WED, 11), at(BERLIN, WED, 12))]
    assert on(slots([person(busy=busy)]), WED)[:1] == ["10:00"]  # 10:00–11:00 between the two


def test_it_ignores_empty_busy_intervals() -> None:
    assert on(slots([person(busy=[(at(BERLIN, WED, 10), at(BERLIN, WED, 10))])]), WED) == half_hours("09:00", "16:00")


# --- buffers, notice, window ----------------------------------------------------------------------------------

def test_it_keeps_buffers_free_even_outside_working_hours() -> None:
    before, after = timedelta(minutes=15), timedelta(minutes=15)
    early = (at(BERLIN, WED, 8), at(BERLIN, WED, 8, 50))  # ends 10 minutes before the day starts
    late = (at(BERLIN, WED, 17, 10), at(BERLIN, WED, 18))
    result = slots([person(busy=[early, late])], buffer_before=before, buffer_after=after)
    assert on(result, WED) == half_hours("09:30", "15:30")
    just_clear = [(at(BERLIN, WED, 8), at(BERLIN, WED, 8, 45)), (at(BERLIN, WED, 17, 15), at(BERLIN, WED, 18))]
    result = slots([person(busy=just_clear)], buffer_before=before, buffer_after=after)
    assert on(result, WED) == half_hours("09:00", "16:00")
    # Without busy time the buffers may lie outside working hours: only the interview must be inside.
    result = slots([person()], buffer_before=timedelta(hours=1), buffer_after=timedelta(hours=1))
    assert on(result, WED) == half_hours("09:00", "16:00")


def test_it_widens_busy_blocks_by_the_buffers_between_interviews() -> None:
    busy = [(at(BERLIN, WED, 12), at(BERLIN, WED, 13))]
    result = slots([person(busy=busy)], buffer_before=timedelta(minutes=30), buffer_after=timedelta(minutes=15))
    # 11:00–12:00 needs 12:00–12:15 free; 13:00 needs 12:30–13:00 free.
    assert on(result, WED) == ["09:00", "09:30", "10:00", "10:30", "13:30", "14:00", "14:30", "15:00", "15:30",
                               "16:00"]


def test_it_honours_buffers_against_busy_time_just_outside_the_window() -> None:
    # The window is Tuesday in UTC; Dana (Berlin, UTC+2) works every day 00:00–23:59 of her own.
    dana = {"zone": BERLIN, "days": EVERY_DAY, "hours": (time(0), time(23, 59))}
    plain = slots([person(**dana)], first=TUE, zone="UTC", minutes=30)
    first, last = plain.slots[0], plain.slots[-1]
    assert (first.start, last.end) == (at("UTC", TUE), at("UTC", WED))  # the window's very edges
    edges = [(at("UTC", MON, 23), at("UTC", MON, 23, 50)), (at("UTC", WED, 0, 10), at("UTC", WED, 1))]
    buffered = slots([person(busy=edges, **dana)], first=TUE, zone="UTC", minutes=30,
                     buffer_before=timedelta(minutes=30), buffer_after=timedelta(minutes=30))
    assert buffered.slots[0].start == at("UTC", TUE, 0, 30)
    assert buffered.slots[-1].start == at("UTC", TUE, 23)


def test_it_ends_every_slot_inside_the_window() -> None:
    result = slots([person(days=EVERY_DAY, hours=(time(0), time(23, 59)))], first=TUE, zone="UTC", minutes=60)
    assert max(slot.end for slot in result.slots) <= at("UTC", WED)
    assert min(slot.start for slot in result.slots) >= at("UTC", TUE)


def test_it_starts_nothing_within_the_minimum_notice() -> None:
    result = slots([person()], first=TUE, last=THU, now=at(BERLIN, TUE, 10, 5))
    assert result.empty_days == {TUE: ["Within the minimum notice"]}
    assert on(result, WED) == half_hours("10:30", "16:00")
    assert on(result, THU) == half_hours("09:00", "16:00")


def test_it_offers_a_start_exactly_at_the_end_of_the_notice() -> None:
    result = slots([person()], now=at(BERLIN, WED, 8), notice=timedelta(hours=1))
    assert on(result, WED)[0] == "09:00"


def test_it_says_when_the_rest_of_a_working_day_is_within_the_notice() -> None:
    result = slots([person()], first=MON, last=TUE, now=at(BERLIN, MON, 16, 20), notice=timedelta(minutes=30))
    assert result.empty_days == {MON: ["Dana Scott’s working hours that day are within the minimum notice"]}
    assert on(result, TUE) == half_hours("09:00", "16:00")


# --- load limits ------------------------------------------------------------------------------------------------

def test_it_does_not_offer_someone_at_their_daily_limit() -> None:
    two_on_wednesday = (at(BERLIN, WED, 9), at(BERLIN, WED, 15))
    result = slots([person(max_per_day=2, interview_starts=two_on_wednesday)], first=TUE, last=THU)
    assert result.empty_days == {WED: ["Dana Scott is at the daily interview limit"]}
    assert on(result, TUE) and on(result, THU)
    below = slots([person(max_per_day=3, interview_starts=two_on_wednesday)])
    assert on(below, WED) == half_hours("09:00", "16:00")


def test_it_counts_the_daily_load_on_the_persons_own_calendar_day() -> None:
    # 23:00 on Tuesday in New York is already Wednesday in UTC: it is Tuesday's interview.
    late = at(NEW_YORK, TUE, 23)
    assert late.date() == WED
    result = slots([person(7, "Ivan Ng", zone=NEW_YORK, max_per_day=1, interview_starts=(late,))],
                   first=TUE, last=WED, zone="UTC")
    assert result.empty_days == {TUE: ["Ivan Ng is at the daily interview limit"]}
    assert on(result, WED, NEW_YORK) == half_hours("09:00", "16:00")


def test_it_does_not_offer_someone_at_their_weekly_limit_in_their_own_iso_week() -> None:
    # Sunday 23:30 in New York is Monday in UTC, but still week 24 for Ivan.
    week = (at(NEW_YORK, MON, 10), at(NEW_YORK, SUN, 23, 30))
    ivan = person(7, "Ivan Ng", zone=NEW_YORK, max_per_week=2, interview_starts=week)
    result = slots([ivan], first=MON, last=MON + timedelta(days=7), zone=NEW_YORK)
    assert all(slot.start.astimezone(ZoneInfo(NEW_YORK)).date() == MON + timedelta(days=7) for slot in result.slots)
    assert result.empty_days[WED] == ["Ivan Ng is at the weekly interview limit"]
    assert result.empty_days[SAT] == ["Not a working day for Ivan Ng"]


def test_it_counts_extra_starts_towards_the_load() -> None:
    dana = person(max_per_day=1)
    free = compute_slots(panel=[dana], pool=[], pool_needed=0, rules=rules(WED))
    assert free.slots
    booked = compute_slots(panel=[dana], pool=[], pool_needed=0, rules=rules(WED),
                           extra_starts={dana.id: [at(BERLIN, WED, 11)]})
    assert booked.slots == [] and booked.empty_days == {WED: ["Dana Scott is at the daily interview limit"]}


# --- pools ------------------------------------------------------------------------------------------------------

def _pool() -> list[Person]:
    monday, last_week = at(BERLIN, MON, 10), at(BERLIN, MON - timedelta(days=7), 10)
    return [
        person(1, "Ann", interview_starts=(monday,), last_interview_at=at(BERLIN, date(2027, 6, 1), 10)),
        person(2, "Ben", last_interview_at=at(BERLIN, date(2027, 6, 10), 10)),
        person(3, "Cat"),  # never interviewed
        person(4, "Dan", interview_starts=(monday,), last_interview_at=at(BERLIN, date(2027, 5, 1), 10)),
        person(5, "Eve", interview_starts=(last_week,) * 5),  # busy last week, never counted
        person(6, "Fin", interview_starts=(monday, monday)),
    ]


def test_it_prefers_the_fewest_interviews_that_week_then_the_longest_ago_then_the_lowest_id() -> None:
    order = pick_pool(slot_start=at(BERLIN, WED, 10), slot_end=at(BERLIN, WED, 11), pool=_pool(), pool_needed=6,
                      rules=rules(WED))
    assert order == (3, 5, 2, 4, 1, 6)


def test_it_gives_each_slot_the_fairest_free_pool_members() -> None:
    pool = _pool()
    pool[2] = person(3, "Cat", busy=[(at(BERLIN, WED, 10), at(BERLIN, WED, 11))])
    result = slots(pool=pool, pool_needed=2)
    by_time = {f"{slot.start.astimezone(ZoneInfo(BERLIN)):%H:%M}": slot.pool_ids for slot in result.slots}
    assert by_time["09:00"] == (3, 5)
    assert by_time["10:00"] == (5, 2) and by_time["10:30"] == (5, 2)  # Cat is busy
    assert by_time["11:00"] == (3, 5)


def test_it_offers_no_time_when_fewer_than_needed_of_the_pool_are_free() -> None:
    busy_wednesday = [(at(BERLIN, WED, 0), at(BERLIN, THU, 0))]
    pool = [person(1, "Ann"), person(2, "Ben", busy=busy_wednesday), person(3, "Cat", busy=busy_wednesday)]
    result = slots(pool=pool, pool_needed=2, first=WED, last=THU)
    assert result.empty_days == {WED: ["Not enough pool members free (1 of 2 needed)"]}
    assert on(result, THU) == half_hours("09:00", "16:00")
    assert {slot.pool_ids for slot in result.slots} == {(1, 2)}
    assert pick_pool(slot_start=at(BERLIN, WED, 10), slot_end=at(BERLIN, WED, 11), pool=pool, pool_needed=2,
                     rules=rules(WED)) is None


def test_it_never_takes_a_panel_member_from_the_pool() -> None:
    dana, eli = person(1, "Dana Scott"), person(2, "Eli Jones", interview_starts=(at(BERLIN, MON, 10),) * 3)
    result = slots([dana], pool=[dana, eli], pool_needed=1)
    assert result.slots and {slot.pool_ids for slot in result.slots} == {(2,)}


def test_it_skips_a_pool_member_at_their_limit() -> None:
    eli = person(2, "Eli Jones", max_per_day=1, interview_starts=(at(BERLIN, WED, 9),))
    fay = person(3, "Fay Wong", interview_starts=(at(BERLIN, MON, 9),) * 3)
    result = slots(pool=[eli, fay], pool_needed=1, first=WED, last=THU)
    assert {slot.pool_ids for slot in result.slots if slot.start.date() == WED} == {(3,)}
    assert {slot.pool_ids for slot in result.slots if slot.start.date() == THU} == {(2,)}


def test_it_counts_extra_starts_when_picking_from_the_pool() -> None:
    pool = [person(1, "Ann"), person(2, "Ben")]
    slot = {"slot_start": at(BERLIN, WED, 10), "slot_end": at(BERLIN, WED, 11), "pool": pool, "rules": rules(WED)}
    assert pick_pool(**slot, pool_needed=1) == (1,)
    assert pick_pool(**slot, pool_needed=1, extra_starts={1: [at(BERLIN, TUE, 10)]}) == (2,)


def test_it_says_when_nobody_in_the_pool_works_that_day() -> None:
    result = slots(pool=[person(1, "Ann"), person(2, "Ben")], pool_needed=1, first=FRI, last=SUN)
    assert result.empty_days == {SAT: ["Not a working day for anyone in the pool"],
                                 SUN: ["Not a working day for anyone in the pool"]}


def test_it_picks_nobody_when_no_pool_is_needed() -> None:
    assert pick_pool(slot_start=at(BERLIN, WED, 10), slot_end=at(BERLIN, WED, 11), pool=[], pool_needed=0,
                     rules=rules(WED)) == ()


# --- calendars not connected, empty days ---------------------------------------------------------------------

def test_it_makes_the_request_impossible_while_a_panel_member_has_no_calendar() -> None:
    result = slots([person(1, "Dana Scott"), person(2, "Eli Jones", connected=False)], first=WED, last=THU)
    assert result.slots == []
    assert result.problems == ["Eli Jones has no connected calendar: connect it or remove them from the panel."]
    assert result.empty_days == {WED: ["Eli Jones has no connected calendar"],
                                 THU: ["Eli Jones has no connected calendar"]}


def test_it_says_why_in_the_readers_language() -> None:
    with translation.override("de"):
        result = slots([person(1, "Dana Scott"), person(2, "Eli Jones", connected=False)], first=WED, last=WED)
    assert result.problems == ["Eli Jones hat keinen verbundenen Kalender: Verbinden Sie ihn oder nehmen Sie die "
                               "Person aus dem Panel."]
    assert result.empty_days == {WED: ["Eli Jones hat keinen verbundenen Kalender"]}


def test_it_leaves_a_pool_member_without_a_calendar_out() -> None:
    pool = [person(2, "Eli Jones", connected=False), person(3, "Fay Wong", interview_starts=(at(BERLIN, MON, 9),))]
    result = slots(pool=pool, pool_needed=1)
    assert result.problems == ["Eli Jones (pool) has no connected calendar and is left out."]
    assert on(result, WED) == half_hours("09:00", "16:00")
    assert {slot.pool_ids for slot in result.slots} == {(3,)}

    nobody = slots(pool=pool[:1], pool_needed=1)
    assert nobody.slots == [] and nobody.problems[-1] == "Only 0 of the pool can take part; 1 needed."
    assert nobody.empty_days == {WED: ["Not enough pool members free (0 of 1 needed)"]}

    short = slots(pool=pool, pool_needed=2)
    assert short.slots == []
    assert short.problems == ["Eli Jones (pool) has no connected calendar and is left out.",
                              "Only 1 of the pool can take part; 2 needed."]
    assert short.empty_days == {WED: ["Not enough pool members free (1 of 2 needed)"]}


def test_it_explains_each_empty_day_by_name() -> None:
    dana = person(1, "Dana Scott", days={1, 2, 3, 4}, busy=[
        (at(BERLIN, TUE, 8), at(BERLIN, TUE, 18)),
        (at(BERLIN, WED, 9), at(BERLIN, WED, 13)),
    ])
    eli = person(2, "Eli Jones", max_per_day=1, interview_starts=(at(BERLIN, THU, 8),), busy=[
        (at(BERLIN, TUE, 9), at(BERLIN, TUE, 16, 30)),
        (at(BERLIN, WED, 13), at(BERLIN, WED, 17)),
    ])
    result = slots([dana, eli], first=MON, last=SAT)
    assert on(result, MON) == half_hours("09:00", "16:00")
    assert result.empty_days == {
        TUE: ["Dana Scott has no free hour in working hours", "Eli Jones has no free hour in working hours"],
        WED: ["Dana Scott and Eli Jones are never free at the same time"],
        THU: ["Eli Jones is at the daily interview limit"],
        FRI: ["Not a working day for Dana Scott"],
        SAT: ["Not a working day for Dana Scott", "Not a working day for Eli Jones"],
    }


def test_it_names_the_length_of_the_interview_nobody_has_free() -> None:
    busy = [(at(BERLIN, WED, 9), at(BERLIN, WED, 16, 50))]
    result = slots([person(busy=busy)], minutes=30)
    assert result.empty_days == {WED: ["Dana Scott has no free 30 minutes in working hours"]}


def test_it_says_when_the_interview_is_longer_than_the_working_day() -> None:
    result = slots([person()], minutes=9 * 60)
    assert result.empty_days == {WED: ["No room for the interview in Dana Scott’s working hours"]}


def test_it_asks_for_interviewers_when_there_are_none() -> None:
    result = slots()
    assert result.slots == [] and result.problems == ["Nobody interviews: choose a panel, a pool, or both."]


def test_it_refuses_rules_that_make_no_sense() -> None:
    with pytest.raises(ValueError, match="aware"):
        compute_slots(panel=[person()], pool=[], pool_needed=0, rules=rules(WED, now=datetime(2027, 1, 1)))
    with pytest.raises(ValueError, match="first day"):
        compute_slots(panel=[person()], pool=[], pool_needed=0, rules=rules(THU, WED))
    with pytest.raises(ValueError, match="working hours"):
        person(hours=(time(17), time(9)))


# --- size ---------------------------------------------------------------------------------------------------------

def _crowded_calendar(rng: random.Random, hole: tuple[datetime, datetime], count: int) -> list[tuple]:
    """`count` busy intervals: years of history around the window, and inside the window's week every working hour
    covered (by overlapping, nested, shuffled blocks) except `hole`."""
    berlin = ZoneInfo(BERLIN)
    busy = []
    for day in (MON, TUE, WED, THU, FRI):
        spans = [(datetime.combine(day, time(8), tzinfo=berlin), datetime.combine(day, time(18), tzinfo=berlin))]
        if day == WED:
            spans = [(spans[0][0], hole[0]), (hole[1], spans[0][1])]
        for start, end in spans:
            cursor = start
            while cursor < end:  # a chain of 20-minute blocks every 5 minutes, the last cut at the span's end
                busy.append((cursor.astimezone(UTC), min(cursor + timedelta(minutes=20), end).astimezone(UTC)))
                cursor += timedelta(minutes=5)
            for _ in range(200):  # and nested ones inside
                offset = rng.uniform(0, (end - start).total_seconds() - 60)
                inner = start + timedelta(seconds=offset)
                busy.append((inner.astimezone(UTC), min(inner + timedelta(minutes=rng.randrange(1, 90)), end)))
    while len(busy) < count:  # history: 2020–2026 and 2028–2030, never touching the window
        year = rng.choice([2020, 2021, 2022, 2023, 2024, 2025, 2026, 2028, 2029, 2030])
        start = datetime(year, 1, 1, tzinfo=UTC) + timedelta(minutes=15 * rng.randrange(4 * 24 * 360))
        busy.append((start, start + timedelta(minutes=rng.choice((15, 30, 60, 120, 24 * 60)))))
    rng.shuffle(busy)
    return busy


def test_it_finds_the_one_shared_gap_among_twenty_thousand_events_each() -> None:
    rng = random.Random(12)
    holes = [(at(BERLIN, WED, 14), at(BERLIN, WED, 15, 30)), (at(BERLIN, WED, 13, 30), at(BERLIN, WED, 16)),
             (at(BERLIN, WED, 14), at(BERLIN, WED, 17))]
    panel = [person(n + 1, name, busy=_crowded_calendar(rng, hole, 20_000))
             for n, (name, hole) in enumerate(zip(["Dana Scott", "Eli Jones", "Fay Wong"], holes, strict=True))]
    assert all(len(member.busy) == 20_000 for member in panel)
    result = slots(panel, first=MON, last=date(2027, 6, 27))
    this_week = [slot.start for slot in result.slots if slot.start < at(BERLIN, date(2027, 6, 21))]
    assert this_week == [at(BERLIN, WED, 14), at(BERLIN, WED, 14, 30)]
    assert result.empty_days[TUE] == [f"{name} has no free hour in working hours"
                                      for name in ["Dana Scott", "Eli Jones", "Fay Wong"]]
    # The next week has only history far away: all of its working days are free.
    assert on(result, date(2027, 6, 21)) == half_hours("09:00", "16:00")
