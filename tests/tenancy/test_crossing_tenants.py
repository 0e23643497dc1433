"""Crossing tenants has one way in the production code: recruitee.tenancy.db.across_tenants(reason), which says
why in the log and switches the database to the cross-tenant role. Nothing else turns the scopes off or changes
the database role (migrations aside: they run as the tables' owner)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PRODUCTION = ["recruitee", "calendars", "scheduling", "mailbox"]
THE_WAY_ACROSS = ROOT / "recruitee" / "tenancy" / "db.py"
FORBIDDEN = re.compile(r"scopes_disabled|\b(?:re)?set\s+role\b|set_config\(\s*'role'", re.IGNORECASE)


def test_nothing_but_across_tenants_switches_the_scopes_off_or_the_database_role():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for package in PRODUCTION for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts and path != THE_WAY_ACROSS
        for number, line in enumerate(path.read_text().splitlines(), start=1) if FORBIDDEN.search(line)
    ]
    assert offenders == [], "use recruitee.tenancy.db.across_tenants(reason) instead"


def test_the_check_would_notice():
    assert FORBIDDEN.search("    with scopes_disabled():")
    assert FORBIDDEN.search('cursor.execute("SET ROLE recruitee_crosstenant")')
    assert FORBIDDEN.search("SELECT set_config('role', 'x', false)")
    assert not FORBIDDEN.search("with across_tenants('beat: due reminders'):")
