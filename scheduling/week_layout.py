"""Lay out a week of events and interviews as a grid picture: days across, hours down, overlaps side by side."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from html import escape  # the standard library's, as Django's escape uses, without its lazy-string check (per block)
from zoneinfo import ZoneInfo

from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

SLOT_MINUTES = 15
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES
MAX_LANES = 6


@dataclass(slots=True)
class Block:
    """One event's piece on one day (an event across midnight becomes one block per day)."""

    title: str
    start: datetime  # local to the viewer
    end: datetime
    busy: bool
    own: bool  # titles are shown only to their owner
    source_id: int
    kind: str = "event"  # or "interview": one scheduled here, drawn in its own colour with its label
    url: str = ""  # the interview's page, when the viewer may open it
    lane: int = 0
    lanes: int = 1

    # Positions are quarter-hour slots and lane fractions, drawn with static CSS classes (static/css/week-slots.css),
    # so the strict Content-Security-Policy needs no inline styles.
    @property
    def top_slot(self) -> int:
        return (self.start.hour * 60 + self.start.minute) // SLOT_MINUTES

    @property
    def height_slots(self) -> int:
        start = self.start
        # Minutes from the start's (wall-clock) midnight to the end; both are in the viewer's zone.
        since_midnight = start.hour * 3600 + start.minute * 60 + start.second + start.microsecond / 1e6
        end_minutes = ((self.end - start).total_seconds() + since_midnight) / 60
        end_slot = -(-int(end_minutes) // SLOT_MINUTES)
        return max(1, min(SLOTS_PER_DAY, end_slot) - self.top_slot)


@dataclass(slots=True)
class AllDayItem:
    title: str
    own: bool
    busy: bool

    @property
    def css(self) -> str:
        return ("wk-allday-item wk-own" if self.own else "wk-allday-item wk-other") + ("" if self.busy else " wk-free")


@dataclass(slots=True)
class PersonDay:
    blocks: list[Block] = field(default_factory=list)
    all_day: list[AllDayItem] = field(default_factory=list)
    markup: str = ""  # the blocks as HTML (finish_day)


@dataclass(frozen=True, slots=True)
class _Words:
    """What a block says besides its title and times, in the reader's language (looked up once a day, not a block),
    escaped for HTML."""

    interview_tip: str
    free_tip: str
    interview_label: str

    @classmethod
    def now(cls) -> "_Words":
        return cls(interview_tip=" · " + escape(pgettext("a block in the week", "interview")),
                   free_tip=" · " + escape(pgettext("a block in the week", "free")),
                   interview_label=" · " + escape(pgettext("a block in the week", "Interview")))


def _block_markup(block: Block, top: int, height: int, lanes: int, words: _Words, escaped: dict[str, str]) -> str:
    start, end = block.start, block.end
    # Not f"{start:%H:%M}": strftime was a third of a block's cost.
    times = "%02d:%02d–%02d:%02d" % (start.hour, start.minute, end.hour, end.minute)  # noqa: UP031
    interview = block.kind == "interview"
    who = " wk-interview" if interview else (" wk-own" if block.own else " wk-other")
    css = (f"wk-block wk-t-{top} wk-h-{height}{' wk-short' if height <= 2 else ''} "
           f"lane-{min(block.lane, lanes - 1)}-of-{lanes}{who}{'' if block.busy else ' wk-free'}")
    # Most titles repeat (a teammate's blocks all say "Busy"): each is escaped once. The times are digits.
    title = escaped.get(block.title)
    if title is None:
        title = escaped[block.title] = escape(block.title)
    tip = f"{title} · {times}{words.interview_tip if interview else ('' if block.busy else words.free_tip)}"
    # The title comes first: a narrow column elides it ("Design rev…", full in the tooltip and to a screen reader),
    # and drops the times, rather than showing "0…".
    inner = (f'<span class="wk-title">{title}</span>'
             f'<span class="wk-time">{times}{words.interview_label if interview else ""}</span>')
    if block.url:
        return (f'<a class="{css}" href="{escape(block.url)}" title="{tip}" '
                f'data-testid="week-event" data-kind="interview">{inner}</a>')
    kind = ' data-kind="interview"' if interview else ""
    return f'<div class="{css}" title="{tip}" data-testid="week-event"{kind}>{inner}</div>'


def finish_day(day: PersonDay, escaped: dict[str, str] | None = None) -> None:
    """Lanes, then each block's classes and labels, then its markup, in one pass.

    A busy week shows a thousand blocks; printed through the template engine (a lookup, an escape and a node per
    value) they cost a page tens of milliseconds, written here they cost one. Titles are escaped; everything else is
    made of our own class names, digits and paths. Positions are classes: the strict CSP allows no inline style.
    `escaped`: titles already escaped, shared by the days of one page."""
    assign_lanes(day.blocks)
    if not day.blocks:
        day.markup = ""
        return
    words = _Words.now()
    escaped = {} if escaped is None else escaped
    day.markup = mark_safe("".join(  # noqa: S308 -- built from escaped titles and words, and our own classes
        _block_markup(block, block.top_slot, block.height_slots, min(block.lanes, MAX_LANES), words, escaped)
        for block in day.blocks
    ))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def split_by_day(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[date, datetime, datetime]]:
    """Cut [start, end) into local-day pieces."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_start.date() == local_end.date() and local_start < local_end:
        return [(local_start.date(), local_start, local_end)]  # nearly every event: one piece
    pieces = []
    cursor = local_start
    while cursor < local_end:
        next_midnight = datetime.combine(cursor.date() + timedelta(days=1), time.min, tzinfo=zone)
        piece_end = min(local_end, next_midnight)
        pieces.append((cursor.date(), cursor, piece_end))
        cursor = piece_end
    if not pieces:
        pieces.append((local_start.date(), local_start, local_start))
    return pieces


def assign_lanes(blocks: list[Block]) -> None:
    """Give overlapping blocks their own lanes; a cluster of overlaps shares one lane count."""
    blocks.sort(key=lambda b: (b.start, -(b.end - b.start).total_seconds()))
    cluster: list[Block] = []
    cluster_end: datetime | None = None
    lane_ends: list[datetime] = []

    def close_cluster() -> None:
        for member in cluster:
            member.lanes = len(lane_ends) or 1

    for block in blocks:
        if cluster_end is not None and block.start >= cluster_end:
            close_cluster()
            cluster, lane_ends, cluster_end = [], [], None
        for index, lane_end in enumerate(lane_ends):
            if lane_end <= block.start:
                block.lane, lane_ends[index] = index, block.end
                break
        else:
            block.lane = len(lane_ends)
            lane_ends.append(block.end)
        cluster.append(block)
        cluster_end = block.end if cluster_end is None else max(cluster_end, block.end)
    close_cluster()
