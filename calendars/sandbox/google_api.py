"""Shared pieces of the Google Calendar v3 stand-in: bearer-token checks, lookups, parameter parsing."""

from __future__ import annotations

import base64
import binascii
import re
import time
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from .auth import AccessToken
from .google_oauth import CAL
from .google_render import error
from .model import GOOGLE, Account, Calendar, zone
from .views import Instance, find
from .web import Request

READ = frozenset({CAL, CAL + ".readonly", CAL + ".events", CAL + ".events.readonly", CAL + ".events.owned",
                  CAL + ".events.owned.readonly"})
WRITE = frozenset({CAL, CAL + ".events", CAL + ".events.owned"})
LIST_CALENDARS = frozenset({CAL, CAL + ".readonly", CAL + ".calendarlist", CAL + ".calendarlist.readonly"})
EVENT_ID = re.compile(r"[a-v0-9]{5,1024}")


def api_auth(req: Request, allowed: frozenset[str]) -> tuple[Account, AccessToken]:
    st = req.state
    value = req.bearer()
    if value is None:
        raise error(401, "required")
    at = st.access_tokens.get(value)
    if at is None or at.grant.provider != GOOGLE or not at.valid(time.time()):
        raise error(401, "authError")
    if not allowed.intersection(at.scopes):
        raise error(403, "insufficientPermissions")
    return st.accounts[at.account], at


def get_calendar(acc: Account, calendar_id: str) -> Calendar:
    if calendar_id == "primary":
        return acc.primary
    cal = acc.calendars.get(calendar_id)
    if cal is None:
        raise error(404, "notFound")
    return cal


def json_body(req: Request) -> dict[str, Any]:
    try:
        body = req.json()
    except (ValueError, UnicodeDecodeError):
        raise error(400, "parseError", "Parse Error") from None
    if not isinstance(body, dict):
        raise error(400, "required", "Required")
    return body


def int_param(req: Request, name: str, default: int, maximum: int) -> int:
    raw = req.q(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise error(400, "invalid", f"Invalid value '{raw}'. Values must match the following regular expression: "
                                    "'-?\\d+'") from None
    if value < 1:
        raise error(400, "invalid", f"Invalid value '{raw}'. Values must be within the range: [1, {maximum}]")
    return min(value, maximum)  # Google silently caps oversized pages


def decode_offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind == "o":
            return int(value)
    except (ValueError, binascii.Error):
        pass
    raise error(400, "invalid", "Invalid page token value.")


def bool_param(req: Request, name: str) -> bool:
    return (req.q(name) or "").lower() == "true"


def out_tz(req: Request) -> str | None:
    tz = req.q("timeZone")
    if tz:
        try:
            zone(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise error(400, "invalid", "Invalid time zone definition.") from None
    return tz


def lookup_event(req: Request, allowed: frozenset[str]) -> tuple[Calendar, Instance]:
    acc, _ = api_auth(req, allowed)
    cal = get_calendar(acc, req.params["cal"])
    inst = find(cal, req.params["event"], req.state.now())
    if inst is None:
        raise error(404, "notFound")
    return cal, inst
