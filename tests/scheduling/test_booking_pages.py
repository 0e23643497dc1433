"""The candidate's side of a scheduling link: /book/<token>/, picking a time, the booking, moving and cancelling it."""

import re
import secrets
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar as ICalendar

from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry, Role
from scheduling.models import CalendarInvite, Interview, OnlineMeeting, Participant, SchedulingRequest
from scheduling.self_scheduling import scheduling_request_withdraw
from tests.calendars.factories import connected_calendar
from tests.conftest import make_member
from tests.probe import normalized

from .booking_fixtures import (
    another_candidate,
    at,
    booking_day,
    busy,
    existing_interview,
    interviewer,
    no_booking_limits,  # noqa: F401  (a fixture, used through pytestmark)
    offered_starts,
    send_link,
    start_param,
)
from .helpers import all_messages_of, messages_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_booking_limits")]


@pytest.fixture
def day():
    return booking_day()


@pytest.fixture
def dana(acme):
    return interviewer(acme, "Dana Dev")


@pytest.fixture
def eli(acme):
    return interviewer(acme, "Eli Engineer")


@pytest.fixture
def panel_link(owner, acme_candidate, dana, eli, day):
    """A panel of two: Dana is busy 09-12, Eli 13-15; both are free (one hour) at 12:00, 15:00, 15:30 and 16:00."""
    busy(dana, day, "09:00", "12:00", "Dentist appointment")
    busy(eli, day, "13:00", "15:00", "Board meeting")
    busy(eli, day, "15:00", "17:00", "Focus time", is_busy=False)  # free/transparent: does not block
    return send_link(owner, acme_candidate, panel=[dana, eli], day=day)


def page_text(response) -> str:
    return response.content.decode()


def confirm_url(link, start, tz="UTC", moving=False) -> str:
    step = "reschedule/confirm" if moving else "confirm"
    return f"{link.url}{step}/?start={start_param(start)}&tz={tz}"


def book(client, link, start, tz="UTC"):
    return client.post(f"{link.url}confirm/", {"start": start_param(start), "tz": tz})


def only_interview() -> Interview:
    with across_tenants("test setup"):
        [interview] = Interview.objects.filter(title="Backend interview")
        return interview


# --- links that do not (or no longer) work --------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 300, "%00", "..", "%E2%80%AE"])
def test_it_answers_an_unknown_token_with_a_plain_404_that_names_no_company(client, panel_link, token):
    response = client.get(f"/book/{token}/")
    assert response.status_code == 404
    page = page_text(response)
    assert "This link does not work" in page
    for secret in ("Acme", "Olivia Owner", "owner@acme.test", "Backend interview", "Room 4"):
        assert secret not in page
    assert normalized(response) == normalized(client.get("/book/another-unknown-token/"))


def test_it_says_an_expired_link_has_expired_and_how_to_reach_the_recruiter(client, panel_link, day):
    with across_tenants("test setup"):
        SchedulingRequest.objects.filter(pk=panel_link.request.pk).update(first_day=day - timedelta(days=20),
                                                                          last_day=day - timedelta(days=14))
    response = client.get(panel_link.url)
    assert response.status_code == 410
    page = page_text(response)
    assert "This link has expired" in page
    assert "Olivia Owner" in page and 'href="mailto:owner@acme.test"' in page
    assert offered_starts(response) == []
    assert panel_link.fresh().status == SchedulingRequest.Status.SENT  # an expired link is not "opened"


def test_it_says_a_withdrawn_link_is_no_longer_active(client, panel_link, owner):
    with across_tenants("test setup"):
        scheduling_request_withdraw(scheduling_request=panel_link.request, actor=owner.user)
    for url in (panel_link.url, confirm_url(panel_link, at(booking_day(), "12:00"))):
        response = client.get(url)
        assert response.status_code == 410
        assert "This link is no longer active" in page_text(response)
        assert "owner@acme.test" in page_text(response)
    assert book(client, panel_link, at(booking_day(), "12:00")).status_code == 410
    with across_tenants("test setup"):
        assert not Interview.objects.exists()


def test_it_answers_pages_that_make_no_sense_yet_without_a_server_error(client, panel_link):
    for path in ("reschedule/confirm/", "cancel/", "invite.ics"):
        response = client.get(f"{panel_link.url}{path}")
        assert response.status_code == 404, path
        assert "There is nothing to do here" in page_text(response)
    assert client.get(f"{panel_link.url}reschedule/").status_code == 303  # nothing booked yet: the times page
    assert client.post(f"{panel_link.url}cancel/", {"reason": "x"}).status_code == 404
    assert client.post(panel_link.url).status_code == 405


# --- the times offered -------------------------------------------------------------------------------------------


def test_it_marks_the_link_opened_on_the_first_visit_only(client, panel_link):
    assert client.get(panel_link.url).status_code == 200
    request = panel_link.fresh()
    assert request.status == SchedulingRequest.Status.OPENED and request.opened_at is not None
    client.get(panel_link.url)
    with across_tenants("test setup"):
        assert AuditEntry.objects.filter(action="scheduling_link.opened").count() == 1


def test_it_offers_only_times_when_every_panel_member_is_free(client, panel_link, day):
    response = client.get(f"{panel_link.url}?tz=UTC")
    assert response.status_code == 200
    assert offered_starts(response) == [at(day, "12:00"), at(day, "15:00"), at(day, "15:30"), at(day, "16:00")]
    page = page_text(response)
    assert "Acme Inc." in page and "Backend interview" in page and "1 hour" in page and "Acme HQ, Room 4" in page
    # "Free at this time" and nothing more: no titles, no busy blocks, no names.
    for secret in ("Dentist", "Board meeting", "Focus time", "Dana", "Eli", "Wile", "Secret Rocket Engineer"):
        assert secret not in page
    # Each button says its day and time to a screen reader.
    assert f'aria-label="{at(day, "12:00"):%A} {day.day} {at(day, "12:00"):%B}, 12:00–13:00"' in page


def test_it_leaves_out_a_time_another_interview_took(client, owner, panel_link, acme_candidate, dana, day):
    existing_interview(dana, acme_candidate, owner, day, "15:00")
    assert offered_starts(client.get(f"{panel_link.url}?tz=UTC")) == [at(day, "12:00"), at(day, "16:00")]


def test_it_shows_the_times_in_the_zone_asked_for_else_the_candidates(client, panel_link, day):
    tokyo = client.get(f"{panel_link.url}?tz=Asia/Tokyo")
    page = page_text(tokyo)
    # 12:00 UTC is 21:00 in Tokyo; 15:00 UTC is midnight there, the next day.
    next_day = day + timedelta(days=1)
    assert re.search(rf"{day:%A} {day.day} {day:%B %Y}</h3>.*>21:00<", page, re.S)
    assert re.search(rf"{next_day:%A} {next_day.day} {next_day:%B %Y}</h3>.*>00:00<.*>00:30<.*>01:00<", page, re.S)
    assert "Times are shown in Asia/Tokyo" in page
    assert '<option value="Asia/Tokyo" selected>' in page
    assert offered_starts(tokyo) == offered_starts(client.get(f"{panel_link.url}?tz=UTC"))
    assert all("tz=Asia%2FTokyo" in href for href in re.findall(r'href="(/book/[^"]+confirm/[^"]+)"', page))

    # Without a zone (or with one nobody knows): the candidate's own, America/Phoenix (UTC-7).
    for url in (panel_link.url, f"{panel_link.url}?tz=Mars/Olympus_Mons"):
        page = page_text(client.get(url))
        assert "Times are shown in America/Phoenix" in page and ">05:00<" in page


def test_it_asks_the_browser_for_its_zone_with_a_script_that_csp_allows(client, panel_link):
    page = page_text(client.get(panel_link.url))
    assert re.search(r'<script src="/static/js/booking\.js" defer></script>', page)
    assert "<script>" not in page and " style=" not in page  # strict CSP: no inline scripts or styles
    assert 'data-booking-zone="America/Phoenix"' in page


def test_it_names_the_interviewers_only_when_the_recruiter_chose_to(client, owner, acme_candidate, dana, eli, day):
    link = send_link(owner, acme_candidate, panel=[dana], pool=[eli], pool_size=1, day=day,
                     show_interviewer_names=True)
    assert "Dana Dev, and 1 of Eli Engineer" in page_text(client.get(link.url))


# --- booking -----------------------------------------------------------------------------------------------------


def test_it_books_the_chosen_time_through_the_wizards_service(panel_link, acme_candidate, dana, eli, day):
    browser = Client(enforce_csrf_checks=True)  # the candidate's browser: the CSRF cookie comes with the GET
    start = at(day, "12:00")
    confirm = browser.get(confirm_url(panel_link, start, tz="Asia/Tokyo"))
    assert confirm.status_code == 200
    assert f"Book {start:%A} {day.day} {start:%B}, 21:00–22:00 (Asia/Tokyo)?" in page_text(confirm)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page_text(confirm)).group(1)
    assert browser.post(f"{panel_link.url}confirm/", {"start": start_param(start), "tz": "Asia/Tokyo"}
                        ).status_code == 403  # without the token: refused, as everywhere
    response = browser.post(f"{panel_link.url}confirm/?start={start_param(start)}&tz=Asia/Tokyo",
                            {"start": start_param(start), "tz": "Asia/Tokyo", "csrfmiddlewaretoken": token})
    assert response.status_code == 303 and response["Location"] == f"{panel_link.url}?tz=Asia%2FTokyo"

    interview = only_interview()
    assert (interview.start, interview.end) == (start, start + timedelta(hours=1))
    with across_tenants("test setup"):
        people = {(p.role, p.email) for p in interview.participants.all()}
    assert people == {(Participant.Role.CANDIDATE, acme_candidate.email),
                      (Participant.Role.INTERVIEWER, dana.user.email), (Participant.Role.INTERVIEWER, eli.user.email)}
    sent = messages_of(interview)
    assert sent["candidate"].to == [{"name": acme_candidate.full_name, "email": acme_candidate.email}]
    assert {a["email"] for a in sent["interviewers"].to} == {dana.user.email, eli.user.email}
    request = panel_link.fresh()
    assert request.status == SchedulingRequest.Status.BOOKED and request.interview_id == interview.pk

    booked = browser.get(response["Location"])
    page = page_text(booked)
    assert booked.status_code == 200 and "You are booked" in page
    assert f"{start:%A} {day.day} {start:%B}, 21:00–22:00 (Asia/Tokyo)" in page
    assert "Acme HQ, Room 4" in page and "Dana Dev, Eli Engineer" in page
    assert f'href="{panel_link.url}invite.ics"' in page
    assert f'href="{panel_link.url}reschedule/?tz=Asia%2FTokyo"' in page
    assert f'href="{panel_link.url}cancel/?tz=Asia%2FTokyo"' in page


def test_it_sends_a_second_tab_to_the_booking_instead_of_booking_twice(client, panel_link, day):
    assert book(client, panel_link, at(day, "12:00")).status_code == 303
    again = book(client, panel_link, at(day, "15:00"))
    assert again.status_code == 303 and again["Location"].startswith(panel_link.url)
    assert only_interview().start == at(day, "12:00")


def test_it_gives_an_ics_file_that_calendars_read(client, panel_link, acme_candidate, day):
    book(client, panel_link, at(day, "15:30"))
    response = client.get(f"{panel_link.url}invite.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = ICalendar.from_ical(response.content)
    [vevent] = calendar.walk("VEVENT")
    interview = only_interview()
    assert str(vevent["UID"]) == interview.ical_uid
    assert vevent.decoded("DTSTART") == at(day, "15:30") and vevent.decoded("DTEND") == at(day, "16:30")
    assert int(vevent["SEQUENCE"]) == 0
    # A copy for the candidate's own calendar: nobody is asked to answer it.
    assert str(calendar["METHOD"]) == "PUBLISH" and "ATTENDEE" not in vevent


def test_it_says_when_the_time_was_taken_and_offers_the_rest(client, owner, panel_link, dana, eli, day):
    other = send_link(owner, another_candidate(owner.company), panel=[dana], day=day)
    assert book(Client(), other, at(day, "15:00")).status_code == 303

    response = book(client, panel_link, at(day, "15:00"))
    assert response.status_code == 409
    assert "This time is no longer available" in page_text(response)
    assert offered_starts(response) == [at(day, "12:00"), at(day, "16:00")]
    with across_tenants("test setup"):
        assert Interview.objects.filter(title="Backend interview").count() == 1
    assert panel_link.fresh().status == SchedulingRequest.Status.SENT
    # The confirmation step already says so, for a time that went while the candidate was looking.
    assert client.get(confirm_url(panel_link, at(day, "15:00"))).status_code == 409


@pytest.mark.parametrize("start", ["", "tomorrow", "2030-06-12T10:00:00+09:00", "2030-06-12 10:00:00Z",
                                   "2030-02-31T10:00:00Z", "99999-06-12T10:00:00Z", "2030-06-12T10:00:00Z\x00"])
def test_it_refuses_a_start_it_cannot_read_with_a_friendly_page(client, panel_link, start):
    for response in (client.get(f"{panel_link.url}confirm/", {"start": start}),
                     client.post(f"{panel_link.url}confirm/", {"start": start})):
        assert response.status_code == 400
        assert "We could not read the chosen time" in page_text(response)
    with across_tenants("test setup"):
        assert not Interview.objects.exists()


def test_it_books_nothing_for_a_start_it_never_offered(client, panel_link, day):
    for start in (at(day, "12:10"), at(day, "09:00"), at(day, "03:00")):
        assert client.get(confirm_url(panel_link, start)).status_code == 409
        assert book(client, panel_link, start).status_code == 409
    with across_tenants("test setup"):
        assert not Interview.objects.exists()


# --- moving and cancelling ---------------------------------------------------------------------------------------


def test_it_reschedules_with_a_higher_sequence_and_update_messages(client, acme, panel_link, day):
    acme.candidate_max_reschedules = 1
    acme.save()
    book(client, panel_link, at(day, "12:00"))

    choices = client.get(f"{panel_link.url}reschedule/?tz=UTC")
    assert choices.status_code == 200
    assert offered_starts(choices) == [at(day, "15:00"), at(day, "15:30"), at(day, "16:00")]  # not its own time
    confirm = client.get(confirm_url(panel_link, at(day, "16:00"), moving=True))
    assert confirm.status_code == 200 and "Move to" in page_text(confirm)
    response = client.post(f"{panel_link.url}reschedule/confirm/", {"start": start_param(at(day, "16:00")),
                                                                    "tz": "UTC"})
    assert response.status_code == 303

    interview = only_interview()
    assert interview.start == at(day, "16:00") and interview.sequence == 1
    subjects = [m.subject for m in all_messages_of(interview)]
    assert len(subjects) == 4 and sum(s.startswith("New time for your") for s in subjects) == 1
    assert sum(s.startswith("Rescheduled:") for s in subjects) == 1
    assert panel_link.fresh().reschedules == 1
    with across_tenants("test setup"):
        assert AuditEntry.objects.filter(action="scheduling_link.rescheduled").count() == 1

    # The limit (1) is reached: no more moving through the link; cancelling still works.
    page = page_text(client.get(f"{panel_link.url}?tz=UTC"))
    assert "reschedule/" not in page and "cancel/" in page
    again = client.get(f"{panel_link.url}reschedule/")
    assert again.status_code == 410 and "the most this link allows" in page_text(again)
    refused = client.post(f"{panel_link.url}reschedule/confirm/", {"start": start_param(at(day, "15:00"))})
    assert refused.status_code == 410 and only_interview().start == at(day, "16:00")


def test_it_cancels_with_the_reason_shown_to_the_recruiter(client, panel_link, day):
    book(client, panel_link, at(day, "12:00"))
    form = client.get(f"{panel_link.url}cancel/")
    assert form.status_code == 200 and 'name="reason"' in page_text(form)
    response = client.post(f"{panel_link.url}cancel/", {"reason": "I accepted another offer."})
    assert response.status_code == 303

    interview = only_interview()
    assert interview.is_cancelled and interview.sequence == 1
    assert panel_link.fresh().status == SchedulingRequest.Status.CANCELLED
    with across_tenants("test setup"):
        entry = AuditEntry.objects.get(action="scheduling_link.cancelled")
    assert "I accepted another offer." in entry.data["detail"]
    assert sum(m.subject.startswith("Cancelled:") for m in all_messages_of(interview)) == 2
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Your interview is cancelled" in page_text(page)
    # Once cancelled, nothing more to do through the link.
    assert client.get(f"{panel_link.url}reschedule/").status_code == 404
    assert client.get(f"{panel_link.url}invite.ics").status_code == 404
    assert book(client, panel_link, at(day, "15:00")).status_code == 404


def test_it_refuses_a_cancellation_reason_that_is_too_long_and_keeps_the_interview(client, panel_link, day):
    book(client, panel_link, at(day, "12:00"))
    response = client.post(f"{panel_link.url}cancel/", {"reason": "x" * 2001})
    assert response.status_code == 400 and "at most 2000 characters" in page_text(response)
    assert not only_interview().is_cancelled


def test_it_allows_no_change_after_the_cutoff(client, acme, panel_link, day):
    book(client, panel_link, at(day, "12:00"))
    acme.candidate_change_cutoff_hours = 24 * 14  # the interview is less than 14 days away
    acme.save()

    page = page_text(client.get(panel_link.url))
    assert "Changes through this link were possible until" in page
    assert "reschedule/" not in page and "cancel/" not in page
    for response in (client.get(f"{panel_link.url}cancel/"), client.post(f"{panel_link.url}cancel/", {"reason": ""}),
                     client.get(f"{panel_link.url}reschedule/"),
                     client.post(f"{panel_link.url}reschedule/confirm/", {"start": start_param(at(day, "16:00"))})):
        assert response.status_code == 410
        assert "possible until" in page_text(response) and "owner@acme.test" in page_text(response)
    interview = only_interview()
    assert not interview.is_cancelled and interview.start == at(day, "12:00")


def test_it_says_so_when_the_recruiter_cancelled_the_interview(client, owner, panel_link, day):
    from scheduling.services import interview_cancel

    book(client, panel_link, at(day, "12:00"))
    with across_tenants("test setup"):
        interview_cancel(interview=only_interview(), actor=owner.user)
    response = client.get(panel_link.url)
    assert response.status_code == 410 and "This interview was cancelled" in page_text(response)


# --- pools -------------------------------------------------------------------------------------------------------


def test_it_picks_from_the_pool_the_member_with_fewer_interviews_that_week(client, owner, acme, acme_candidate, day):
    busy_one, idle_one = interviewer(acme, "Paula Pool"), interviewer(acme, "Quinn Pool")
    existing_interview(busy_one, acme_candidate, owner, day, "09:00")
    link = send_link(owner, acme_candidate, pool=[busy_one, idle_one], pool_size=1, day=day)
    page = page_text(client.get(link.url))
    assert "Paula" not in page and "Quinn" not in page  # no pool names before booking

    assert book(client, link, at(day, "14:00")).status_code == 303
    with across_tenants("test setup"):
        interviewers = list(only_interview().participants.filter(role=Participant.Role.INTERVIEWER)
                            .values_list("member_id", flat=True))
    assert interviewers == [idle_one.pk]


def test_it_never_books_a_pool_member_over_their_daily_limit(client, owner, acme, acme_candidate, day):
    limited = interviewer(acme, "Paula Pool", max_interviews_per_day=1)
    loaded = interviewer(acme, "Quinn Pool")
    # Quinn has more interviews this week, so Paula comes first, as long as she is under her limit.
    existing_interview(loaded, acme_candidate, owner, day, "09:00")
    existing_interview(loaded, acme_candidate, owner, day, "16:00")
    first = send_link(owner, acme_candidate, pool=[limited, loaded], pool_size=1, day=day)
    second = send_link(owner, another_candidate(acme), pool=[limited, loaded], pool_size=1, day=day)
    only_paula = send_link(owner, another_candidate(acme, 3), pool=[limited], pool_size=1, day=day)

    assert book(Client(), first, at(day, "11:00")).status_code == 303
    assert book(Client(), second, at(day, "14:00")).status_code == 303
    with across_tenants("test setup"):
        taken_by = {interview.candidate_id: [p.member_id for p in interview.participants.all()
                                             if p.role == Participant.Role.INTERVIEWER]
                    for interview in Interview.objects.filter(title="Backend interview")}
    assert taken_by == {first.request.candidate_id: [limited.pk], second.request.candidate_id: [loaded.pk]}
    assert offered_starts(client.get(only_paula.url)) == []  # Paula is at her limit that day


# --- abuse -------------------------------------------------------------------------------------------------------


def unique_client() -> Client:
    # The counts live in a cache that outlives a test run: an address of its own starts from zero.
    return Client(REMOTE_ADDR=f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}:{secrets.token_hex(2)}")


def test_it_limits_page_views_per_link(settings, panel_link):
    settings.BOOKING_RATE_PER_TOKEN_GET = 3
    browser = unique_client()
    assert [browser.get(panel_link.url).status_code for _ in range(3)] == [200, 200, 200]
    refused = browser.get(panel_link.url)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= settings.BOOKING_RATE_WINDOW_SECONDS
    assert "Too many requests" in page_text(refused) and "Acme" not in page_text(refused)
    assert unique_client().get(panel_link.url).status_code == 429  # per link, from anywhere


def test_it_limits_posts_per_link_apart_from_views(settings, panel_link, day):
    settings.BOOKING_RATE_PER_TOKEN_POST = 1
    browser = unique_client()
    assert browser.post(f"{panel_link.url}confirm/", {"start": "garbage"}).status_code == 400
    assert browser.post(f"{panel_link.url}confirm/", {"start": start_param(at(day, "12:00"))}).status_code == 429
    assert browser.get(panel_link.url).status_code == 200
    with across_tenants("test setup"):
        assert not Interview.objects.exists()


def test_it_limits_requests_per_client_whatever_the_token(settings, panel_link):
    settings.BOOKING_RATE_PER_CLIENT = 3
    guesser = unique_client()
    assert [guesser.get(f"/book/guess-{n}/").status_code for n in range(3)] == [404, 404, 404]
    assert guesser.get("/book/guess-4/").status_code == 429
    assert guesser.get(panel_link.url).status_code == 429  # a real link too: nothing tells the guesser it is real
    assert unique_client().get(panel_link.url).status_code == 200


def test_it_counts_the_client_behind_our_proxy_not_the_proxy(settings, panel_link):
    settings.BOOKING_RATE_PER_CLIENT = 1
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = f"2001:db8::{secrets.token_hex(2)}"

    def via_proxy(client_ip):
        return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=client_ip).get(panel_link.url).status_code

    first, second = (f"2001:db8:1::{secrets.token_hex(2)}:{n}" for n in (1, 2))
    assert via_proxy(first) == 200
    assert via_proxy(second) == 200
    assert via_proxy(first) == 429


def test_it_names_only_the_organizer_as_the_contact(client, panel_link, acme, day):
    """The link names its organizer as the contact; other members and their calendars stay out of it."""
    make_member(acme, "hidden@acme.test", Role.RECRUITER, "Hidden Harriet")
    page = page_text(client.get(panel_link.url))
    assert "Hidden Harriet" not in page and "hidden@acme.test" not in page
    assert "Olivia Owner" in page and "owner@acme.test" in page


def test_it_books_nothing_once_the_window_has_passed(client, panel_link, day):
    with across_tenants("test setup"):
        SchedulingRequest.objects.filter(pk=panel_link.request.pk).update(last_day=timezone.now().date()
                                                                          - timedelta(days=1),
                                                                          first_day=timezone.now().date()
                                                                          - timedelta(days=2))
    assert book(client, panel_link, at(day, "12:00")).status_code == 410


def test_the_probe_catches_a_booking_page_that_shows_more_than_its_link_is_about(monkeypatch, acme, owner):
    """tests/probe.py walks the booking pages with a real link: a page that showed the candidate's address fails it."""
    from scheduling import booking_views
    from tests.probe import CompanyObjects, probe_logged_out, project_endpoints

    about = booking_views._about
    monkeypatch.setattr(booking_views, "_about", lambda request: {**about(request), "where": request.candidate.email})
    booking_pages = [endpoint for endpoint in project_endpoints() if endpoint.name.startswith("booking:")]
    report = probe_logged_out(Client(), booking_pages, CompanyObjects(acme, actor=owner.user))
    assert any("[booking:page]" in failure and "wile.coyote@acme-candidates.test" in failure
               for failure in report.failures), report.failures


def test_it_asks_the_organizers_calendar_for_a_meeting_when_the_candidate_books(client, owner, acme_candidate, dana,
                                                                                day):
    """A link whose recruiter ticked "Add a Google Meet link": the booked interview wants that meeting, and the
    calendar channel is there to make it even though everyone is invited by email."""
    connected_calendar(owner)
    link = send_link(owner, acme_candidate, panel=[dana], day=day, online_meeting=OnlineMeeting.GOOGLE_MEET)
    with across_tenants("test setup"):
        assert SchedulingRequest.objects.get(pk=link.request.pk).online_meeting == OnlineMeeting.GOOGLE_MEET
    assert book(client, link, at(day, "12:00")).status_code == 303
    interview = only_interview()
    with across_tenants("test setup"):
        assert interview.online_meeting == OnlineMeeting.GOOGLE_MEET and interview.video_link == ""
        assert CalendarInvite.objects.filter(interview=interview).exists()


def test_it_looks_for_a_link_only_in_the_company_its_token_names(client, panel_link, globex):
    """The token starts with its company's id (the page opens that company's scope before it looks): the same
    random part under another company's id finds nothing."""
    company_id, _, random_part = panel_link.token.partition("-")
    assert company_id == str(panel_link.request.company_id)
    assert client.get(panel_link.url).status_code == 200
    response = client.get(f"/book/{globex.pk}-{random_part}/")
    assert response.status_code == 404 and "This link does not work" in page_text(response)


def test_a_booking_moves_the_candidate_forward_in_the_pipeline(client, panel_link, acme_candidate, day):
    assert book(client, panel_link, at(day, "12:00")).status_code == 303
    with across_tenants("test setup"):
        acme_candidate.refresh_from_db()
        entry = AuditEntry.objects.filter(company=acme_candidate.company, action__contains="stage").latest("pk")
    assert acme_candidate.stage == "interview"
    assert entry.summary.startswith("An interview booked by Wile E. Coyote moved them")
