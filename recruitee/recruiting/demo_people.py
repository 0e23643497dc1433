"""The demo's people as plain data, with no Django in reach.

`manage.py seed_demo` makes them members (demo.py). `make run` (recruitee/devstack.py, which starts before Django
is set up) gives the calendar sandbox their accounts under these same names, so a demo member who connects "their"
Google or Outlook calendar sees themselves, not a stand-in. The sandbox imports nothing of ours: the names reach it
as data on its command line.
"""

from __future__ import annotations

from dataclasses import dataclass

# The sandbox's provider names, which are also calendars.models.Provider's values.
GOOGLE = "google"
OUTLOOK = "microsoft"
PROVIDER_LABELS = {GOOGLE: "Google", OUTLOOK: "Outlook"}


@dataclass(frozen=True)
class DemoPerson:
    company: str  # the company's slug
    email: str
    name: str
    role: str  # a recruitee.tenancy.models.Role value
    time_zone: str
    calendars: tuple[str, ...] = ()  # the providers where the calendar sandbox has an account for them


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("acme", "admin@acme.test", "Alex Admin", "admin", "Europe/Berlin"),
    DemoPerson("acme", "recruiter@acme.test", "Rita Recruiter", "recruiter", "Europe/Berlin", (GOOGLE, OUTLOOK)),
    DemoPerson("acme", "interviewer@acme.test", "Dana Schmidt", "interviewer", "Europe/Berlin", (OUTLOOK,)),
    # Two more engineers, so a scheduling link can ask for "any 1 of these" (a pool) and find calendars to read.
    DemoPerson("acme", "lee@acme.test", "Lee Chen", "interviewer", "Europe/London", (GOOGLE,)),
    DemoPerson("acme", "omar@acme.test", "Omar Haddad", "interviewer", "America/New_York", (OUTLOOK,)),
    DemoPerson("globex", "admin@globex.test", "Hank Scorpio", "admin", "America/Chicago"),
)


def sandbox_accounts() -> list[tuple[str, str, str, str]]:
    """(provider, email, name, time zone) of each calendar sandbox account that belongs to a demo member."""
    return [(provider, person.email, person.name, person.time_zone)
            for person in PEOPLE for provider in person.calendars]
