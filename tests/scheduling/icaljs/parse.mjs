// What Mozilla's ical.js (the parser inside Thunderbird) understands of one iCalendar object.
// Usage: node parse.mjs < invite.ics   (prints JSON; exits non-zero with a message if ical.js refuses the input)
// "local" shows start and end on the wall clock of this process's TZ, i.e. as a user in that zone sees them.
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

function address(property) {
  if (!property) {
    return null;
  }
  return {
    value: property.getFirstValue(),
    cn: property.getParameter('cn') ?? null,
    role: property.getParameter('role') ?? null,
    partstat: property.getParameter('partstat') ?? null,
    rsvp: property.getParameter('rsvp') ?? null,
  };
}

function conference(property) {
  // RFC 7986 CONFERENCE: a URI value with FEATURE and LABEL parameters.
  if (!property) {
    return null;
  }
  const feature = property.getParameter('feature');
  return {
    value: property.getFirstValue(),
    feature: Array.isArray(feature) ? feature.join(',') : (feature ?? null),
    label: property.getParameter('label') ?? null,
  };
}

function wallClock(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function describe(text) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const vevents = calendar.getAllSubcomponents('vevent');
  if (vevents.length !== 1) {
    throw new Error(`expected one VEVENT, found ${vevents.length}`);
  }
  const vevent = vevents[0];
  const event = new ICAL.Event(vevent);
  const start = event.startDate.toJSDate();
  const end = event.endDate.toJSDate();
  return {
    method: calendar.getFirstPropertyValue('method'),
    prodid: calendar.getFirstPropertyValue('prodid'),
    version: calendar.getFirstPropertyValue('version'),
    calscale: calendar.getFirstPropertyValue('calscale'),
    timezones: calendar.getAllSubcomponents('vtimezone').map((zone) => zone.getFirstPropertyValue('tzid')),
    uid: event.uid,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue('status'),
    transp: vevent.getFirstPropertyValue('transp'),
    summary: event.summary,
    description: event.description,
    location: event.location,
    url: vevent.getFirstPropertyValue('url'),
    // "UTC", a TZID resolved from an embedded VTIMEZONE, or "floating" (the bug this suite guards against).
    startZone: event.startDate.zone.tzid,
    endZone: event.endDate.zone.tzid,
    start: start.toISOString(),
    end: end.toISOString(),
    local: { start: wallClock(start), end: wallClock(end) },
    organizer: address(vevent.getFirstProperty('organizer')),
    attendees: vevent.getAllProperties('attendee').map(address),
    conference: conference(vevent.getFirstProperty('conference')),
  };
}

try {
  process.stdout.write(JSON.stringify(describe(readFileSync(0, 'utf8'))) + '\n');
} catch (error) {
  process.stderr.write(`ical.js could not read the invite: ${error.message}\n`);
  process.exit(1);
}
