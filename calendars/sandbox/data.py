"""Deterministic, realistic calendar data for sandbox accounts.

Everything is drawn from a `random.Random` seeded by the account's email, and days are counted from the
account's local "today", so the same day always yields the same calendars and ids. Per-event work is kept to
a handful of integer operations so that 100,000 events generate in about a second.
"""

from __future__ import annotations

import base64
import random
import uuid
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.easter import easter

from .model import (
    ACCEPTED,
    CANCELLED,
    DAY,
    DECLINED,
    GOOGLE,
    MICROSOFT,
    NEEDS_ACTION,
    TENTATIVE,
    TENTATIVE_RESPONSE,
    Account,
    Attendee,
    Calendar,
    Event,
    Person,
    date_epoch,
    epoch_date,
    zone,
)
from .recurrence import instance_id, occurrences

CONSUMER_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"  # the tenant id Microsoft uses for personal accounts
SANDBOX_TENANT = "5a1db0c5-0000-4000-8000-00000000ac3e"  # the "Acme" work tenant


@dataclass(frozen=True)
class AccountSpec:
    provider: str
    email: str
    name: str
    tz: str
    kind: str = "work"  # Microsoft: "work" (Acme tenant) or "personal" (consumer tenant)


DEFAULT_ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec(GOOGLE, "dana.schmidt@sandbox-google.test", "Dana Schmidt", "Europe/Berlin"),
    AccountSpec(GOOGLE, "li.wei@sandbox-google.test", "Li Wei", "Asia/Tokyo"),
    AccountSpec(GOOGLE, "recruiter@acme.test", "Rita Recruiter", "Europe/Berlin"),
    AccountSpec(MICROSOFT, "sam.oconnor@sandbox-outlook.test", "Sam O'Connor", "America/New_York", "personal"),
    AccountSpec(MICROSOFT, "interviewer@acme.test", "Dana Schmidt", "Europe/Berlin"),
    AccountSpec(MICROSOFT, "recruiter@acme.test", "Rita Recruiter", "Europe/Berlin"),
    # The demo's two engineers, so a scheduling link's pool ("any 1 of these") has calendars to read.
    AccountSpec(GOOGLE, "lee@acme.test", "Lee Chen", "Europe/London"),
    AccountSpec(MICROSOFT, "omar@acme.test", "Omar Haddad", "America/New_York"),
)

TITLES = (
    "Weekly sync", "Project review", "Customer call", "Design review", "Budget planning", "Interview debrief",
    "Quarterly business review", "Lunch", "Dentist", "Code review session", "Roadmap workshop",
    "Hiring committee", "Candidate interview", "Vendor demo", "Architecture discussion", "Coffee chat",
    "Gespräch mit Jürgen", "面接", "Café ☕", "Réunion d'équipe", "Planung Q3 – Überblick", "チームミーティング",
    "Kundentermin München", "Mañana: revisión de contrato", "Übergabe & Doku", "Déjeuner 🍽️", "Ёлка офиса",
    "Board prep <draft>", "R&D \"all-hands\" follow-up", "Security training", "Pairing", "Offsite planning",
)
PERSONAL_TITLES = ("Gym", "Doctor", "Parents' evening", "Running club", "Haircut", "Yoga", "Kino", "Elternabend")
LOCATIONS = (
    None, None, None, "Room Aurora (3.14)", "Berlin HQ, Raum Spree", "https://meet.example.test/abc-defg-hij",
    "Café Einstein, Unter den Linden 42", "東京オフィス 5F", "Zoom", "Conference room B",
)
PEOPLE = (
    Person("jurgen.weber@partner-gmbh.test", "Jürgen Weber"),
    Person("aiko.tanaka@example-jp.test", "田中 愛子"),
    Person("maria.garcia@cliente.test", "María García"),
    Person("olu.adeyemi@vendor.test", "Olu Adeyemi"),
    Person("chloe.martin@acme.test", "Chloé Martin"),
    Person("ben.cohen@acme.test", "Ben Cohen"),
    Person("priya.nair@acme.test", "Priya Nair"),
    Person("tom.oneill@acme.test", "Tom O'Neill"),
    Person("noreply-room-aurora@acme.test", "Room Aurora"),
)
OTHER_ZONES = (
    "America/New_York", "Asia/Tokyo", "Europe/London", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Adelaide",
    "America/Los_Angeles", "Europe/Berlin",
)
RESPONSES = (ACCEPTED, ACCEPTED, ACCEPTED, NEEDS_ACTION, DECLINED, TENTATIVE_RESPONSE)
DURATIONS = (15, 30, 30, 30, 45, 60, 60, 60, 90, 120)
SLOTS = tuple(range(16, 36))  # half hours from 08:00 to 17:30


# --- ids ---------------------------------------------------------------------------------------------------


def google_event_id(rng: random.Random) -> str:
    # Hex digits are a subset of base32hex ([a-v0-9]), the alphabet of Google event ids, and far faster.
    return f"{rng.getrandbits(104):026x}"


def _pick(rng: random.Random, population: tuple, k: int) -> list:
    # random.sample() spends most of its time in an ABC isinstance check; this is the hot path.
    items = list(population)
    out = []
    for _ in range(min(k, len(items))):
        out.append(items.pop(rng.randrange(len(items))))
    return out


def graph_id(rng: random.Random) -> str:
    return "AAMkA" + base64.urlsafe_b64encode(rng.randbytes(36)).decode() + "AAA="


def graph_ical_uid(rng: random.Random) -> str:
    return "040000008200E00074C5B7101A82E00800000000" + rng.randbytes(16).hex().upper()


def account_uid(provider: str, email: str) -> str:
    if provider == GOOGLE:
        return str(100000000000000000000 + zlib.crc32(email.encode()) * 1000003 % 10**20)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox-graph-user:{email}"))


def make_account(spec: AccountSpec) -> Account:
    tenant = ""
    if spec.provider == MICROSOFT:
        tenant = CONSUMER_TENANT if spec.kind == "personal" else SANDBOX_TENANT
    return Account(
        spec.provider, spec.email, spec.name, spec.tz,
        uid=account_uid(spec.provider, spec.email), tenant=tenant, kind=spec.kind,
    )


# --- holidays ----------------------------------------------------------------------------------------------


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    if n > 0:
        d = date(year, month, 1)
        d += timedelta(days=(weekday - d.weekday()) % 7)
        return d + timedelta(weeks=n - 1)
    d = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return d - timedelta(days=(d.weekday() - weekday) % 7)


def holidays(tz: str, year: int) -> list[tuple[date, str]]:
    if tz == "Asia/Tokyo":
        return [
            (date(year, 1, 1), "元日"), (_nth_weekday(year, 1, 0, 2), "成人の日"), (date(year, 2, 11), "建国記念の日"),
            (date(year, 2, 23), "天皇誕生日"), (date(year, 4, 29), "昭和の日"), (date(year, 5, 3), "憲法記念日"),
            (date(year, 5, 4), "みどりの日"), (date(year, 5, 5), "こどもの日"), (date(year, 8, 11), "山の日"),
            (date(year, 11, 3), "文化の日"), (date(year, 11, 23), "勤労感謝の日"),
        ]
    if tz.startswith("America/"):
        return [
            (date(year, 1, 1), "New Year's Day"), (_nth_weekday(year, 1, 0, 3), "Martin Luther King Jr. Day"),
            (_nth_weekday(year, 5, 0, -1), "Memorial Day"), (date(year, 6, 19), "Juneteenth"),
            (date(year, 7, 4), "Independence Day"), (_nth_weekday(year, 9, 0, 1), "Labor Day"),
            (_nth_weekday(year, 11, 3, 4), "Thanksgiving Day"), (date(year, 12, 25), "Christmas Day"),
        ]
    e = easter(year)
    return [
        (date(year, 1, 1), "Neujahr"), (e - timedelta(days=2), "Karfreitag"), (e + timedelta(days=1), "Ostermontag"),
        (date(year, 5, 1), "Tag der Arbeit"), (e + timedelta(days=39), "Christi Himmelfahrt"),
        (e + timedelta(days=50), "Pfingstmontag"), (date(year, 10, 3), "Tag der Deutschen Einheit"),
        (date(year, 12, 24), "Heiligabend"), (date(year, 12, 25), "1. Weihnachtstag"),
        (date(year, 12, 26), "2. Weihnachtstag"),
    ]


def _holiday_calendar_id(tz: str) -> tuple[str, str]:
    if tz == "Asia/Tokyo":
        return "en.japanese#holiday@group.v.calendar.google.com", "Holidays in Japan"
    if tz.startswith("America/"):
        return "en.usa#holiday@group.v.calendar.google.com", "Holidays in United States"
    return "en.german#holiday@group.v.calendar.google.com", "Holidays in Germany"


# --- generator ---------------------------------------------------------------------------------------------


class Generator:
    """Fills one account. `seq` stamps every generated event with the state's current change number."""

    def __init__(self, account: Account, *, now: int, seq: int, seed: int = 0) -> None:
        self.account = account
        self.rng = random.Random(zlib.crc32(f"{seed}:{account.provider}:{account.email}".encode()))
        self.now = now
        self.now_ms = now * 1000
        self.seq = seq
        self.me = Person(account.email, account.name)
        self.google = account.provider == GOOGLE
        tz = zone(account.tz)
        today = datetime.fromtimestamp(now, tz).date()
        self.first_day = today - timedelta(days=365)
        self.days = 731
        # Local noon of every day: wall-clock times after 03:00 are noon +/- whole minutes even on DST days.
        self.noons = []
        for i in range(self.days):
            d = self.first_day + timedelta(days=i)
            self.noons.append(int(datetime(d.year, d.month, d.day, 12, tzinfo=tz).timestamp()))
        self.count = 0
        self.shared_attendees: dict[tuple[Person, str, bool], Attendee] = {}

    # ids and stamps
    def new_id(self) -> str:
        return google_event_id(self.rng) if self.google else graph_id(self.rng)

    def calendar_id(self, primary: bool = False) -> str:
        if self.google:
            if primary:
                return self.account.email
            return base64.b32hexencode(self.rng.randbytes(20)).decode().lower() + "@group.calendar.google.com"
        return graph_id(self.rng)

    def stamps(self, start: int) -> tuple[int, int]:
        created = min(self.now, start) * 1000 - self.rng.randrange(DAY * 1000, 60 * DAY * 1000)
        updated = min(self.now_ms, created + self.rng.randrange(0, 10 * DAY * 1000))
        return created, updated

    def add(self, cal: Calendar, summary: str | None, start: int, end: int, tz: str, **kw: object) -> Event:
        created, updated = self.stamps(start)
        uid = None if self.google else graph_ical_uid(self.rng)
        ev = Event(
            self.new_id(), cal, summary, start, end, tz, created=created, updated=updated, seq=self.seq, uid=uid,
            organizer=kw.pop("organizer", None) or cal.owner, **kw,  # type: ignore[arg-type]
        )
        cal.add(ev)
        self.count += 1
        return ev

    def attendees(self, organizer: Person) -> tuple[Attendee, ...]:
        rng = self.rng
        people = _pick(rng, PEOPLE, rng.randrange(1, 5))
        shared = self.shared_attendees  # equal attendee tuples are shared: a 100k-event account stays small
        out = [shared.setdefault((organizer, ACCEPTED, False), Attendee(organizer.email, organizer.name, ACCEPTED))]
        for p in people:
            if p.email != organizer.email:
                key = (p, rng.choice(RESPONSES), rng.random() < 0.1)
                out.append(shared.setdefault(key, Attendee(p.email, p.name, key[1], key[2])))
        if organizer.email != self.me.email:
            key = (self.me, rng.choice(RESPONSES), False)
            out.append(shared.setdefault(key, Attendee(self.me.email, self.me.name, key[1])))
        return tuple(out)

    # calendars
    def calendars(self) -> dict[str, Calendar]:
        acc = self.account
        cals: dict[str, Calendar] = {}

        def make(key: str, cid: str, name: str, **kw: object) -> None:
            if self.google and "owner" not in kw and key != "primary":
                kw["owner"] = Person(cid, name)  # Google: a secondary calendar organizes its own events
            cal = Calendar(cid, acc, name, acc.tz, **kw)  # type: ignore[arg-type]
            acc.calendars[cid] = cal
            cals[key] = cal

        if self.google:
            make("primary", self.calendar_id(True), acc.email, primary=True, color="#9fe1e7")
            make("team", self.calendar_id(), "Team", color="#f83a22", access="writer")
            make("personal", self.calendar_id(), "Personal", color="#16a765")
            hid, hname = _holiday_calendar_id(acc.tz)
            make("holidays", hid, hname, color="#92e1c0", access="reader")
        else:
            make("primary", self.calendar_id(), "Calendar", primary=True, color="auto")
            make("team", self.calendar_id(), "Team", color="lightBlue", access="writer",
                 owner=Person("team-calendar@acme.test", "Team"))
            make("personal", self.calendar_id(), "Birthdays", color="lightGreen")
            make("holidays", self.calendar_id(), "United States holidays" if "America" in acc.tz
                 else "Feiertage", color="lightOrange", access="reader")
        return cals

    # content
    def populate(self, total: int | None = None) -> None:
        cals = self.calendars()
        if total is not None and total < 600:
            self.random_singles(cals["primary"], total)
            return
        self.holidays(cals["holidays"])
        self.series(cals["primary"], cals["team"], cals["personal"])
        self.all_day(cals["primary"])
        self.dst_edges(cals["primary"])
        if total is None:
            self.workdays(cals["primary"], (0, 1, 2, 2, 3, 3, 4, 4, 5, 6))
            self.workdays(cals["team"], (0, 0, 0, 1, 1))
            self.weekends(cals["personal"])
        else:
            self.random_singles(cals["primary"], max(0, total - self.count))

    def _timed(self, cal: Calendar, day: int, minute: int, duration: int, summary: str | None) -> Event:
        rng = self.rng
        start = self.noons[day] + (minute - 720) * 60
        r = rng.random()
        tz = cal.tz if r > 0.06 else OTHER_ZONES[int(r * 1000) % len(OTHER_ZONES)]
        own = rng.random() < 0.6
        organizer = cal.owner if own else rng.choice(PEOPLE)
        kw: dict[str, object] = {"organizer": organizer}
        if rng.random() < 0.45 or not own:
            kw["attendees"] = self.attendees(organizer)
        r = rng.random()
        if r < 0.1:
            kw["show_as"] = "free"
        elif r < 0.13:
            kw["status"] = TENTATIVE
            kw["show_as"] = "tentative"
        elif r < 0.16:
            kw["status"] = CANCELLED
        loc = LOCATIONS[rng.randrange(len(LOCATIONS))]
        if loc:
            kw["location"] = loc
        return self.add(cal, summary, start, start + duration * 60, tz, **kw)

    def _summary(self) -> str | None:
        rng = self.rng
        return None if rng.random() < 0.05 else TITLES[rng.randrange(len(TITLES))]

    def workdays(self, cal: Calendar, per_day: tuple[int, ...]) -> None:
        rng = self.rng
        for day in range(self.days):
            if (self.first_day + timedelta(days=day)).weekday() >= 5:
                continue
            n = per_day[rng.randrange(len(per_day))]
            for slot in _pick(rng, SLOTS, n):
                minute = slot * 30 + (15 if rng.random() < 0.1 else 0)
                self._timed(cal, day, minute, DURATIONS[rng.randrange(len(DURATIONS))], self._summary())

    def weekends(self, cal: Calendar) -> None:
        rng = self.rng
        for day in range(self.days):
            if (self.first_day + timedelta(days=day)).weekday() < 5 or rng.random() < 0.6:
                continue
            start = self.noons[day] + rng.randrange(-3, 8) * 3600
            self.add(cal, rng.choice(PERSONAL_TITLES), start, start + 3600 * rng.randrange(1, 4), cal.tz,
                     show_as="free" if rng.random() < 0.3 else "busy")

    def random_singles(self, cal: Calendar, n: int) -> None:
        rng = self.rng
        for _ in range(n):
            minute = rng.randrange(14, 38) * 30
            self._timed(cal, rng.randrange(self.days), minute, DURATIONS[rng.randrange(len(DURATIONS))],
                        self._summary())

    def holidays(self, cal: Calendar) -> None:
        last = self.first_day + timedelta(days=self.days)
        for year in range(self.first_day.year, last.year + 1):
            for d, name in holidays(cal.tz, year):
                if self.first_day <= d < last:
                    start = date_epoch(d)
                    self.add(cal, name, start, start + DAY, cal.tz, all_day=True, show_as="free",
                             organizer=cal.owner)

    def all_day(self, cal: Calendar) -> None:
        rng = self.rng
        for k in range(8):  # vacations and conferences, several days long
            day = rng.randrange(self.days - 14)
            length = rng.randrange(2, 11)
            start = date_epoch(self.first_day + timedelta(days=day))
            vacation = k % 2 == 0
            self.add(cal, "Urlaub 🌴" if vacation else "Conference: PyCon", start, start + length * DAY, cal.tz,
                     all_day=True, show_as="oof" if vacation else "busy")
        for _ in range(12):  # single all-day reminders, free time
            start = date_epoch(self.first_day + timedelta(days=rng.randrange(self.days)))
            self.add(cal, rng.choice(("Deadline: report", "Team offsite", "Birthday 🎂", None)), start, start + DAY,
                     cal.tz, all_day=True, show_as="free")
        for _ in range(3):  # timed events spanning several days
            day = rng.randrange(self.days - 5)
            start = self.noons[day] + 2 * 3600
            self.add(cal, "Offsite retreat", start, start + 2 * DAY - 4 * 3600, cal.tz)
        day = rng.randrange(self.days - 2)  # a flight that starts and ends in different zones
        start = self.noons[day] - 2 * 3600
        self.add(cal, "Flight FRA → JFK", start, start + 9 * 3600, "Europe/Berlin",
                 extra={"end_tz": "America/New_York"}, location="Frankfurt Airport (FRA)")

    def dst_edges(self, cal: Calendar) -> None:
        """Events on the days clocks change in Berlin and New York, including the skipped/repeated hour."""
        last = self.first_day + timedelta(days=self.days)
        for year in range(self.first_day.year, last.year + 1):
            for tz, spring, autumn in (
                ("Europe/Berlin", _nth_weekday(year, 3, 6, -1), _nth_weekday(year, 10, 6, -1)),
                ("America/New_York", _nth_weekday(year, 3, 6, 2), _nth_weekday(year, 11, 6, 1)),
            ):
                for d, summary in ((spring, "Night shift (DST starts)"), (autumn, "Night shift (DST ends)")):
                    if not (self.first_day <= d < last):
                        continue
                    z = zone(tz)
                    start = int(datetime(d.year, d.month, d.day, 1, 30, tzinfo=z).timestamp())
                    end = int(datetime(d.year, d.month, d.day, 4, 0, tzinfo=z).timestamp())
                    self.add(cal, summary, start, end, tz)
                    start = int(datetime(d.year, d.month, d.day, 9, 0, tzinfo=z).timestamp())
                    self.add(cal, "Brunch", start, start + 5400, tz, show_as="free")

    def series(self, primary: Calendar, team: Calendar, personal: Calendar) -> None:
        rng = self.rng
        u = lambda days: (self.first_day + timedelta(days=days)).strftime("%Y%m%dT235959Z")  # noqa: E731
        colleague = rng.choice(PEOPLE[4:8])
        plans = [
            (primary, "Daily Stand-up", 540, 15, f"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL={u(260)}", 0, None),
            (primary, "Daily Stand-up", 555, 15, f"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL={u(600)}", 261, None),
            (primary, f"1:1 {colleague.name}", 840, 30, "RRULE:FREQ=WEEKLY;COUNT=40", 100, None),
            (primary, "Sprint Planning", 600, 90, "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=26", 200, None),
            (primary, "All Hands", 960, 60, f"RRULE:FREQ=MONTHLY;BYDAY=1TH;UNTIL={u(700)}", 30, None),
            (primary, "Payroll check", 660, 30, "RRULE:FREQ=MONTHLY;BYMONTHDAY=15;COUNT=18", 150, None),
            (primary, "Sync with New York office", 900, 45, "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=52", 250,
             "America/New_York"),
            (primary, "Recruiting pipeline review", 780, 60, "RRULE:FREQ=DAILY;INTERVAL=3;COUNT=60", 330, None),
            (team, "Team lunch 🍜", 720, 60, "RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=45", 280, None),
            (personal, "Running club", 1110, 60, "RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=60", 120, None),
        ]
        for cal, summary, minute, duration, rule, offset, other_tz in plans:
            day = offset
            if rule.find("BYDAY=") < 0:
                while (self.first_day + timedelta(days=day)).weekday() >= 5:
                    day += 1
            start = self.noons[day] + (minute - 720) * 60
            tz = cal.tz
            if other_tz:  # keep it at the same wall time in the other zone, across both zones' DST changes
                local = datetime.fromtimestamp(start, zone(other_tz))
                start = int(local.replace(hour=9, minute=0).timestamp())
                tz = other_tz
            self._series(cal, summary, start, duration, (rule,), tz)
        # A weekly all-day series marked free.
        d = self.first_day + timedelta(days=300)
        d += timedelta(days=(4 - d.weekday()) % 7)
        self._series(primary, "Focus Friday", date_epoch(d), 0, ("RRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=20",),
                     primary.tz, all_day=True)

    def _series(
        self, cal: Calendar, summary: str, start: int, minutes: int, rule: tuple[str, ...], tz: str,
        all_day: bool = False,
    ) -> None:
        rng = self.rng
        length = DAY if all_day else minutes * 60
        occ = occurrences(rule, start, all_day, tz, start + 3 * 366 * DAY)
        lines = list(rule)
        picks = _pick(rng, tuple(range(1, len(occ))), 6) if len(occ) > 2 else []
        exdates, exceptions = picks[:2], picks[2:]
        if exdates:
            if all_day:
                values = ",".join(epoch_date(occ[i]).strftime("%Y%m%d") for i in exdates)
                lines.append(f"EXDATE;VALUE=DATE:{values}")
            else:
                values = ",".join(datetime.fromtimestamp(occ[i], zone(tz)).strftime("%Y%m%dT%H%M%S")
                                  for i in sorted(exdates))
                lines.append(f"EXDATE;TZID={tz}:{values}")
        organizer = cal.owner if rng.random() < 0.7 else rng.choice(PEOPLE)
        attendees = self.attendees(organizer) if not all_day else ()
        master = self.add(cal, summary, start, start + length, tz, recurrence=tuple(lines), all_day=all_day,
                          organizer=organizer, attendees=attendees, show_as="free" if all_day else "busy")
        for n, i in enumerate(exceptions):
            original = occ[i]
            shift = (3600, DAY, 0, 0)[n % 4]
            ex = Event(
                _exception_id(master, original), cal, summary if n % 4 != 2 else f"{summary} (moved room)",
                original + shift, original + shift + length, tz, all_day=all_day, organizer=organizer,
                attendees=attendees, recurring_id=master.id, original_start=original, seq=self.seq,
                uid=master.uid, status=CANCELLED if n % 4 == 3 else master.status, sequence=1,
                created=master.created, updated=master.updated, show_as=master.show_as,
            )
            cal.add(ex)
            self.count += 1


def _exception_id(master: Event, original: int) -> str:
    return instance_id(master.id, original, master.all_day)


def populate(account: Account, *, now: int, seq: int, seed: int = 0, total: int | None = None) -> int:
    """Fill `account` with calendars and events; returns the number of stored events."""
    gen = Generator(account, now=now, seq=seq, seed=seed)
    gen.populate(total)
    return gen.count
