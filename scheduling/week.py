"""Interviews in the calendar week view, next to the synced events."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from calendars.models import Event
from calendars.week import Block, PersonDay, split_by_day
from recruitee.tenancy.models import Membership

from .selectors import interviews_for_members


def interviews_into_week(*, grid: dict[tuple[int, date], PersonDay], shown: list[Membership], viewer: Membership,
                         start: datetime, end: datetime, zone: ZoneInfo) -> None:
    """Add each shown member's scheduled interviews as blocks, unless the synced calendar already has the event
    (the calendar channel puts it there with our UID, and one interview should appear once)."""
    interviews = list(interviews_for_members(members=shown, start=start, end=end))
    if not interviews:
        return
    synced = set(Event.objects.filter(company=viewer.company, ical_uid__in=[i.ical_uid for i in interviews],
                                      calendar__connection__member__in=shown)
                 .values_list("ical_uid", "calendar__connection__member_id"))
    for interview in interviews:
        people = {p.member_id for p in interview.participants.all()} | {interview.organizer_id}
        for member in shown:
            if member.pk not in people or (interview.ical_uid, member.pk) in synced:
                continue
            own = member.pk == viewer.pk
            for day, piece_start, piece_end in split_by_day(interview.start, interview.end, zone):
                if (member.pk, day) in grid:
                    grid[(member.pk, day)].blocks.append(Block(
                        title=interview.title if own else "Busy", start=piece_start, end=piece_end, busy=True,
                        own=own, source_id=interview.pk,
                    ))
