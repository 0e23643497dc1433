"""A member's working days and hours: set on their own page per company, then shaded on Find time in any zone."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry, Membership
from scheduling.availability import working_hours

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY, SATURDAY = "2030-06-12", "2030-06-15"


def stored(membership: Membership) -> Membership:
    with across_tenants("test setup"):
        return Membership.objects.select_related("user", "company").get(pk=membership.pk)


def test_a_new_member_works_monday_to_friday_nine_to_five(teammate):
    member = stored(teammate)
    assert (member.working_weekdays, member.work_start, member.work_end) == ({1, 2, 3, 4, 5}, time(9), time(17))


def test_it_saves_the_hours_and_records_them(interviewer_client, interviewer):
    page = interviewer_client.get("/acme/my-hours/").content.decode()
    assert 'type="time"' in page and 'value="09:00"' in page and 'value="17:00"' in page
    response = interviewer_client.post("/acme/my-hours/",
                                       {"working_days": ["2", "4", "6"], "work_start": "07:30", "work_end": "15:00"})
    assert response.status_code == 302
    member = stored(interviewer)
    assert (member.working_days, member.work_start, member.work_end) == ("246", time(7, 30), time(15))
    with across_tenants("test setup"):
        [entry] = AuditEntry.objects.filter(action="membership.working_hours")
    assert (entry.target_type, entry.target_id, entry.actor) == ("tenancy.membership", interviewer.pk,
                                                                  interviewer.user)
    assert entry.data == {"working_days": "246", "work_start": "07:30", "work_end": "15:00",
                          "member": "Ivan Interviewer", "user_id": interviewer.user_id}
    page = interviewer_client.get("/acme/my-hours/").content.decode()
    assert 'value="6" id="id_working_days_5" checked' in page and 'value="07:30"' in page


@pytest.mark.parametrize("data, field_error", [
    ({"working_days": ["1"], "work_start": "17:00", "work_end": "09:00"}, "The end must be later than the start"),
    ({"working_days": ["1"], "work_start": "09:00", "work_end": "09:00"}, "The end must be later than the start"),
    ({"work_start": "09:00", "work_end": "17:00"}, "Pick at least one working day."),
    ({"working_days": ["8", "x"], "work_start": "09:00", "work_end": "17:00"}, "Select a valid choice"),
    ({"working_days": ["1"], "work_start": "25:99", "work_end": "17:00"}, "Enter a valid time."),
    ({"working_days": ["1"], "work_start": "", "work_end": "\x00"}, "This field is required."),
])
def test_it_refuses_bad_hours_with_a_message_and_keeps_the_old_ones(teammate_client, teammate, data, field_error):
    response = teammate_client.post("/acme/my-hours/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert field_error in page and "is-invalid" in page
    member = stored(teammate)
    assert (member.working_days, member.work_start, member.work_end) == ("12345", time(9), time(17))
    with across_tenants("test setup"):
        assert not AuditEntry.objects.filter(action="membership.working_hours").exists()


def test_the_profile_links_to_the_hours_of_each_company(teammate_client, teammate, outsider, globex):
    with across_tenants("test setup"):
        Membership.objects.create(company=globex, user=teammate.user)
    page = teammate_client.get("/accounts/profile/").content.decode()
    assert 'href="/acme/my-hours/"' in page and 'href="/globex/my-hours/"' in page


def test_a_new_york_nine_to_five_is_fifteen_to_twenty_three_in_berlin(teammate):
    teammate.user.time_zone = "America/New_York"
    teammate.user.save()
    start, end = working_hours(stored(teammate), date(2030, 6, 12), BERLIN)
    assert (start, end) == (datetime(2030, 6, 12, 15, tzinfo=BERLIN), datetime(2030, 6, 12, 23, tzinfo=BERLIN))


def grid(client, candidate, teammate, day: str) -> str:
    response = client.get(f"/acme/candidates/{candidate.pk}/schedule/find-time/", {
        "date": day, "start_time": "14:00", "duration": "60", "time_zone": "Europe/Berlin",
        "interviewers": [teammate.pk], "invite_candidate": "on"})
    assert response.status_code == 200
    return response.content.decode()


def test_find_time_shades_a_teammate_by_their_own_zone_and_hours(owner_client, owner, teammate, acme_candidate):
    owner.user.time_zone = "Europe/Berlin"
    owner.user.save()
    teammate.user.time_zone = "America/New_York"
    teammate.user.save()
    page = grid(owner_client, acme_candidate, teammate, WEDNESDAY)
    assert 'title="Working hours · 09:00–17:00"' in page  # the owner, in Berlin
    assert 'title="Working hours · 15:00–21:00"' in page  # New York's 09–17, up to the grid's end at 21:00
    # Free for both only where Berlin 09–17 and New York 09–17 overlap: 15:00–17:00.
    assert 'class="ft-slot ft-slot-free" data-time="15:00"' in page
    assert 'class="ft-slot ft-slot-free" data-time="16:00"' in page
    assert 'class="ft-slot" data-time="14:30"' in page and 'class="ft-slot" data-time="16:30"' in page


def test_find_time_shades_a_day_off_entirely(owner_client, owner, teammate, acme_candidate):
    owner.user.time_zone = "Europe/Berlin"
    owner.user.save()
    with across_tenants("test setup"):
        Membership.objects.filter(pk=owner.pk).update(working_days="123456")
    page = grid(owner_client, acme_candidate, teammate, SATURDAY)
    saturday = page.split(f'data-day="{SATURDAY}"')[1].split("<section")[0]  # Find time shows five days from it
    assert saturday.count('title="Working hours · ') == 1  # the owner works Saturdays; the teammate does not
    assert "ft-slot-free" not in saturday
    start, end = working_hours(stored(teammate), date(2030, 6, 15), BERLIN)
    assert start == end


def test_every_company_page_offers_the_members_hours_in_the_user_menu(teammate_client) -> None:
    page = teammate_client.get("/acme/candidates/").content.decode()
    assert 'href="/acme/my-hours/">Your working hours</a>' in page
