"""The recruiter's side of scheduling links: the form and what it refuses, the preview of the slots and the email,
sending, the list on the candidate page, withdraw and resend; who may do it; the wizard's load hint."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from mailbox.models import Message
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry
from scheduling.models import Interview, Participant, SchedulingRequest, SchedulingRequestMember
from scheduling.self_scheduling import default_window, request_for_token, token_hash
from tests.calendars.factories import connected_calendar, event
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY, FRIDAY = date(2030, 6, 10), date(2030, 6, 14)  # a working week in summer time, far in the future
BOOK_LINK = re.compile(r"https?://[^\s\"<]+/book/([A-Za-z0-9_-]+)/")


def url(candidate) -> str:
    return f"/acme/candidates/{candidate.pk}/self-schedule/"


@pytest.fixture
def dana(acme):
    """An interviewer in Berlin with a connected calendar."""
    member = make_member(acme, "dana@acme.test", "interviewer", "Dana Dev")
    member.user.time_zone = "Europe/Berlin"
    member.user.save()
    member.calendar = connected_calendar(member)
    return member


@pytest.fixture
def eli(acme):
    member = make_member(acme, "eli@acme.test", "interviewer", "Eli Eng")
    member.user.time_zone = "Europe/Berlin"
    member.user.save()
    member.calendar = connected_calendar(member)
    return member


def valid(**changes) -> dict:
    data = {
        "action": "preview", "kind": "interview", "title": "", "duration": "60",
        "first_day": MONDAY.isoformat(), "last_day": FRIDAY.isoformat(), "time_zone": "Europe/Berlin",
        "notice_hours": "24", "buffer_before": "0", "buffer_after": "0", "location": "", "video_link": "",
        "note": "", "pool_size": "1", "candidate_email": "on", "interviewers_email": "on",
        "subject": "Pick a time, {candidate_first_name}",
        "body": "Hi {candidate_first_name},\n\nplease pick a time: {scheduling_link}\n\nUntil {scheduling_deadline}.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def requests() -> list[SchedulingRequest]:
    with across_tenants("test setup"):
        return list(SchedulingRequest.objects.order_by("pk"))


def candidate_messages() -> list[Message]:
    with across_tenants("test setup"):
        return list(Message.objects.filter(audience=Message.Audience.CANDIDATE).order_by("pk"))


def errors(response) -> list[str]:
    return [re.sub(r"<[^>]+>", "", e).strip()
            for e in re.findall(r'(?:invalid-feedback d-block|alert alert-danger" role="alert)">(.*?)</div>',
                                response.content.decode(), re.S)]


def send(client, candidate, capture=None, **changes):
    data = valid(**{"action": "send", **changes})
    if capture is None:
        return client.post(url(candidate), data)
    with capture(execute=True):
        return client.post(url(candidate), data)


# --- the page ----------------------------------------------------------------------------------------------------


def test_it_offers_the_link_next_to_schedule_event_to_recruiters_only(owner_client, teammate_client,
                                                                      interviewer_client, acme_candidate):
    for client in (owner_client, teammate_client):
        page = client.get(f"/acme/candidates/{acme_candidate.pk}/").content.decode()
        assert "Schedule interview" in page and f'href="{url(acme_candidate)}"' in page
        assert "Send scheduling link" in page
    page = interviewer_client.get(f"/acme/candidates/{acme_candidate.pk}/").content.decode()
    assert "Send scheduling link" not in page


def test_it_starts_with_the_next_ten_working_days_and_the_companys_link_email(owner_client, owner, acme_candidate):
    owner.user.time_zone = "Asia/Tokyo"
    owner.user.save()
    response = owner_client.get(url(acme_candidate))
    assert response.status_code == 200
    form = response.context["form"]
    first, last = default_window(today=datetime.now(ZoneInfo("Asia/Tokyo")).date())
    assert (form["first_day"].value(), form["last_day"].value()) == (first, last)
    assert form["time_zone"].value() == "Asia/Tokyo"
    assert (form["notice_hours"].value(), form["buffer_before"].value(), form["buffer_after"].value()) == (24, 0, 0)
    assert form["subject"].value() == "{company_name}: please pick a time for your {event_type_lower}"
    assert "{scheduling_link}" in form["body"].value()
    page = response.content.decode()
    # The email preview: the candidate's values and a sample link; no JavaScript needed, none inline.
    assert "Acme Inc.: please pick a time for your interview" in page
    assert "/book/sample-link/" in page
    assert "<script>" not in page and "style=" not in page
    for minutes in (15, 30, 45, 60, 90, 120):
        assert f'<option value="{minutes}">' in page


def test_it_previews_how_many_slots_the_candidate_sees_and_why_days_are_empty(owner_client, acme_candidate, dana,
                                                                              eli):
    # Wednesday: Dana is away all day. Thursday: Eli is busy from 10:00 on; a free (transparent) event does not
    # block; Friday: Dana is at her daily limit already.
    event(dana.calendar, "Offsite",
          datetime(2030, 6, 12, 0, 0, tzinfo=BERLIN), datetime(2030, 6, 13, 0, 0, tzinfo=BERLIN))
    event(eli.calendar, "Workshop", datetime(2030, 6, 13, 10, 0, tzinfo=BERLIN),
          datetime(2030, 6, 13, 17, 0, tzinfo=BERLIN))
    event(eli.calendar, "Focus (free)", datetime(2030, 6, 10, 9, 0, tzinfo=BERLIN),
          datetime(2030, 6, 10, 17, 0, tzinfo=BERLIN), is_busy=False)
    with across_tenants("test setup"):
        dana.max_interviews_per_day = 1
        dana.save()
        booked = Interview.objects.create(company=dana.company, candidate=acme_candidate, title="Earlier",
                                          start=datetime(2030, 6, 14, 16, 0, tzinfo=BERLIN),
                                          end=datetime(2030, 6, 14, 16, 30, tzinfo=BERLIN), time_zone="Europe/Berlin")
        Participant.objects.create(company=dana.company, interview=booked, role="interviewer", member=dana,
                                   name="Dana Dev", email=dana.user.email, time_zone="Europe/Berlin")

    response = owner_client.post(url(acme_candidate), valid(panel=[dana.pk, eli.pk]))
    assert response.status_code == 200, errors(response)
    preview = response.context["preview"]
    by_day = {day.day: (day.slots, day.reasons) for day in preview.days}
    # 09:00-16:00 starts on the half hour: 15 one-hour slots a day when both are free.
    assert by_day[date(2030, 6, 10)] == (15, [])
    assert by_day[date(2030, 6, 11)] == (15, [])
    assert by_day[date(2030, 6, 12)] == (0, ["Dana Dev has no free hour in working hours"])
    assert by_day[date(2030, 6, 13)] == (1, [])  # only 09:00-10:00
    assert by_day[date(2030, 6, 14)] == (0, ["Dana Dev is at the daily interview limit"])
    assert preview.slot_count == 31 and preview.problems == []
    page = response.content.decode()
    assert "<strong>31</strong> times to choose from" in page
    assert "Wed 12 Jun" in page and "none: Dana Dev has no free hour in working hours" in page
    # Nothing is sent by a preview.
    assert requests() == [] and candidate_messages() == []


def test_it_says_in_the_preview_when_a_panel_member_has_no_calendar(owner_client, acme_candidate, dana, interviewer):
    response = owner_client.post(url(acme_candidate), valid(panel=[dana.pk, interviewer.pk]))
    page = response.content.decode()
    assert response.context["preview"].slot_count == 0
    assert "Ivan Interviewer has no connected calendar: connect it or remove them from the panel." in page
    assert "Every day: Ivan Interviewer has no connected calendar." in page  # once, not once a day
    assert "<strong>No times</strong> to choose from" in page


def test_it_refuses_to_send_a_link_that_offers_no_times(owner_client, acme_candidate, dana, interviewer,
                                                      django_capture_on_commit_callbacks):
    response = send(owner_client, acme_candidate, django_capture_on_commit_callbacks,
                    panel=[dana.pk, interviewer.pk])
    assert response.status_code == 400
    assert any("The link would offer no times to choose from" in e for e in errors(response))
    assert "Ivan Interviewer has no connected calendar" in response.content.decode()  # the preview says why
    assert requests() == [] and candidate_messages() == [] and mail.outbox == []
    # In a pool, a member without a calendar is left out with a note; the others are offered.
    response = send(owner_client, acme_candidate, django_capture_on_commit_callbacks,
                    pool=[dana.pk, interviewer.pk], pool_size="1")
    assert response.status_code == 302, errors(response)


def test_it_keeps_what_was_typed_and_shows_the_email_as_the_candidate_reads_it(owner_client, acme_candidate, dana):
    response = owner_client.post(url(acme_candidate), valid(panel=[dana.pk], title="Deep dive",
                                                            body="Dear {candidate_name}: {scheduling_link}"))
    page = response.content.decode()
    assert 'value="Deep dive"' in page
    assert "Dear Wile E. Coyote: " in page and "/book/sample-link/" in page
    assert "Pick a time, Wile" in page


# --- what the form refuses ---------------------------------------------------------------------------------------


MISTAKES = {
    "pool number above the pool": ({"pool": "both", "pool_size": "3"}, "Choose how many of the pool interview: "
                                                                       "from 1 to 2."),
    "pool number zero": ({"pool": "both", "pool_size": "0"}, "Choose how many of the pool interview: from 1 to 2."),
    "pool number missing": ({"pool": "both", "pool_size": ""}, "Choose how many of the pool interview"),
    "person on panel and in pool": ({"panel": "dana", "pool": "both"},
                                    "Dana Dev: on the panel and in the pool. A person can be in one of them only."),
    "nobody": ({"panel": None}, "Choose at least one interviewer, on the panel or in the pool."),
    "window reversed": ({"first_day": "2030-06-14", "last_day": "2030-06-10"},
                        "The latest day must not be before the earliest day."),
    "window over 60 days": ({"first_day": "2030-06-10", "last_day": "2030-08-09"},
                            "The window can be at most 60 days long."),
    "window in the past": ({"first_day": "2020-06-10", "last_day": "2020-06-12"},
                           "The earliest day is in the past."),
    "window out of range": ({"first_day": "9999-12-31", "last_day": "9999-12-31"}, "Pick a date between"),
    "negative notice": ({"notice_hours": "-1"}, "Ensure this value is greater than or equal to 0."),
    "notice over two weeks": ({"notice_hours": "337"}, "Ensure this value is less than or equal to 336."),
    "negative buffer": ({"buffer_before": "-5"}, "Ensure this value is greater than or equal to 0."),
    "buffer over four hours": ({"buffer_after": "241"}, "Ensure this value is less than or equal to 240."),
    "huge buffer": ({"buffer_after": "9" * 30}, "Ensure this value is less than or equal to 240."),
    "too short": ({"duration": "4"}, "Ensure this value is greater than or equal to 5."),
    "too long": ({"duration": "481"}, "Ensure this value is less than or equal to 480."),
    "not a duration": ({"duration": "an hour"}, "Enter a whole number."),
    "unknown zone": ({"time_zone": "Mars/Olympus_Mons"}, "Select a valid choice."),
    "no channel for the candidate": ({"candidate_email": None},
                                     "Choose email (calendar needs a connected calendar of yours)."),
    # Without a connected calendar the box cannot be ticked: a forged tick changes nothing.
    "calendar without a calendar": ({"interviewers_email": None, "interviewers_calendar": "on"},
                                    "Choose email (calendar needs a connected calendar of yours)."),
    "no link in the email": ({"body": "Hi {candidate_first_name}, see you."},
                             "The message must contain {scheduling_link}: it is how the candidate books."),
    "unknown placeholder": ({"body": "{scheduling_link} {candidate.user.password}"}, "Unknown placeholder"),
    "empty subject": ({"subject": ""}, "This field is required."),
    "line break in the title": ({"title": "A\r\nBcc: x@evil.test"}, "Line breaks"),
    "script link": ({"video_link": "javascript:alert(1)"}, "Enter an http:// or https:// link"),
    "another company's interviewer": ({"panel": "outsider"}, "Select a valid choice."),
}


@pytest.mark.parametrize("case", MISTAKES, ids=list(MISTAKES))
@pytest.mark.parametrize("action", ["preview", "send"])
def test_it_explains_each_mistake_and_writes_nothing(owner_client, acme_candidate, dana, eli, outsider, case,
                                                     action, django_capture_on_commit_callbacks):
    changes, message = MISTAKES[case]
    people = {"dana": [dana.pk], "both": [dana.pk, eli.pk], "outsider": [outsider.pk]}
    changes = {key: people.get(value, value) if key in ("panel", "pool") else value for key, value in changes.items()}
    data = {"panel": [eli.pk], **changes}
    response = send(owner_client, acme_candidate, django_capture_on_commit_callbacks, **{**data, "action": action})
    assert response.status_code == 400
    assert any(message in shown for shown in errors(response)), errors(response)
    assert response.context["preview"] is None
    assert requests() == [] and candidate_messages() == [] and mail.outbox == []


def test_it_offers_the_calendar_only_with_a_connected_calendar_and_keeps_the_choice(
        owner_client, owner, acme_candidate, dana, django_capture_on_commit_callbacks):
    assert 'name="candidate_calendar"' in owner_client.get(url(acme_candidate)).content.decode()
    assert "connect your Google or Outlook calendar first" in owner_client.get(url(acme_candidate)).content.decode()
    connected_calendar(owner)
    page = owner_client.get(url(acme_candidate)).content.decode()
    assert "connect your Google or Outlook calendar first" not in page and "Calendar (" in page
    response = send(owner_client, acme_candidate, django_capture_on_commit_callbacks, panel=[dana.pk],
                    candidate_email=None, candidate_calendar="on", interviewers_calendar="on")
    assert response.status_code == 302, errors(response)
    [sent] = requests()
    assert (sent.candidate_by_email, sent.candidate_by_calendar) == (False, True)
    assert (sent.interviewers_by_email, sent.interviewers_by_calendar) == (True, True)


# --- sending, the candidate page, withdraw and resend ------------------------------------------------------------


def test_it_sends_the_link_by_email_and_lists_it_on_the_candidate_page(
        owner_client, owner, acme_candidate, dana, eli, django_capture_on_commit_callbacks):
    response = send(owner_client, acme_candidate, django_capture_on_commit_callbacks, panel=[dana.pk],
                    pool=[eli.pk, owner.pk], pool_size="1", duration="45", buffer_before="10", notice_hours="48",
                    show_interviewer_names="on", location="HQ, Room 4", note="Bring a laptop.")
    assert response.status_code == 302, errors(response)
    assert response["Location"] == f"/acme/candidates/{acme_candidate.pk}/"

    [sent] = requests()
    assert (sent.title, sent.duration_minutes, sent.first_day, sent.last_day) == \
        ("Interview: Secret Rocket Engineer", 45, MONDAY, FRIDAY)
    assert (sent.notice_minutes, sent.buffer_before_minutes, sent.buffer_after_minutes) == (48 * 60, 10, 0)
    assert (sent.pool_size, sent.show_interviewer_names, sent.location, sent.organizer_id) == \
        (1, True, "HQ, Room 4", owner.pk)
    with across_tenants("test setup"):
        roles = set(SchedulingRequestMember.objects.filter(request=sent).values_list("member_id", "role"))
    assert roles == {(dana.pk, "panel"), (eli.pk, "pool"), (owner.pk, "pool")}

    # One email to the candidate, sent, with a working link; the link's token is stored only hashed.
    [message] = candidate_messages()
    assert message.status == Message.Status.SENT and [a["email"] for a in message.to] == [acme_candidate.email]
    assert message.subject == "Pick a time, Wile"
    token = BOOK_LINK.search(message.text_body).group(1)
    assert sent.token_hash == token_hash(token) and token not in sent.token_hash
    assert request_for_token(token).pk == sent.pk
    [delivered] = mail.outbox
    assert f"/book/{token}/" in delivered.body

    page = owner_client.get(response["Location"]).content.decode()
    assert "is on its way to Wile E. Coyote" in page
    assert "Pick a time, Wile" in owner_client.get("/acme/mailbox/sent/").content.decode()
    assert 'data-testid="candidate-scheduling-links"' in page
    assert "Interview: Secret Rocket Engineer" in page and "Link sent" in page
    assert f'action="/acme/scheduling-links/{sent.pk}/withdraw/"' in page
    assert f'action="/acme/scheduling-links/{sent.pk}/resend/"' in page
    assert "The link sent before stops working." in page  # the confirmation, without JavaScript
    with across_tenants("test setup"):
        assert AuditEntry.objects.filter(action="scheduling_link.sent", target_id=sent.pk).exists()


def test_it_withdraws_a_link_which_then_shows_as_withdrawn(owner_client, teammate_client, acme_candidate, dana,
                                                           django_capture_on_commit_callbacks):
    send(owner_client, acme_candidate, django_capture_on_commit_callbacks, panel=[dana.pk])
    [sent] = requests()
    response = teammate_client.post(f"/acme/scheduling-links/{sent.pk}/withdraw/")
    assert response.status_code == 302 and response["Location"] == f"/acme/candidates/{acme_candidate.pk}/"
    [after] = requests()
    assert after.status == SchedulingRequest.Status.WITHDRAWN
    page = teammate_client.get(response["Location"]).content.decode()
    assert "was withdrawn: it no longer works" in page and "Withdrawn" in page
    assert f"/scheduling-links/{sent.pk}/withdraw/" not in page and f"/scheduling-links/{sent.pk}/resend/" not in page
    # Again: refused with a message, nothing changes.
    page = teammate_client.post(f"/acme/scheduling-links/{sent.pk}/resend/", follow=True).content.decode()
    assert "Only a link that has not been booked can be sent again." in page
    assert len(candidate_messages()) == 1
    assert teammate_client.get(f"/acme/scheduling-links/{sent.pk}/withdraw/").status_code == 405


def test_it_resends_a_link_and_the_old_one_stops_working(owner_client, acme_candidate, dana,
                                                         django_capture_on_commit_callbacks):
    send(owner_client, acme_candidate, django_capture_on_commit_callbacks, panel=[dana.pk])
    [sent] = requests()
    old = BOOK_LINK.search(candidate_messages()[0].text_body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/acme/scheduling-links/{sent.pk}/resend/", follow=True)
    assert "the old link no longer works" in response.content.decode()
    first, second = candidate_messages()
    new = BOOK_LINK.search(second.text_body).group(1)
    assert new != old and second.status == Message.Status.SENT
    assert request_for_token(old) is None
    assert request_for_token(new).pk == sent.pk
    [after] = requests()
    assert after.status == SchedulingRequest.Status.SENT and after.token_hash == token_hash(new)


def test_it_shows_the_booked_interview_and_expired_links(owner_client, owner, acme_candidate, dana,
                                                         django_capture_on_commit_callbacks):
    send(owner_client, acme_candidate, django_capture_on_commit_callbacks, panel=[dana.pk])
    send(owner_client, acme_candidate, django_capture_on_commit_callbacks, panel=[dana.pk], title="Second round")
    booked, expired = requests()
    with across_tenants("test setup"):
        interview = Interview.objects.create(company=owner.company, candidate=acme_candidate, organizer=owner,
                                             title="Interview: Secret Rocket Engineer",
                                             start=datetime(2030, 6, 11, 10, tzinfo=UTC),
                                             end=datetime(2030, 6, 11, 11, tzinfo=UTC), time_zone="Europe/Berlin")
        SchedulingRequest.objects.filter(pk=booked.pk).update(status="booked", interview=interview)
        SchedulingRequest.objects.filter(pk=expired.pk).update(first_day=date(2021, 3, 1),
                                                               last_day=date(2021, 3, 12))
    page = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/").content.decode()
    assert "Booked" in page and f'href="/acme/interviews/{interview.pk}/"' in page
    assert "Expired" in page
    assert f"/scheduling-links/{booked.pk}/withdraw/" not in page
    assert f"/scheduling-links/{expired.pk}/resend/" not in page  # its window is over: send a new one
    assert f"/scheduling-links/{expired.pk}/withdraw/" in page


# --- who may ---------------------------------------------------------------------------------------------------


def test_an_interviewer_can_neither_send_nor_withdraw_nor_resend(owner_client, interviewer_client, acme_candidate,
                                                                 dana, django_capture_on_commit_callbacks):
    send(owner_client, acme_candidate, django_capture_on_commit_callbacks, panel=[dana.pk])
    [sent] = requests()
    assert interviewer_client.get(url(acme_candidate)).status_code == 403
    assert interviewer_client.post(url(acme_candidate), valid(action="send", panel=[dana.pk])).status_code == 403
    for action in ("withdraw", "resend"):
        assert interviewer_client.post(f"/acme/scheduling-links/{sent.pk}/{action}/").status_code == 403
    assert "Scheduling links" not in interviewer_client.get(f"/acme/candidates/{acme_candidate.pk}/").content.decode()
    [after] = requests()
    assert after.status == SchedulingRequest.Status.SENT and len(candidate_messages()) == 1


def test_another_companys_link_is_not_found(owner_client, outsider_client, acme_candidate, dana,
                                            django_capture_on_commit_callbacks):
    send(owner_client, acme_candidate, django_capture_on_commit_callbacks, panel=[dana.pk])
    [sent] = requests()
    for action in ("withdraw", "resend"):
        mine = outsider_client.post(f"/globex/scheduling-links/{sent.pk}/{action}/")
        nothing = outsider_client.post(f"/globex/scheduling-links/987654321/{action}/")
        assert mine.status_code == nothing.status_code == 404
        assert outsider_client.post(f"/acme/scheduling-links/{sent.pk}/{action}/").status_code == 404
    assert outsider_client.get(f"/globex/candidates/{acme_candidate.pk}/self-schedule/").status_code == 404
    [after] = requests()
    assert after.status == SchedulingRequest.Status.SENT and len(candidate_messages()) == 1


# --- the wizard's load hint --------------------------------------------------------------------------------------


def test_the_wizard_shows_each_interviewers_load_as_a_hint_and_still_schedules(owner_client, acme_candidate, dana,
                                                                               eli):
    with across_tenants("test setup"):
        dana.max_interviews_per_week = 2
        dana.save()
        for day in (10, 11):
            interview = Interview.objects.create(company=dana.company, candidate=acme_candidate, title="Earlier",
                                                 start=datetime(2030, 6, day, 9, tzinfo=BERLIN),
                                                 end=datetime(2030, 6, day, 10, tzinfo=BERLIN),
                                                 time_zone="Europe/Berlin")
            Participant.objects.create(company=dana.company, interview=interview, role="interviewer", member=dana,
                                       name="Dana Dev", email=dana.user.email, time_zone="Europe/Berlin")
    query = (f"?date=2030-06-11&start_time=14:00&duration=60&time_zone=Europe/Berlin&invite_candidate=on"
             f"&interviewers={dana.pk}&interviewers={eli.pk}")
    grid = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/schedule/find-time/{query}").content.decode()
    assert "Dana Dev: 1 interview that day, 2 that week (limit 2) · at the limit" in grid
    assert "Eli Eng: 0 interviews that day, 0 that week" in grid
    # Step 1 shows the same, and lets the recruiter go on regardless.
    response = owner_client.post(f"/acme/candidates/{acme_candidate.pk}/schedule/", {
        "kind": "interview", "date": "2030-06-11", "start_time": "14:00", "duration": "60",
        "time_zone": "Europe/Berlin", "invite_candidate": "on", "interviewers": [dana.pk]})
    assert response.status_code == 302
