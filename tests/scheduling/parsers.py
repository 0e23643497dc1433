"""The same invite read by Python's icalendar and by Mozilla's ical.js (node), reduced to comparable facts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

REPO_ROOT = Path(__file__).resolve().parents[2]
PARSE_SCRIPT = Path(__file__).with_name("icaljs") / "parse.mjs"

# What both parsers must read identically from every invite we send.
AGREED = (
    "method", "uid", "sequence", "status", "start", "end", "summary", "description", "location", "url",
    "organizer", "attendees", "conference",
)

Parser = Callable[..., dict[str, Any]]


def parse_with_icalendar(ics: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1, f"expected one VEVENT, found {len(events)}"
    event = events[0]
    attendees = event.get("ATTENDEE", [])
    return {
        "method": str(calendar["METHOD"]),
        "uid": str(event["UID"]),
        "sequence": int(event["SEQUENCE"]),
        "status": str(event["STATUS"]),
        "start": event.decoded("DTSTART").astimezone(UTC),
        "end": event.decoded("DTEND").astimezone(UTC),
        "summary": str(event["SUMMARY"]),
        "description": str(event["DESCRIPTION"]),
        "location": str(event["LOCATION"]),
        "url": str(event["URL"]) if "URL" in event else None,
        "organizer": _address(event["ORGANIZER"]),
        "attendees": [_address(a) for a in (attendees if isinstance(attendees, list) else [attendees])],
        "conference": _conference(event.get("CONFERENCE")),
    }


def _conference(prop: Any) -> dict[str, str | None] | None:
    """RFC 7986 CONFERENCE (the first, as a calendar app shows it): the join link, its feature and label."""
    if prop is None:
        return None
    prop = prop[0] if isinstance(prop, list) else prop
    return {"value": str(prop), "feature": prop.params.get("FEATURE"), "label": prop.params.get("LABEL")}


def _address(prop: Any) -> dict[str, str | None]:
    params = prop.params
    return {
        "value": str(prop),
        **{key: params.get(key.upper()) for key in ("cn", "role", "partstat", "rsvp")},
    }


def icaljs_parser() -> Parser:
    """`parse(ics, viewer_zone="UTC")` through node; fails (never skips) when node or ical.js is not installed."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "node is not on PATH: these tests read every invite with Mozilla's ical.js. Install Node.js and npm "
            "(.ci/run installs npm when package.json exists), then run `npm ci` in the repository root.",
            pytrace=False,
        )
    installed = REPO_ROOT / "node_modules" / "ical.js" / "package.json"
    if not installed.is_file():
        pytest.fail(
            f"{installed.parent} is missing: run `npm ci` in the repository root (`make test` does it).", pytrace=False
        )
    pinned = json.loads((REPO_ROOT / "package.json").read_text())["dependencies"]["ical.js"]
    version = json.loads(installed.read_text())["version"]
    if version != pinned:
        pytest.fail(f"node_modules has ical.js {version}, package.json pins {pinned}: run `npm ci`.", pytrace=False)

    def parse(ics: bytes, viewer_zone: str = "UTC") -> dict[str, Any]:
        # TZ makes node's local wall clock that of a user in viewer_zone; floating times would move with it.
        result = subprocess.run(
            [node, str(PARSE_SCRIPT)], input=ics, capture_output=True, timeout=30, cwd=REPO_ROOT,
            env={**os.environ, "TZ": viewer_zone}, check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"{result.stderr.decode()}\n{ics.decode()}", pytrace=False)
        facts = json.loads(result.stdout)
        facts["start"] = datetime.fromisoformat(facts["start"])
        facts["end"] = datetime.fromisoformat(facts["end"])
        return facts

    return parse
