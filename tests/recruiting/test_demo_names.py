"""Demo data is consistent: a demo member who connects their calendar in the sandbox that `make run` starts meets
their own name there, as the demo names them."""

import pytest

from calendars.sandbox import data
from calendars.sandbox.__main__ import account_specs, build_parser
from calendars.sandbox.model import Account
from recruitee import devstack
from recruitee.recruiting.demo import seed_demo
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Membership

pytestmark = pytest.mark.django_db


def make_run_sandbox_accounts() -> list[Account]:
    """The accounts of the sandbox as `make run` starts it: its command line, read by the sandbox's own parser."""
    argv = devstack.Sandbox().process().argv
    assert argv[1:3] == ("-m", "calendars.sandbox")
    return [data.make_account(spec) for spec in account_specs(build_parser().parse_args(argv[3:]).account)]


def test_it_gives_each_demo_members_sandbox_account_the_members_name():
    seed_demo()
    with across_tenants("test setup"):
        members = {m.user.email: m.user.full_name for m in Membership.objects.select_related("user")}

    accounts = [account for account in make_run_sandbox_accounts() if account.email in members]
    assert [(account.provider, account.email, account.name) for account in accounts] == \
        [(account.provider, account.email, members[account.email]) for account in accounts]
    # Every demo member the sandbox has an account for, so a later one cannot slip through unchecked.
    assert sorted((account.provider, account.email) for account in accounts) == [
        ("google", "lee@acme.test"), ("google", "recruiter@acme.test"), ("microsoft", "interviewer@acme.test"),
        ("microsoft", "omar@acme.test"), ("microsoft", "recruiter@acme.test"),
    ]


def test_it_keeps_the_sandbox_accounts_that_belong_to_nobody_in_the_demo():
    emails = {account.email for account in make_run_sandbox_accounts()}
    assert {"dana.schmidt@sandbox-google.test", "li.wei@sandbox-google.test",
            "sam.oconnor@sandbox-outlook.test"} <= emails
