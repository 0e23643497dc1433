"""The candidate's side of a scheduling link: /book/<token>/ and the pages that hang off it.

No login: whoever holds the link may pick, move or cancel the time it is for, and see what the invitation says
anyway (the company, the interview, the organizer's contact). Nothing more: the interviewers' calendars show only as
"free at this time", their names only where the recruiter chose to show them (or once booked, as the invitation
does).

Every view goes through `booking_view`: the rate limits (per client address, then per link), the link's request,
and that company's scope, opened before anything else is read. A token that names nothing gets one plain 404 page,
whatever the token, that says nothing about any company.

The pages speak the candidate's language (candidate_language), whatever the browser says; a switch on every page
shows the same page in another language for the rest of the visit (?lang=, carried like ?tz=) and never changes the
candidate. Dates and times use that language's formats (recruitee/formats/), in the zone the page shows.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import wraps
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_scopes import scope

from recruitee import ratelimit
from recruitee.client_address import client_address
from recruitee.recruiting.selectors import candidate_language
from recruitee.tenancy.middleware import company_public
from recruitee.zones import is_known_zone

from . import emails
from .booking_forms import CancelForm, ZoneForm
from .models import Interview, Participant, SchedulingRequest
from .self_scheduling import (
    RequestClosed,
    RequestSpec,
    SlotTaken,
    can_change,
    can_reschedule,
    change_deadline,
    expires_at,
    is_bookable,
    offered_slots,
    request_for_token,
    scheduling_request_book,
    scheduling_request_cancel,
    scheduling_request_open,
    scheduling_request_reschedule,
)
from .slots import Slot

logger = logging.getLogger(__name__)

OPEN = (SchedulingRequest.Status.SENT, SchedulingRequest.Status.OPENED)
# Our own links carry the start as a UTC instant to the second: "2030-06-12T08:00:00Z". Nothing else is read.
_START = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# The language the visitor picked with the page's switch (?lang=de): carried on every link and form of the visit,
# like ?tz=. Without it, the candidate's language (candidate_language), whatever the browser says.
LANGUAGE_PARAM = "lang"


# ---- the frame every view runs in -------------------------------------------------------------------------------

def booking_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Rate limits, then the token's request, then its company's scope around the view (request, sr, token)."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        asked = _asked_language(request)
        request.booking_language = asked
        # Before the token is looked up: the chosen language, else the browser's (LocaleMiddleware's).
        with translation.override(asked or translation.get_language()):
            refused = _rate_limited(request, token)
            if refused is not None:
                return _in_language(refused)
            scheduling_request = request_for_token(token)
            if scheduling_request is None:
                return _in_language(_message(
                    request, None, status=404, heading=_("This link does not work"),
                    text=_("We could not find this scheduling link. Please check that you opened the whole link "
                           "from the email. If you received a newer email with a link, use that one; otherwise "
                           "reply to the email to reach the person who sent it.")))
        with scope(company=scheduling_request.company):
            with translation.override(asked or candidate_language(scheduling_request.candidate)):
                return _in_language(view(request, scheduling_request, token))

    return company_public(never_cache(wrapper))


def _asked_language(request: HttpRequest) -> str:
    """The ?lang= of the visit when it names a language we offer, else ""."""
    asked = request.GET.get(LANGUAGE_PARAM, "")
    return asked if asked in dict(settings.LANGUAGES) else ""


def _in_language(response: HttpResponse) -> HttpResponse:
    # LocaleMiddleware would name the browser's language (it runs after the override has ended).
    response["Content-Language"] = translation.get_language()
    return response


def _rate_limited(request: HttpRequest, token: str) -> HttpResponse | None:
    window = settings.BOOKING_RATE_WINDOW_SECONDS
    wait = ratelimit.hit("booking-client", client_address(request) or "unknown",
                         ratelimit.Rate(settings.BOOKING_RATE_PER_CLIENT, window))
    if wait is None:
        posting = request.method == "POST"
        limit = settings.BOOKING_RATE_PER_TOKEN_POST if posting else settings.BOOKING_RATE_PER_TOKEN_GET
        wait = ratelimit.hit("booking-token-post" if posting else "booking-token-get", token,
                             ratelimit.Rate(limit, window))
    if wait is None:
        return None
    # Before the token is looked up: the answer says nothing about whether the link exists.
    minutes = max(1, round(wait / 60))
    response = _message(request, None, status=429, heading=_("Too many requests"),
                        text=ngettext("This page was opened too often in a short time. Please wait about "
                                      "%(minutes)d minute and try again.",
                                      "This page was opened too often in a short time. Please wait about "
                                      "%(minutes)d minutes and try again.", minutes) % {"minutes": minutes})
    response["Retry-After"] = str(wait)
    return response


# ---- words and shapes for the templates --------------------------------------------------------------------------

@dataclass(frozen=True)
class Contact:
    name: str
    email: str


@dataclass(frozen=True)
class ShownSlot:
    time: str  # "10:00", the button's text
    label: str  # "Tuesday 1 December, 10:00–11:00": what a screen reader says
    url: str


@dataclass
class ShownDay:
    heading: str
    slots: list[ShownSlot]


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language: "English", "Deutsch"
    url: str  # "?tz=…&lang=de": the same page (and token) in that language
    current: bool


# Dates and times in the active language's formats (recruitee/formats/): the local time is formatted as it is.


def _day_words(local: date) -> str:
    # "Tuesday 1 December 2026", "Dienstag, 1. Dezember 2026"
    return pgettext("booking: weekday and date", "%(weekday)s %(date)s") % {
        "weekday": date_format(local, "l"), "date": date_format(local, "DATE_FORMAT")}


def _span_words(start: datetime, end: datetime, zone_name: str) -> str:
    # "Tuesday 1 December, 10:00–11:00", "Dienstag, 1. Dezember, 10:00–11:00 Uhr"
    zone = ZoneInfo(zone_name)
    s, e = start.astimezone(zone), end.astimezone(zone)
    return pgettext("booking: a time on one day", "%(weekday)s %(day)s, %(start)s–%(end)s") % {
        "weekday": date_format(s, "l"), "day": date_format(s, "MONTH_DAY_FORMAT"),
        "start": date_format(s, "TIME_FORMAT"), "end": date_format(e, "TIME_FORMAT")}


def _moment_words(local: datetime) -> str:
    # "Tuesday 1 December 2026, 10:00", "Dienstag, 1. Dezember 2026, 10:00 Uhr"
    return pgettext("booking: date and time", "%(date)s, %(time)s") % {
        "date": _day_words(local), "time": date_format(local, "TIME_FORMAT")}


def _duration_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    parts = ([ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}] if hours else []) + (
        [ngettext("%(count)d minute", "%(count)d minutes", rest) % {"count": rest}] if rest else [])
    return " ".join(parts)


def _start_param(start: datetime) -> str:
    return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_start(value: object) -> datetime | None:
    if not isinstance(value, str) or not _START.fullmatch(value):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:  # "2030-02-31T..."
        return None


def _data(request: HttpRequest):
    return request.POST if request.method == "POST" else request.GET


def _zone(request: HttpRequest, scheduling_request: SchedulingRequest) -> str:
    """?tz= (or the posted tz) when it is a known zone; else the candidate's zone; else the request's."""
    asked = _data(request).get("tz", "")
    for name in (asked, scheduling_request.candidate.time_zone, scheduling_request.time_zone):
        if name and is_known_zone(name):
            return name
    return "UTC"


def _url(request: HttpRequest, name: str, token: str, **query: str) -> str:
    """A page of the link, with the visit's chosen language (if one was chosen) carried on."""
    chosen = getattr(request, "booking_language", "")
    if chosen:
        query[LANGUAGE_PARAM] = chosen
    url = reverse(f"booking:{name}", kwargs={"token": token})
    return f"{url}?{urlencode(query)}" if query else url


def _language_links(request: HttpRequest) -> list[LanguageLink]:
    """The same page in each language: a query-only link, so it keeps the path (and the token) it is on, and the
    page's zone and chosen time (read back and checked, never echoed as sent)."""
    data = _data(request)
    query = {}
    if is_known_zone(data.get("tz", "")):
        query["tz"] = data["tz"]
    start = _parse_start(data.get("start"))
    if start is not None:
        query["start"] = _start_param(start)
    current = translation.get_language()
    return [LanguageLink(code=code, name=name, url=f"?{urlencode({**query, LANGUAGE_PARAM: code})}",
                         current=code == current)
            for code, name in settings.LANGUAGES]


def _render(request: HttpRequest, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    return render(request, template, {**context, "language_links": _language_links(request),
                                      "chosen_language": getattr(request, "booking_language", "")}, status=status)


def _days(request: HttpRequest, slots: list[Slot], *, zone_name: str, token: str, url_name: str
          ) -> list[ShownDay]:
    """The slots grouped by the candidate's calendar day, in order."""
    zone = ZoneInfo(zone_name)
    days: dict = {}
    for slot in slots:
        local = slot.start.astimezone(zone)
        day = days.setdefault(local.date(), ShownDay(heading=_day_words(local), slots=[]))
        day.slots.append(ShownSlot(time=date_format(local, "TIME_FORMAT"),
                                   label=_span_words(slot.start, slot.end, zone_name),
                                   url=_url(request, url_name, token, start=_start_param(slot.start), tz=zone_name)))
    return list(days.values())


def _brand(scheduling_request: SchedulingRequest) -> dict:
    """What every page of a known link shows: whose link it is and how to reach the recruiter."""
    company = scheduling_request.company
    organizer = scheduling_request.organizer.user
    return {"company_name": company.name, "logo_letter": company.name.strip()[:1].upper(),
            "contact": Contact(name=organizer.display_name, email=organizer.email)}


def _where_before(scheduling_request: SchedulingRequest) -> str:
    if scheduling_request.location:
        return scheduling_request.location
    if scheduling_request.video_link:
        return _("Video call (the link comes with your invitation)")
    return ""


def _interviewers_before(scheduling_request: SchedulingRequest) -> str:
    """Names only where the recruiter chose to show them."""
    if not scheduling_request.show_interviewer_names:
        return ""
    spec = RequestSpec.of(scheduling_request)
    names = ", ".join(member.user.display_name for member in spec.panel)
    if spec.pool:
        pool = ", ".join(member.user.display_name for member in spec.pool)
        words = {"panel": names, "count": spec.pool_size, "pool": pool}
        # "Dana Dev, and 1 of Eli Engineer, Paula Pool": the panel, and how many of the pool.
        names = (_("%(panel)s, and %(count)d of %(pool)s") % words if names
                 else _("%(count)d of %(pool)s") % words)
    return names


def _about(scheduling_request: SchedulingRequest) -> dict:
    return {"title": scheduling_request.title,
            "kind": scheduling_request.get_kind_display(),
            "duration": _duration_words(scheduling_request.duration_minutes),
            "where": _where_before(scheduling_request), "note": scheduling_request.note}


def _zone_form(zone_name: str) -> ZoneForm:
    return ZoneForm(initial={"tz": zone_name})


def _deadline_words(scheduling_request: SchedulingRequest, zone_name: str) -> str:
    deadline = change_deadline(scheduling_request)
    if deadline is None:
        return ""
    local = deadline.astimezone(ZoneInfo(zone_name))
    return f"{_moment_words(local)} ({zone_name})"


# ---- plain pages ----------------------------------------------------------------------------------------------

def _message(request: HttpRequest, scheduling_request: SchedulingRequest | None, *, status: int, heading: str,
             text: str, back: tuple[str, str] | None = None) -> HttpResponse:
    context = {"heading": heading, "text": text, "back": back}
    if scheduling_request is not None:
        context |= _brand(scheduling_request)
    return _render(request, "booking/message.html", context, status=status)


def _closed(request: HttpRequest, scheduling_request: SchedulingRequest, token: str) -> HttpResponse:
    """The page of a link that can no longer book (or change) anything, whatever was asked of it."""
    status = scheduling_request.status
    if status == SchedulingRequest.Status.WITHDRAWN:
        return _message(request, scheduling_request, status=410, heading=_("This link is no longer active"),
                        text=_("%(company)s has withdrawn this scheduling link or sent you a newer one. Please use "
                               "the newest link you received, or contact the recruiter.")
                        % {"company": scheduling_request.company.name})
    if status == SchedulingRequest.Status.BOOKED:
        interview = scheduling_request.interview
        if interview is None or interview.is_cancelled:
            return _message(request, scheduling_request, status=410, heading=_("This interview was cancelled"),
                            text=_("The interview you booked through this link has been cancelled. Please contact "
                                   "the recruiter to find a new time."))
    if status in OPEN and not is_bookable(scheduling_request):
        last = scheduling_request.last_day
        return _message(request, scheduling_request, status=410, heading=_("This link has expired"),
                        text=_("This link offered times until %(day)s. To find another time, please contact the "
                               "recruiter.") % {"day": _day_words(last)})
    return _message(request, scheduling_request, status=404, heading=_("There is nothing to do here"),
                    text=_("This page is not available for this link."),
                    back=(_("Back to your booking"), _url(request, "page", token)))


def _no_change(request: HttpRequest, scheduling_request: SchedulingRequest, token: str, zone_name: str, *,
               moving: bool) -> HttpResponse:
    """A booked interview the link can no longer move (or cancel): until when it could, and whom to ask."""
    if scheduling_request.status != SchedulingRequest.Status.BOOKED or change_deadline(scheduling_request) is None:
        return _closed(request, scheduling_request, token)
    if can_change(scheduling_request) and moving:
        moved = scheduling_request.reschedules
        text = ngettext("You have moved this interview %(count)d time, the most this link allows (%(limit)d). To "
                        "move it again, please contact the recruiter.",
                        "You have moved this interview %(count)d times, the most this link allows (%(limit)d). To "
                        "move it again, please contact the recruiter.", moved) % {
            "count": moved, "limit": scheduling_request.company.candidate_max_reschedules}
    else:
        text = _("Changes through this link were possible until %(deadline)s. To change or cancel the interview "
                 "now, please contact the recruiter.") % {
            "deadline": _deadline_words(scheduling_request, zone_name)}
    return _message(request, scheduling_request, status=410, heading=_("This can no longer be changed online"),
                    text=text, back=(_("Back to your booking"), _url(request, "page", token, tz=zone_name)))


def _bad_time(request: HttpRequest, scheduling_request: SchedulingRequest, token: str, zone_name: str,
              url_name: str) -> HttpResponse:
    return _message(request, scheduling_request, status=400, heading=_("We could not read the chosen time"),
                    text=_("Please pick a time from the list."),
                    back=(_("See the available times"), _url(request, url_name, token, tz=zone_name)))


def _failed(request: HttpRequest, scheduling_request: SchedulingRequest, token: str, zone_name: str,
            error: ValidationError) -> HttpResponse:
    # The recruiter's setup (a calendar to reconnect, a sending limit): nothing was booked, and the candidate can
    # do nothing about it but wait or write.
    logger.warning("Booking through scheduling link %s refused: %s", scheduling_request.pk, "; ".join(error.messages))
    return _message(request, scheduling_request, status=503, heading=_("We could not complete this"),
                    text=_("Something on our side stopped it, and nothing was changed. Please try again later, or "
                           "contact the recruiter."), back=(_("Back"), _url(request, "page", token, tz=zone_name)))


def _taken(request: HttpRequest, scheduling_request: SchedulingRequest, token: str, zone_name: str, *,
           moving: bool) -> HttpResponse:
    """The chosen time is gone: say so, and offer what is left."""
    slots = offered_slots(scheduling_request)
    if moving and scheduling_request.interview is not None:
        slots = [slot for slot in slots if slot.start != scheduling_request.interview.start]
    url_name = "reschedule-confirm" if moving else "confirm"
    return _render(request, "booking/taken.html", {
        **_brand(scheduling_request), **_about(scheduling_request), "zone": zone_name, "moving": moving,
        "days": _days(request, slots, zone_name=zone_name, token=token, url_name=url_name),
    }, status=409)


# ---- the pages --------------------------------------------------------------------------------------------------

@require_http_methods(["GET", "HEAD"])
@booking_view
def page(request: HttpRequest, scheduling_request: SchedulingRequest, token: str) -> HttpResponse:
    """The link itself: the free times (open), the booking (booked), or what became of it."""
    zone_name = _zone(request, scheduling_request)
    status = scheduling_request.status
    if status == SchedulingRequest.Status.CANCELLED:
        return _render(request, "booking/cancelled.html", {
            **_brand(scheduling_request), **_about(scheduling_request),
            "reason": scheduling_request.cancel_reason,
        })
    if status == SchedulingRequest.Status.BOOKED:
        interview = scheduling_request.interview
        if interview is None or interview.is_cancelled:
            return _closed(request, scheduling_request, token)
        return _booked(request, scheduling_request, interview, token, zone_name)
    if not is_bookable(scheduling_request):
        return _closed(request, scheduling_request, token)
    scheduling_request_open(scheduling_request=scheduling_request)
    slots = offered_slots(scheduling_request)
    return _render(request, "booking/slots.html", {
        **_brand(scheduling_request), **_about(scheduling_request), "zone": zone_name, "detect_zone": True,
        "zone_form": _zone_form(zone_name), "interviewers": _interviewers_before(scheduling_request),
        "days": _days(request, slots, zone_name=zone_name, token=token, url_name="confirm"),
        "expires": expires_at(scheduling_request),
    })


def _booked(request: HttpRequest, scheduling_request: SchedulingRequest, interview: Interview, token: str,
            zone_name: str) -> HttpResponse:
    participants = list(interview.participants.all())
    candidate = next((p for p in participants if p.role == Participant.Role.CANDIDATE), None)
    video = interview.video_link if interview.video_link.lower().startswith(("https://", "http://")) else ""
    return _render(request, "booking/booked.html", {
        **_brand(scheduling_request), "zone": zone_name, "detect_zone": True, "zone_form": _zone_form(zone_name),
        "title": interview.title, "kind": interview.get_kind_display(),
        "when": _span_words(interview.start, interview.end, zone_name),
        "duration": _duration_words(int((interview.end - interview.start).total_seconds() // 60)),
        "location": interview.location, "video_link": video,
        "interviewers": ", ".join(p.name for p in participants if p.role == Participant.Role.INTERVIEWER),
        "note": interview.note,
        # Whoever the organizer's calendar invited has the event already; a second one would be a duplicate.
        "in_calendar_already": bool(candidate and candidate.by_calendar),
        "candidate_email": candidate.email if candidate else "",
        "can_change": can_change(scheduling_request), "can_reschedule": can_reschedule(scheduling_request),
        "deadline": _deadline_words(scheduling_request, zone_name),
        "reschedules_left": max(0, scheduling_request.company.candidate_max_reschedules
                                - scheduling_request.reschedules),
        "ics_url": _url(request, "invite-ics", token),
        "reschedule_url": _url(request, "reschedule", token, tz=zone_name),
        "cancel_url": _url(request, "cancel", token, tz=zone_name),
    })


def _pick(request: HttpRequest, scheduling_request: SchedulingRequest, token: str, *, moving: bool
          ) -> HttpResponse:
    """The confirmation step of booking (or of moving): GET asks, POST does it."""
    zone_name = _zone(request, scheduling_request)
    list_name, confirm_name = ("reschedule", "reschedule-confirm") if moving else ("page", "confirm")
    if not moving and scheduling_request.status == SchedulingRequest.Status.BOOKED:
        return _to_page(request, token, zone_name)  # booked meanwhile (another tab): the page says what, when
    allowed = can_reschedule(scheduling_request) if moving else is_bookable(scheduling_request)
    if not allowed:
        return (_no_change(request, scheduling_request, token, zone_name, moving=True) if moving
                else _closed(request, scheduling_request, token))
    start = _parse_start(_data(request).get("start"))
    if start is None:
        return _bad_time(request, scheduling_request, token, zone_name, list_name)

    if request.method == "POST":
        try:
            if moving:
                scheduling_request_reschedule(scheduling_request=scheduling_request, start=start)
            else:
                scheduling_request_book(scheduling_request=scheduling_request, start=start)
        except SlotTaken:
            return _taken(request, scheduling_request, token, zone_name, moving=moving)
        except RequestClosed:
            fresh = request_for_token(token)
            if fresh is None:
                return _closed(request, scheduling_request, token)
            if not moving and fresh.status == SchedulingRequest.Status.BOOKED:
                return _to_page(request, token, zone_name)
            return (_no_change(request, fresh, token, zone_name, moving=True) if moving
                    else _closed(request, fresh, token))
        except ValidationError as error:
            return _failed(request, scheduling_request, token, zone_name, error)
        return _to_page(request, token, zone_name)

    slots = offered_slots(scheduling_request)
    slot = next((slot for slot in slots if slot.start == start), None)
    current = scheduling_request.interview if moving else None
    if slot is None or (current is not None and slot.start == current.start):
        return _taken(request, scheduling_request, token, zone_name, moving=moving)
    return _render(request, "booking/confirm.html", {
        **_brand(scheduling_request), **_about(scheduling_request), "zone": zone_name, "moving": moving,
        "when": _span_words(slot.start, slot.end, zone_name),
        "current": _span_words(current.start, current.end, zone_name) if current else "",
        "start": _start_param(slot.start),
        "action": _url(request, confirm_name, token, start=_start_param(slot.start), tz=zone_name),
        "back_url": _url(request, list_name, token, tz=zone_name),
    })


def _to_page(request: HttpRequest, token: str, zone_name: str) -> HttpResponse:
    response = HttpResponse(status=303)
    response["Location"] = _url(request, "page", token, tz=zone_name)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@booking_view
def confirm(request: HttpRequest, scheduling_request: SchedulingRequest, token: str) -> HttpResponse:
    return _pick(request, scheduling_request, token, moving=False)


@require_http_methods(["GET", "HEAD"])
@booking_view
def reschedule(request: HttpRequest, scheduling_request: SchedulingRequest, token: str) -> HttpResponse:
    """Where the booked interview could move to: a fresh computation that leaves the interview itself out."""
    zone_name = _zone(request, scheduling_request)
    if scheduling_request.status in OPEN and is_bookable(scheduling_request):
        return _to_page(request, token, zone_name)  # nothing booked yet: the page offers the times
    if not can_reschedule(scheduling_request):
        return _no_change(request, scheduling_request, token, zone_name, moving=True)
    interview = scheduling_request.interview
    slots = [slot for slot in offered_slots(scheduling_request) if slot.start != interview.start]
    return _render(request, "booking/reschedule.html", {
        **_brand(scheduling_request), **_about(scheduling_request), "zone": zone_name, "detect_zone": True,
        "zone_form": _zone_form(zone_name), "current": _span_words(interview.start, interview.end, zone_name),
        "days": _days(request, slots, zone_name=zone_name, token=token, url_name="reschedule-confirm"),
        "back_url": _url(request, "page", token, tz=zone_name),
    })


@require_http_methods(["GET", "HEAD", "POST"])
@booking_view
def reschedule_confirm(request: HttpRequest, scheduling_request: SchedulingRequest, token: str) -> HttpResponse:
    return _pick(request, scheduling_request, token, moving=True)


@require_http_methods(["GET", "HEAD", "POST"])
@booking_view
def cancel(request: HttpRequest, scheduling_request: SchedulingRequest, token: str) -> HttpResponse:
    zone_name = _zone(request, scheduling_request)
    if scheduling_request.status == SchedulingRequest.Status.CANCELLED:
        return _to_page(request, token, zone_name)  # cancelled already (another tab, a double click)
    if not can_change(scheduling_request):
        return _no_change(request, scheduling_request, token, zone_name, moving=False)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            scheduling_request_cancel(scheduling_request=scheduling_request, reason=form.cleaned_data["reason"])
        except RequestClosed:
            fresh = request_for_token(token) or scheduling_request
            if fresh.status == SchedulingRequest.Status.CANCELLED:
                return _to_page(request, token, zone_name)
            return _no_change(request, fresh, token, zone_name, moving=False)
        except ValidationError as error:
            return _failed(request, scheduling_request, token, zone_name, error)
        return _to_page(request, token, zone_name)
    interview = scheduling_request.interview
    return _render(request, "booking/cancel.html", {
        **_brand(scheduling_request), "title": interview.title, "zone": zone_name, "form": form,
        "when": _span_words(interview.start, interview.end, zone_name),
        "back_url": _url(request, "page", token, tz=zone_name),
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD"])
@booking_view
def invite_ics(request: HttpRequest, scheduling_request: SchedulingRequest, token: str) -> HttpResponse:
    """The booked interview as an .ics file for the candidate's own calendar: a PUBLISH copy (no one is asked to
    answer it) with the invitation's UID and SEQUENCE, so a calendar that has the invitation already updates that
    entry instead of adding a second one."""
    interview = scheduling_request.interview
    if (scheduling_request.status != SchedulingRequest.Status.BOOKED or interview is None
            or interview.is_cancelled):
        return _closed(request, scheduling_request, token)
    ics = emails.invite_ics(interview=interview, attendees=[], method="PUBLISH",
                            description=_("%(title)s with %(company)s") % {
                                "title": interview.title, "company": scheduling_request.company.name})
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="interview.ics"'
    return response
