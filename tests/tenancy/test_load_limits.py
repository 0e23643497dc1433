"""Interview load limits (per member, set by the member or an admin) and what candidates may change by themselves
(per company): forms that explain mistakes, services that record what changed."""

import pytest

from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry, Company, Membership
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HOURS = {"working_days": ["1", "2", "3", "4", "5"], "work_start": "09:00", "work_end": "17:00"}


def stored(membership: Membership) -> Membership:
    with across_tenants("test setup"):
        return Membership.objects.get(pk=membership.pk)


def entries(action: str) -> list[AuditEntry]:
    with across_tenants("test setup"):
        return list(AuditEntry.objects.filter(action=action).select_related("actor").order_by("pk"))


def test_a_new_member_has_no_limits(teammate, owner_client):
    member = stored(teammate)
    assert (member.max_interviews_per_day, member.max_interviews_per_week) == (None, None)
    assert "No limit" in owner_client.get("/acme/team/").content.decode()


def test_it_lets_a_member_set_their_own_limits_with_their_hours_and_records_them(interviewer_client, interviewer):
    page = interviewer_client.get("/acme/my-hours/").content.decode()
    assert "Max interviews per day" in page and "Max interviews per week" in page
    response = interviewer_client.post("/acme/my-hours/", {**HOURS, "max_interviews_per_day": "2",
                                                           "max_interviews_per_week": " 6 "})
    assert response.status_code == 302
    member = stored(interviewer)
    assert (member.max_interviews_per_day, member.max_interviews_per_week) == (2, 6)
    [entry] = entries("membership.load_limits")
    assert (entry.actor, entry.target_type, entry.target_id) == (interviewer.user, "tenancy.membership", interviewer.pk)
    assert entry.data == {"max_interviews_per_day": 2, "max_interviews_per_week": 6,
                          "member": "Ivan Interviewer", "user_id": interviewer.user_id}
    assert "set their interview limits: 2 a day, 6 a week" in entry.summary
    # The hours did not change: no working-hours entry; saving the same again records nothing.
    assert entries("membership.working_hours") == []
    interviewer_client.post("/acme/my-hours/", {**HOURS, "max_interviews_per_day": "2", "max_interviews_per_week": "6"})
    assert len(entries("membership.load_limits")) == 1
    page = interviewer_client.get("/acme/my-hours/").content.decode()
    assert 'name="max_interviews_per_day" value="2"' in page


def test_it_clears_a_limit_left_empty(interviewer_client, interviewer):
    interviewer_client.post("/acme/my-hours/", {**HOURS, "max_interviews_per_day": "3", "max_interviews_per_week": "9"})
    interviewer_client.post("/acme/my-hours/", {**HOURS, "max_interviews_per_day": "", "max_interviews_per_week": "9"})
    member = stored(interviewer)
    assert (member.max_interviews_per_day, member.max_interviews_per_week) == (None, 9)
    assert entries("membership.load_limits")[-1].summary.endswith("no daily limit, 9 a week")


def test_it_saves_hours_and_limits_together_or_neither(teammate_client, teammate):
    response = teammate_client.post("/acme/my-hours/", {**HOURS, "work_start": "08:00", "max_interviews_per_day": "0"})
    assert response.status_code == 400
    member = stored(teammate)
    assert (member.work_start.hour, member.max_interviews_per_day) == (9, None)
    assert entries("membership.working_hours") == entries("membership.load_limits") == []


LIMIT_MISTAKES = {
    "zero a day": ({"max_interviews_per_day": "0"}, "max_interviews_per_day",
                   "Ensure this value is greater than or equal to 1."),
    "too many a day": ({"max_interviews_per_day": "25"}, "max_interviews_per_day",
                       "Ensure this value is less than or equal to 24."),
    "too many a week": ({"max_interviews_per_week": "101"}, "max_interviews_per_week",
                        "Ensure this value is less than or equal to 100."),
    "not a number": ({"max_interviews_per_week": "lots"}, "max_interviews_per_week", "Enter a whole number."),
    "huge": ({"max_interviews_per_week": "9" * 30}, "max_interviews_per_week", "less than or equal to 100"),
    "week below day": ({"max_interviews_per_day": "5", "max_interviews_per_week": "3"}, "max_interviews_per_week",
                       "The weekly limit cannot be lower than the daily one."),
}


@pytest.mark.parametrize("case", LIMIT_MISTAKES, ids=list(LIMIT_MISTAKES))
def test_it_explains_each_limit_mistake_on_both_pages_and_keeps_the_old_limits(owner_client, teammate_client,
                                                                             teammate, case):
    changes, field, message = LIMIT_MISTAKES[case]
    for client, url, data in ((teammate_client, "/acme/my-hours/", {**HOURS, **changes}),
                              (owner_client, f"/acme/team/members/{teammate.pk}/limits/", changes)):
        response = client.post(url, data)
        assert response.status_code == 400, url
        page = response.content.decode()
        assert message in page and f'name="{field}"' in page and 'aria-invalid="true"' in page, url
    member = stored(teammate)
    assert (member.max_interviews_per_day, member.max_interviews_per_week) == (None, None)
    assert entries("membership.load_limits") == []


def test_an_admin_sets_a_members_limits_from_the_team_page(owner_client, owner, interviewer):
    team = owner_client.get("/acme/team/").content.decode()
    url = f"/acme/team/members/{interviewer.pk}/limits/"
    assert f'href="{url}"' in team
    page = owner_client.get(url).content.decode()
    assert "Interview limits of Ivan Interviewer" in page
    response = owner_client.post(url, {"max_interviews_per_day": "1", "max_interviews_per_week": "4"})
    assert response.status_code == 302 and response["Location"] == "/acme/team/"
    member = stored(interviewer)
    assert (member.max_interviews_per_day, member.max_interviews_per_week) == (1, 4)
    [entry] = entries("membership.load_limits")
    assert (entry.actor, entry.target_id) == (owner.user, interviewer.pk)
    assert "set Ivan Interviewer" in entry.summary and "1 a day, 4 a week" in entry.summary
    assert "1 a day · 4 a week" in owner_client.get("/acme/team/").content.decode()
    # The member sees them on their own page.
    assert 'name="max_interviews_per_week" value="4"' in client_for(interviewer).get("/acme/my-hours/").content.decode()


def test_only_admins_set_someone_elses_limits(teammate_client, interviewer_client, teammate, interviewer):
    for client, target in ((teammate_client, interviewer), (interviewer_client, teammate)):
        url = f"/acme/team/members/{target.pk}/limits/"
        assert client.get(url).status_code == 403
        assert client.post(url, {"max_interviews_per_day": "1"}).status_code == 403
    assert (stored(interviewer).max_interviews_per_day, stored(teammate).max_interviews_per_day) == (None, None)
    assert "/limits/" not in teammate_client.get("/acme/team/").content.decode()


def test_another_companys_member_is_not_found(owner_client, outsider):
    url = f"/acme/team/members/{outsider.pk}/limits/"
    assert owner_client.get(url).status_code == 404
    assert owner_client.post(url, {"max_interviews_per_day": "1"}).status_code == 404
    assert stored(outsider).max_interviews_per_day is None


# --- what candidates may change by themselves, per company -------------------------------------------------------


def test_it_saves_the_candidate_change_rules_and_records_them(owner_client, acme):
    page = owner_client.get("/acme/settings/").content.decode()
    assert 'name="candidate_change_cutoff_hours" value="24"' in page
    assert 'name="candidate_max_reschedules" value="2"' in page
    response = owner_client.post("/acme/settings/", {"name": acme.name, "time_zone": acme.time_zone,
                                                     "candidate_change_cutoff_hours": "48",
                                                     "candidate_max_reschedules": "0"})
    assert response.status_code == 302
    company = Company.objects.get(pk=acme.pk)
    assert (company.candidate_change_cutoff_hours, company.candidate_max_reschedules) == (48, 0)
    [entry] = entries("company.updated")
    assert entry.data == {"changed": ["candidate_change_cutoff_hours", "candidate_max_reschedules"]}


def test_it_takes_an_empty_rule_for_the_default(owner_client, acme):
    acme.candidate_change_cutoff_hours, acme.candidate_max_reschedules = 72, 5
    acme.save()
    owner_client.post("/acme/settings/", {"name": acme.name, "time_zone": acme.time_zone,
                                          "candidate_change_cutoff_hours": "", "candidate_max_reschedules": ""})
    company = Company.objects.get(pk=acme.pk)
    assert (company.candidate_change_cutoff_hours, company.candidate_max_reschedules) == (24, 2)


@pytest.mark.parametrize("field, value, message", [
    ("candidate_change_cutoff_hours", "-1", "Ensure this value is greater than or equal to 0."),
    ("candidate_change_cutoff_hours", "337", "Ensure this value is less than or equal to 336."),
    ("candidate_max_reschedules", "11", "Ensure this value is less than or equal to 10."),
    ("candidate_max_reschedules", "two", "Enter a whole number."),
    ("candidate_max_reschedules", "9" * 30, "Ensure this value is less than or equal to 10."),
])
def test_it_explains_a_bad_candidate_change_rule_and_keeps_the_old_one(owner_client, acme, field, value, message):
    response = owner_client.post("/acme/settings/", {"name": "Renamed", "time_zone": acme.time_zone, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    company = Company.objects.get(pk=acme.pk)
    assert (company.name, company.candidate_change_cutoff_hours, company.candidate_max_reschedules) == \
        ("Acme Inc.", 24, 2)
    assert entries("company.updated") == []
