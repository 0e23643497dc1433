"""The deterministic calendar generator, without any server."""

import time
from collections import Counter

from calendars.sandbox import data
from calendars.sandbox.model import CANCELLED, DAY, GOOGLE, MICROSOFT
from calendars.sandbox.recurrence import master_occurrences
from calendars.sandbox.views import expand

NOW = 1_790_000_000  # a fixed "now" keeps the assertions independent of the day the tests run


def generate(spec):
    account = data.make_account(spec)
    data.populate(account, now=NOW, seq=1)
    return account


def test_it_defines_the_default_accounts():
    emails = {(s.provider, s.email) for s in data.DEFAULT_ACCOUNTS}
    assert emails == {
        (GOOGLE, "dana.schmidt@sandbox-google.test"), (GOOGLE, "li.wei@sandbox-google.test"),
        (GOOGLE, "recruiter@acme.test"), (MICROSOFT, "sam.oconnor@sandbox-outlook.test"),
        (MICROSOFT, "interviewer@acme.test"), (MICROSOFT, "recruiter@acme.test"),
        (GOOGLE, "lee@acme.test"), (MICROSOFT, "omar@acme.test"),
    }


def test_it_generates_the_same_account_twice():
    first, second = generate(data.DEFAULT_ACCOUNTS[0]), generate(data.DEFAULT_ACCOUNTS[0])
    assert list(first.calendars) == list(second.calendars)
    for cal_id, cal in first.calendars.items():
        other = second.calendars[cal_id]
        assert [(e.id, e.start, e.summary) for e in cal.events.values()] == \
               [(e.id, e.start, e.summary) for e in other.events.values()]


def test_it_generates_a_realistic_mix():
    account = generate(data.DEFAULT_ACCOUNTS[0])
    events = [e for c in account.calendars.values() for e in c.events.values()]
    assert 1500 < len(events) < 5000
    assert len(account.calendars) >= 3 and account.primary.id == account.email
    starts = [e.start for e in events]
    assert min(starts) < NOW - 300 * DAY and max(starts) > NOW + 300 * DAY
    masters = [e for e in events if e.recurrence]
    rules = " ".join(line for m in masters for line in m.recurrence)
    for part in ("FREQ=WEEKLY", "FREQ=DAILY", "FREQ=MONTHLY", "COUNT=", "UNTIL=", "EXDATE", "INTERVAL=2"):
        assert part in rules, part
    exceptions = [e for e in events if e.recurring_id]
    assert any(e.status == CANCELLED for e in exceptions)
    assert any(e.start != e.original_start for e in exceptions)
    assert any(e.all_day and e.end - e.start > DAY for e in events)
    assert any(e.status == CANCELLED and not e.recurring_id for e in events)
    assert any(e.summary is None for e in events)
    assert {"Gespräch mit Jürgen", "面接", "Café ☕"} <= {e.summary for e in events}
    assert any(e.show_as == "free" for e in events)
    assert {a.response for e in events for a in e.attendees} >= {"accepted", "declined", "needsAction", "tentative"}
    zones = Counter(e.tz for e in events)
    assert len(zones) >= 5
    assert any(e.summary == "Night shift (DST starts)" and e.end - e.start == 90 * 60 for e in events)
    assert any(e.summary == "Night shift (DST ends)" and e.end - e.start == 210 * 60 for e in events)


def test_it_expands_series_with_exceptions_in_place():
    account = generate(data.DEFAULT_ACCOUNTS[3])
    cal = account.primary
    master = next(e for e in cal.events.values() if e.recurrence and cal.exceptions.get(e.id))
    occurrences = master_occurrences(master, NOW)
    instances = [i for i in expand(cal, NOW) if i.master is master]
    assert len(instances) == len(occurrences) + sum(
        1 for ex in cal.exceptions[master.id].values() if ex.original_start not in occurrences)
    assert len({i.id for i in instances}) == len(instances)


def test_it_generates_100000_events_in_a_few_seconds():
    account = data.make_account(data.AccountSpec(GOOGLE, "bench@sandbox-google.test", "Bench", "Europe/Berlin"))
    started = time.perf_counter()
    count = data.populate(account, now=NOW, seq=1, total=100_000)
    elapsed = time.perf_counter() - started
    assert count == 100_000 == account.event_count()
    assert elapsed < 8, f"took {elapsed:.1f}s"


def test_it_generates_small_benchmark_accounts_exactly():
    account = data.make_account(data.AccountSpec(MICROSOFT, "small@acme.test", "Small", "UTC"))
    assert data.populate(account, now=NOW, seq=1, total=25) == 25
