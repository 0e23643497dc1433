"""The wizard as people really use it: two tabs, the back button, a reload, odd dates and links, huge texts."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.test import Client

from mailbox.models import Message
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Role
from scheduling.models import Interview
from tests.conftest import client_for, make_member
from tests.locks import wait_for_lock_waiters

from .helpers import DAY, messages_of, schedule, step1, step2_defaults

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def draft_of(url: str) -> str:
    return url.split("draft=")[1]


def send(client: Client, url: str, **changes):
    data = {**step2_defaults(client, url), "action": "send", "draft": draft_of(url), **changes}
    return client.post(url, {k: v for k, v in data.items() if v is not None})


def interviews() -> list[Interview]:
    with across_tenants("test setup"):
        return list(Interview.objects.order_by("pk"))


# --- one draft, one interview ------------------------------------------------------------------------------------


def test_it_answers_a_second_send_of_the_same_draft_with_already_scheduled_and_a_link(owner_client,
                                                                                       acme_candidate):
    url = step1(owner_client, acme_candidate)
    data = {**step2_defaults(owner_client, url), "action": "send", "draft": draft_of(url)}
    assert owner_client.post(url, data).status_code == 302
    again = owner_client.post(url, data, follow=True)

    [interview] = interviews()
    page = again.content.decode()
    assert "Already scheduled" in page
    assert f'href="/acme/interviews/{interview.pk}/"' in page
    assert len(messages_of(interview)) == 1  # the candidate got one invitation


def test_it_says_a_used_draft_was_used_not_that_it_expired(owner_client, acme_candidate):
    url = step1(owner_client, acme_candidate)
    assert send(owner_client, url).status_code == 302
    [interview] = interviews()
    for page_url in (url, f"/acme/candidates/{acme_candidate.pk}/schedule/?draft={draft_of(url)}"):
        page = owner_client.get(page_url, follow=True).content.decode()
        assert "expired" not in page
        assert "was already used" in page and f'href="/acme/interviews/{interview.pk}/"' in page


def test_it_starts_a_new_event_when_step_one_of_a_used_draft_is_sent_again(owner_client, acme_candidate):
    url = step1(owner_client, acme_candidate)
    assert send(owner_client, url).status_code == 302
    stale_tab = owner_client.post(f"/acme/candidates/{acme_candidate.pk}/schedule/", {
        "kind": "interview", "date": DAY, "start_time": "14:00", "duration": "60", "time_zone": "Europe/Berlin",
        "invite_candidate": "on", "draft": draft_of(url)})
    assert stale_tab.status_code == 200 and "was already used" in stale_tab.content.decode()
    assert stale_tab.context["form"]["start_time"].value() == "14:00"  # nothing typed is lost
    assert 'name="draft" value=""' in stale_tab.content.decode()  # sending it again starts a new draft
    assert len(interviews()) == 1


def test_it_does_not_give_one_members_draft_to_another(owner_client, teammate_client, acme_candidate):
    url = step1(owner_client, acme_candidate, note="Owner's note")
    response = teammate_client.get(url, follow=True)
    assert "Owner&#x27;s note" not in response.content.decode() and "Owner's note" not in response.content.decode()
    assert "expired" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_it_schedules_once_when_two_tabs_send_the_same_draft_at_the_same_moment(owner, acme_candidate):
    first_tab = client_for(owner)
    url = step1(first_tab, acme_candidate)
    data = {**step2_defaults(first_tab, url), "action": "send", "draft": draft_of(url)}
    second_tab = Client()
    second_tab.cookies = first_tab.cookies  # one browser, two tabs: one session

    # Another session holds the interview table: both sends get as far as they can, and then wait side by side.
    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    with holder.cursor() as cursor:
        cursor.execute("lock table scheduling_interview in exclusive mode")
    answers = {}

    def tab(name, client):
        try:
            answers[name] = client.post(url, data)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tab, args=(n, c)) for n, c in (("first", first_tab), ("second", second_tab))]
    for thread in threads:
        thread.start()
    try:
        wait_for_lock_waiters(2)
    finally:
        holder.rollback()
        holder.close()
    for thread in threads:
        thread.join(30)

    assert sorted(a.status_code for a in answers.values()) == [200, 302] or \
        [a.status_code for a in answers.values()] == [302, 302]
    [interview] = interviews()
    assert len(messages_of(interview)) == 1
    pages = [a for a in answers.values() if a.status_code == 200]
    followed = [first_tab.get(a["Location"]).content.decode() for a in answers.values() if a.status_code == 302]
    assert any("Already scheduled" in p.content.decode() for p in pages) or \
        sum("Already scheduled" in p for p in followed) == 1


# --- step 2 keeps what was typed ---------------------------------------------------------------------------------


def test_it_keeps_step_two_edits_across_change_and_back_and_a_reload(owner_client, interviewer, acme_candidate):
    url = step1(owner_client, acme_candidate, interviewers=[interviewer.pk])
    edits = {**step2_defaults(owner_client, url), "candidate_subject": "Coffee, {candidate_first_name}?",
             "candidate_body": "Dear {candidate_name}, see you soon.", "interviewers_body": "Panel: {job_title}",
             "interviewers_email": None, "interviewers_calendar": None, "draft": draft_of(url)}
    edits = {k: v for k, v in edits.items() if v is not None}
    # "‹ Change": the step-2 form goes along to step 1.
    response = owner_client.post(url, {**edits, "action": "back"})
    assert response.status_code == 302 and "/schedule/?draft=" in response["Location"]
    back = owner_client.get(response["Location"])
    assert back.context["form"]["note"].value() in ("", None)
    # Step 1 again (a later start), then step 2: the edits are there.
    again = step1(owner_client, acme_candidate, interviewers=[interviewer.pk], start_time="16:00",
                  draft=draft_of(url))
    assert draft_of(again) == draft_of(url)
    form = owner_client.get(again).context["form"]
    assert form["candidate_subject"].value() == "Coffee, {candidate_first_name}?"
    assert form["candidate_body"].value() == "Dear {candidate_name}, see you soon."
    assert form["interviewers_body"].value() == "Panel: {job_title}"
    assert not form["interviewers_email"].value()
    # A reload shows them too, and what is sent is what was typed.
    assert owner_client.get(again).context["form"]["candidate_body"].value() == "Dear {candidate_name}, see you soon."
    sent = owner_client.post(again, {**edits, "interviewers_email": "on", "action": "send"})
    assert sent.status_code == 302
    [interview] = interviews()
    assert messages_of(interview)["candidate"].text_body == "Dear Wile E. Coyote, see you soon.\n"


def test_it_saves_step_two_while_typing_so_a_reload_keeps_it(owner_client, acme_candidate):
    url = step1(owner_client, acme_candidate)
    data = {**step2_defaults(owner_client, url), "candidate_body": "Typed, not sent.", "draft": draft_of(url)}
    response = owner_client.post(url, {**data, "action": "save"})
    assert response.status_code == 204
    assert owner_client.get(url).context["form"]["candidate_body"].value() == "Typed, not sent."
    assert interviews() == []


def test_it_keeps_edited_text_that_step_one_made_stale_and_says_so(owner_client, acme_candidate):
    url = step1(owner_client, acme_candidate, location="HQ, Room 4")
    body = "Hi {candidate_first_name}, come to HQ, Room 4 at {event_time}."
    owner_client.post(url, {**step2_defaults(owner_client, url), "candidate_body": body, "action": "back",
                            "draft": draft_of(url)})
    again = step1(owner_client, acme_candidate, location="Annex, Room 9", draft=draft_of(url))
    page = owner_client.get(again)
    assert page.context["form"]["candidate_body"].value() == body
    notes = page.content.decode()
    assert "still mentions" in notes and "HQ, Room 4" in notes and "Annex, Room 9" in notes
    # A placeholder follows step 1 by itself: nothing to say about {event_time}.
    assert "14:00" not in notes.split("still mentions")[1].split("</div>")[0]


# --- refused input ---------------------------------------------------------------------------------------------


FAR_DATES = [("9999-12-31", "23:30", "America/Los_Angeles"), ("9999-12-31", "23:30", "Europe/Berlin"),
             ("0001-01-01", "00:00", "Pacific/Kiritimati"), ("0001-01-01", "00:15", "Europe/Berlin"),
             ("1200-05-05", "10:00", "Europe/Berlin"), ("3000-01-01", "10:00", "Europe/Berlin")]


@pytest.mark.parametrize(("day", "at", "zone"), FAR_DATES)
def test_it_refuses_dates_far_outside_the_plausible_range_everywhere(owner_client, interviewer, acme_candidate, day,
                                                                     at, zone):
    fields = {"kind": "interview", "date": day, "start_time": at, "duration": "180", "time_zone": zone,
              "invite_candidate": "on", "interviewers": [interviewer.pk]}
    owner_client.raise_request_exception = False
    step1_page = owner_client.post(f"/acme/candidates/{acme_candidate.pk}/schedule/", fields)
    assert step1_page.status_code == 200
    assert "Pick a date between" in step1_page.context["form"].errors["date"][0]

    grid = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/schedule/find-time/", fields)
    assert grid.status_code == 200 and "Pick a date between" in grid.content.decode()

    interview = schedule(owner_client, acme_candidate)
    moved = owner_client.post(f"/acme/interviews/{interview.pk}/reschedule/", fields)
    assert moved.status_code == 200 and "Pick a date between" in moved.context["form"].errors["date"][0]
    grid = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/schedule/find-time/",
                            {**fields, "interview": interview.pk})
    assert grid.status_code == 200 and "Pick a date between" in grid.content.decode()


@pytest.mark.parametrize("link", ["ftp://files.example.com/meet", "javascript:alert(1)", "file:///etc/passwd",
                                  "mailto:x@example.com"])
def test_it_accepts_only_http_and_https_video_links(owner_client, acme_candidate, link):
    response = owner_client.post(f"/acme/candidates/{acme_candidate.pk}/schedule/", {
        "kind": "interview", "date": DAY, "start_time": "14:00", "duration": "60", "time_zone": "Europe/Berlin",
        "invite_candidate": "on", "video_link": link})
    assert response.status_code == 200
    assert "http:// or https://" in response.context["form"].errors["video_link"][0]


def test_it_accepts_an_https_video_link_without_a_scheme_typed(owner_client, acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"video_link": "meet.example.com/abc"})
    assert interview.video_link == "https://meet.example.com/abc"


def test_it_refuses_a_message_that_would_render_huge_and_keeps_the_text(owner_client, acme_candidate):
    url = step1(owner_client, acme_candidate, note="N" * 5000)
    body = "{note}" * 3000  # 15 MB once the note is in
    for action in ("preview", "send"):
        response = send(owner_client, url, candidate_body=body, action=action)
        assert response.status_code == 200
        assert len(response.content) < 500_000
        errors = response.context["form"].errors["candidate_body"]
        assert "too long" in errors[0] and "100,000" in errors[0]
        assert response.context["form"]["candidate_body"].value() == body
    assert interviews() == []


def test_it_refuses_a_huge_rendered_reschedule_message_with_a_message(owner_client, admin_templates,
                                                                      acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"note": "N" * 5000})
    admin_templates(audience="candidate", purpose="update", body="{note}" * 3000)
    response = owner_client.post(f"/acme/interviews/{interview.pk}/reschedule/", {
        "kind": "interview", "title": interview.title, "date": "2030-06-13", "start_time": "09:00",
        "duration": "60", "time_zone": "Europe/Berlin", "location": "Elsewhere", "note": "N" * 5000})
    assert response.status_code == 200
    assert "too long" in str(response.context["form"].non_field_errors())
    with across_tenants("test setup"):
        assert Interview.objects.get().sequence == 0


@pytest.fixture
def admin_templates(owner_client):
    def save(*, audience, purpose, body, subject="Update"):
        response = owner_client.post(f"/acme/settings/templates/?audience={audience}&purpose={purpose}",
                                     {"subject": subject, "body": body, "action": "save"})
        assert response.status_code == 302

    return save


def test_it_needs_an_explicit_confirmation_to_record_a_past_time(owner_client, acme_candidate):
    yesterday = (datetime.now(BERLIN) - timedelta(days=1)).date().isoformat()
    url = step1(owner_client, acme_candidate, date=yesterday)
    refused = send(owner_client, url, candidate_body="Thanks for yesterday, {candidate_first_name}.")
    assert refused.status_code == 200 and interviews() == []
    assert "already happened" in refused.context["form"].errors["confirm_past"][0]
    assert refused.context["form"]["candidate_body"].value() == "Thanks for yesterday, {candidate_first_name}."
    confirmed = send(owner_client, url, confirm_past="on")
    assert confirmed.status_code == 302 and len(interviews()) == 1


def test_it_needs_no_confirmation_for_a_future_time(owner_client, acme_candidate):
    url = step1(owner_client, acme_candidate)
    assert "confirm_past" not in owner_client.get(url).content.decode()
    assert send(owner_client, url).status_code == 302


def test_it_shows_a_refused_send_on_step_two_and_keeps_everything_typed(owner_client, acme_candidate, settings):
    # The outbox refuses the message (here: the .ics is over the attachment limit); so would a sending quota.
    settings.MAILBOX_ATTACHMENTS_MAX_BYTES = 10
    url = step1(owner_client, acme_candidate)
    response = send(owner_client, url, candidate_subject="Hello {candidate_first_name}", candidate_body="Typed text")
    assert response.status_code == 200
    assert "Attachments may add up to" in str(response.context["form"].non_field_errors())
    form = response.context["form"]
    assert (form["candidate_subject"].value(), form["candidate_body"].value()) == ("Hello {candidate_first_name}",
                                                                                  "Typed text")
    with across_tenants("test setup"):
        assert not Interview.objects.exists() and not Message.objects.exists()
    settings.MAILBOX_ATTACHMENTS_MAX_BYTES = 10 * 1024 * 1024
    assert send(owner_client, url).status_code == 302  # the draft was not used up by the refused send


# --- the ledger and the Find time requests ----------------------------------------------------------------------


def test_it_shows_an_interviewer_only_the_messages_the_mailbox_shows_them(owner_client, interviewer,
                                                                         interviewer_client, acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    sent = messages_of(interview)
    page = interviewer_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert sent["candidate"].subject not in page and acme_candidate.full_name + "</td>" not in page
    assert interviewer_client.get(f"/acme/mailbox/messages/{sent['candidate'].pk}/").status_code == 404
    assert "No emails you may see were sent for this event." in page
    # Whoever may read them sees them all.
    for member_client in (owner_client, client_for(make_member(acme_candidate.company, "r@acme.test",
                                                                Role.RECRUITER))):
        page = member_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
        assert sent["candidate"].subject in page and sent["interviewers"].subject in page


def test_it_keeps_the_csrf_token_out_of_the_find_time_requests(owner_client, acme_candidate):
    page = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/schedule/").content.decode()
    grid = page.split('id="find-time"')[1].split(">")[0]
    assert 'hx-params="not csrfmiddlewaretoken"' in grid


def test_it_says_why_a_template_preview_is_missing_when_it_would_be_huge(owner_client):
    response = owner_client.post("/acme/settings/templates/?audience=candidate&purpose=invitation",
                                 {"subject": "Hi", "body": "{note}" * 3000, "action": "preview"})
    assert response.status_code == 200 and len(response.content) < 500_000
    assert "would be too long" in response.content.decode()
