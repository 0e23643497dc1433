"""Lay out a week of events as a grid picture: days across, hours down, overlaps side by side."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SLOT_MINUTES = 15
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES
MAX_LANES = 6


@dataclass
class Block:
    """One event's piece on one day (an event across midnight becomes one block per day)."""

    title: str
    start: datetime  # local to the viewer
    end: datetime
    busy: bool
    own: bool  # titles are shown only to their owner
    source_id: int
    lane: int = 0
    lanes: int = 1

    # Positions are quarter-hour slots and lane fractions, drawn with static CSS classes (static/css/week.css),
    # so the strict Content-Security-Policy needs no inline styles.
    @property
    def top_slot(self) -> int:
        return (self.start.hour * 60 + self.start.minute) // SLOT_MINUTES

    @property
    def height_slots(self) -> int:
        end_minutes = (self.end - self.start.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds() / 60
        end_slot = -(-int(end_minutes) // SLOT_MINUTES)
        return max(1, min(SLOTS_PER_DAY, end_slot) - self.top_slot)

    @property
    def lane_class(self) -> str:
        lanes = min(self.lanes, MAX_LANES)
        return f"lane-{min(self.lane, lanes - 1)}-of-{lanes}"


@dataclass
class AllDayItem:
    title: str
    own: bool
    busy: bool


@dataclass
class PersonDay:
    blocks: list[Block] = field(default_factory=list)
    all_day: list[AllDayItem] = field(default_factory=list)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def split_by_day(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[date, datetime, datetime]]:
    """Cut [start, end) into local-day pieces."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
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
