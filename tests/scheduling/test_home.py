"""The home page: where each member lands after signing in, with their interviews of the coming days, what needs
them, what they still owe and what happened, in their own zone, for their company only, at a constant cost."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format
from django_scopes import scope

from calendars.models import CalendarConnection
from mailbox.models import Message
from recruitee.accounts.models import User
from recruitee.recruiting.models import Job
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Membership, Role
from recruitee.tenancy.services import audit_record
from scheduling.models import CalendarInvite, InterviewMessage, Participant, SchedulingRequest
from tests.calendars.factories import connected_calendar
from tests.conftest import PASSWORD, client_for
from tests.mailbox.factories import failed_message

from .home_data import (
    bulk_interviews,
    candidate,
    in_hours,
    interview,
    live_in,
    scheduling_link,
    section_text,
    sections,
)

pytestmark = pytest.mark.django_db

ACCEPTED, DECLINED = Participant.Response.ACCEPTED, Participant.Response.DECLINED


def home(client, slug: str = "acme"):
    response = client.get(f"/{slug}/")
    assert response.status_code == 200
    return response


# ---- landing -------------------------------------------------------------------------------------------------

def test_it_lands_on_the_home_page_after_signing_in(teammate):
    client = Client()
    response = client.post("/accounts/login/", {"login": teammate.user.email, "password": PASSWORD}, follow=True)
    assert [url for url, _status in response.redirect_chain] == ["/", "/acme/"]
    assert response.context["request"].resolver_match.view_name == "company-home"
    assert "Hello, Terry Teammate" in response.content.decode()


def test_it_sends_someone_without_a_company_to_create_one(db):
    user = User.objects.create_user(email="lonely@example.com", password=PASSWORD, full_name="Lee Lonely")
    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    assert client.get("/").url == "/companies/new/"


def test_it_lands_on_the_first_company_by_name(teammate, globex):
    with across_tenants("test setup"):
        Membership.objects.create(company=globex, user=teammate.user, role=Role.RECRUITER)
    assert client_for(teammate).get("/").url == "/acme/"  # Acme Inc. before Globex Corporation


def test_the_navigation_has_home_and_interviews_with_the_current_one_marked(teammate_client):
    page = home(teammate_client).content.decode()
    assert '<a class="nav-link active" href="/acme/" aria-current="page">Home</a>' in page
    assert '<a class="nav-link" href="/acme/interviews/">Interviews</a>' in page
    listing = teammate_client.get("/acme/interviews/").content.decode()
    assert '<a class="nav-link active" href="/acme/interviews/" aria-current="page">Interviews</a>' in listing
    assert '<a class="nav-link" href="/acme/">Home</a>' in listing


# ---- recruiters: upcoming interviews ---------------------------------------------------------------------------

def test_it_shows_my_interviews_of_the_week_with_candidate_job_interviewers_and_answers(
    teammate_client, teammate, owner, interviewer, acme_candidate, zone
):
    soon = interview(teammate, acme_candidate, start=in_hours(1), title="Tech screen",
                     interviewers=[interviewer, owner], answers={interviewer: ACCEPTED})
    tomorrow = interview(teammate, acme_candidate, start=in_hours(24), title="Culture talk")
    interview(teammate, acme_candidate, start=in_hours(24 * 8), title="Too far ahead")
    interview(teammate, acme_candidate, start=in_hours(-3), title="Already over")
    interview(teammate, acme_candidate, start=in_hours(2), title="Called off", status="cancelled")

    response = home(teammate_client)
    [upcoming] = sections(response, "home-upcoming")
    text = upcoming["text"]
    assert "Tech screen" in text and "Culture talk" in text
    assert "Too far ahead" not in text and "Already over" not in text and "Called off" not in text
    assert text.index("Today") < text.index("Tech screen") < text.index("Tomorrow") < text.index("Culture talk")
    rows = sections(response, "home-interview")
    assert "Wile E. Coyote" in rows[0]["text"] and "Secret Rocket Engineer" in rows[0]["text"]
    assert "Ivan Interviewer Accepted" in rows[0]["text"] and "Olivia Owner No answer yet" in rows[0]["text"]
    assert f"/acme/interviews/{soon.pk}/" in rows[0]["links"]
    assert f"/acme/candidates/{acme_candidate.pk}/" in rows[0]["links"]
    assert f"/acme/interviews/{tomorrow.pk}/" in rows[1]["links"]


def test_it_shows_the_times_in_the_members_own_zone(teammate_client, teammate, acme_candidate):
    live_in(teammate, "Asia/Tokyo")
    # 10:15 in Tokyo two days from now: an interview that ends the day it starts, whatever the hour the test runs
    # (a start at "now + 2 days" ended past midnight in Tokyo, shown with its end's weekday, for an hour a day).
    tokyo = ZoneInfo("Asia/Tokyo")
    local = datetime.combine(timezone.now().astimezone(tokyo).date() + timedelta(days=2), time(10, 15), tzinfo=tokyo)
    start = local.astimezone(UTC)
    interview(teammate, acme_candidate, start=start, minutes=45)
    text = section_text(home(teammate_client), "home-interview")
    assert f"{local:%H:%M}–{local + timedelta(minutes=45):%H:%M}" in text
    assert "times in Asia/Tokyo" in home(teammate_client).content.decode()


def test_it_shows_interviews_i_take_part_in_but_not_the_teams_others(
    teammate_client, teammate, owner, acme_candidate, zone
):
    interview(owner, acme_candidate, start=in_hours(2), title="Owner's with me", interviewers=[teammate])
    interview(owner, acme_candidate, start=in_hours(3), title="Owner's alone")
    text = section_text(home(teammate_client), "home-upcoming")
    assert "Owner's with me" in text
    assert "Owner's alone" not in text


def test_it_says_what_to_do_when_there_are_no_interviews(teammate_client, interviewer_client):
    assert section_text(home(teammate_client), "upcoming-empty") == (
        "No interviews this week — schedule one from a candidate’s page. Go to candidates")
    assert "When a recruiter invites you to one, it shows up here." in section_text(
        home(interviewer_client), "upcoming-empty")
    assert "Nothing needs you right now" in section_text(home(teammate_client), "home-attention")


def test_it_never_shows_another_companys_interviews(teammate, globex, zone):
    """The same person in two companies sees each company's interviews on that company's home page only."""
    with across_tenants("test setup"):
        elsewhere = Membership.objects.create(company=globex, user=teammate.user, role=Role.RECRUITER)
    theirs = candidate(globex, "Hank Scorpio")
    interview(elsewhere, theirs, start=in_hours(2), title="Globex chat",
              interviewers=[elsewhere], answers={elsewhere: DECLINED})
    client = client_for(teammate)
    acme_page = home(client).content.decode()
    assert "Globex chat" not in acme_page and "Hank Scorpio" not in acme_page
    assert sections(home(client), "decline-alert") == []
    assert "Globex chat" in home(client, "globex").content.decode()


# ---- recruiters: what needs them ---------------------------------------------------------------------------------

def test_a_decline_raises_an_alert_that_leads_to_the_interview(
    teammate_client, teammate, owner, interviewer, acme_candidate, zone
):
    declined = interview(teammate, acme_candidate, start=in_hours(24), interviewers=[interviewer],
                         answers={interviewer: DECLINED})
    interview(teammate, acme_candidate, start=in_hours(-30), title="Old one", interviewers=[interviewer],
              answers={interviewer: DECLINED})
    interview(owner, acme_candidate, start=in_hours(5), title="Owner's", interviewers=[interviewer],
              answers={interviewer: DECLINED})
    [alert] = sections(home(teammate_client), "decline-alert")
    assert "An invitation was declined" in alert["text"]
    assert "Ivan Interviewer declined Interview with Wile E. Coyote" in alert["text"]
    assert "Tomorrow at " in alert["text"]
    assert "Old one" not in alert["text"] and "Owner's" not in alert["text"]
    assert alert["links"] == [f"/acme/interviews/{declined.pk}/"]


def test_it_lists_unanswered_calendar_invitations_close_to_their_date(
    teammate_client, teammate, owner, interviewer, acme_candidate, zone
):
    interview(teammate, acme_candidate, start=in_hours(20), title="Soon", interviewers=[interviewer, owner],
              answers={owner: ACCEPTED})
    interview(teammate, acme_candidate, start=in_hours(24 * 4), title="Later", interviewers=[interviewer])
    interview(teammate, acme_candidate, start=in_hours(10), title="By email", interviewers=[interviewer],
              by_email=True, by_calendar=False)
    [item] = sections(home(teammate_client), "attention-unanswered")
    assert item["text"].startswith("Ivan Interviewer has not answered the invitation to Soon with Wile E. Coyote "
                                   "It starts tomorrow at ")
    assert "Olivia Owner" not in item["text"]


def test_it_lists_interviews_changed_in_the_calendar(teammate_client, teammate, interviewer, acme_candidate, zone):
    moved = interview(teammate, acme_candidate, start=in_hours(26), interviewers=[interviewer])
    new_start = moved.start + timedelta(hours=3)
    with across_tenants("test setup"):
        CalendarInvite.objects.create(
            company=moved.company, interview=moved, provider="google", provider_event_id="ev1",
            status=CalendarInvite.Status.CREATED, outside_change_at=timezone.now(),
            outside_change={"moved": True, "start": new_start.isoformat(),
                            "end": (new_start + timedelta(hours=1)).isoformat()})
    [item] = sections(home(teammate_client), "attention-calendar_change")
    local = new_start.astimezone(ZoneInfo("Europe/Berlin"))
    assert f"Interview with Wile E. Coyote: Moved in Google Calendar to {local:%a %H:%M}" in item["text"]
    assert item["links"] == [f"/acme/interviews/{moved.pk}/"]


def test_it_lists_failed_emails_i_sent_or_about_my_interviews(
    teammate_client, teammate, owner, interviewer, acme_candidate, zone
):
    mine = failed_message(teammate, acme_candidate)
    failed_message(owner, acme_candidate)  # the owner's own: not the teammate's business on their home page
    about = interview(teammate, acme_candidate, start=in_hours(30), interviewers=[interviewer])
    with across_tenants("test setup"):
        reminder = Message.objects.create(
            company=teammate.company, sender=None, audience=Message.Audience.INTERVIEWERS, from_email="no@x.test",
            to=[{"name": "Ivan Interviewer", "email": interviewer.user.email}], subject="Reminder: Interview",
            text_body="Soon.", status=Message.Status.FAILED, last_error="Mailbox full (552).")
        InterviewMessage.objects.create(company=teammate.company, interview=about, message=reminder)
    items = sections(home(teammate_client), "attention-failed_message")
    assert [item["links"] for item in items] == [[f"/acme/mailbox/messages/{reminder.pk}/"],
                                                 [f"/acme/mailbox/messages/{mine.pk}/"]]
    assert "Email to Ivan Interviewer could not be sent: “Reminder: Interview” Mailbox full (552)." in items[0]["text"]
    assert "Email to Wile E. Coyote could not be sent: “Offer letter for the rocket project”" in items[1]["text"]


def test_it_lists_scheduling_links_not_booked_near_or_past_their_deadline(
    teammate_client, teammate, owner, acme_candidate, zone
):
    today = date.today()
    ending = scheduling_link(teammate, acme_candidate, last_day=today + timedelta(days=1), title="Ends soon")
    scheduling_link(teammate, acme_candidate, last_day=today - timedelta(days=3), title="Ended",
                    status=SchedulingRequest.Status.OPENED)
    scheduling_link(teammate, acme_candidate, last_day=today + timedelta(days=10), title="Plenty of time")
    scheduling_link(teammate, acme_candidate, last_day=today - timedelta(days=40), title="Long forgotten")
    scheduling_link(teammate, acme_candidate, last_day=today, title="Withdrawn",
                    status=SchedulingRequest.Status.WITHDRAWN)
    scheduling_link(owner, acme_candidate, last_day=today, title="The owner's")
    items = sections(home(teammate_client), "attention-scheduling_link")
    texts = [item["text"] for item in items]
    assert len(texts) == 2
    assert texts[0].startswith("Wile E. Coyote opened the link but has not booked “Ended” Its last day was ")
    assert texts[0].endswith("send a new link or withdraw it. Resend or withdraw")
    assert texts[1].startswith("Wile E. Coyote has not booked “Ends soon” It can be booked until the end of ")
    assert items[1]["links"] == [f"/acme/candidates/{ending.candidate_id}/"]


def test_it_lists_my_calendars_that_stopped_syncing_and_admins_see_the_teams(
    teammate_client, owner_client, teammate, owner, zone
):
    broken = connected_calendar(teammate).connection
    failing = connected_calendar(teammate, email="second@acme.test").connection
    with across_tenants("test setup"):
        CalendarConnection.objects.filter(pk=broken.pk).update(status=CalendarConnection.Status.RECONNECT_NEEDED)
        CalendarConnection.objects.filter(pk=failing.pk).update(last_error="Google answered 500 three times.")
    items = sections(home(teammate_client), "attention-calendar")
    assert [item["text"] for item in items] == [
        "Google Calendar · teammate@acme.test needs to be reconnected Until then your busy times and answers are "
        "not kept up to date. Reconnect",
        "The last sync of Google Calendar · second@acme.test failed Google answered 500 three times. Sync again",
    ]
    assert items[0]["links"] == ["/acme/calendars/connect/google/"]
    [admin_item] = sections(home(owner_client), "attention-calendar")
    assert admin_item["text"].startswith("2 of your team’s calendars stopped syncing")
    assert admin_item["links"] == ["/acme/settings/calendars/"]


def test_a_recruiter_sees_the_invitations_they_still_owe_an_answer_to(
    teammate_client, teammate, owner, acme_candidate, zone
):
    owed = interview(owner, acme_candidate, start=in_hours(5), interviewers=[teammate])
    [item] = sections(home(teammate_client), "attention-answer_owed")
    assert item["text"].startswith("Answer the invitation to Interview with Wile E. Coyote Today at ")
    assert item["links"] == [f"/acme/interviews/{owed.pk}/"]


# ---- recruiters: recent activity ---------------------------------------------------------------------------------

def test_it_shows_recent_activity_as_sentences_linking_to_what_they_are_about(
    teammate_client, owner_client, teammate, owner, acme, acme_candidate, globex, outsider, zone
):
    talk = interview(teammate, acme_candidate, start=in_hours(30))
    with across_tenants("test setup"):
        audit_record(company=acme, actor=teammate.user, action="interview.scheduled", target=talk,
                     summary="Interview with Wile E. Coyote: Scheduled for Thu", detail="Scheduled for Thu")
        audit_record(company=acme, actor=None, action="interview.answered", target=talk,
                     summary="Interview with Wile E. Coyote: Ivan Interviewer accepted", detail="accepted")
        audit_record(company=acme, actor=owner.user, action="candidate.created", candidate_id=acme_candidate.pk,
                     summary="Olivia Owner added the candidate Wile E. Coyote")
        audit_record(company=acme, actor=owner.user, action="membership.role_changed",
                     summary="Olivia Owner made Terry Teammate a recruiter")
        audit_record(company=globex, actor=outsider.user, action="candidate.created",
                     summary="Oscar Outsider added the candidate Hank Scorpio")
    activity = sections(home(teammate_client), "home-activity")[0]
    assert "Olivia Owner added the candidate Wile E. Coyote" in activity["text"]
    assert "Interview with Wile E. Coyote: Ivan Interviewer accepted" in activity["text"]
    assert "Interview with Wile E. Coyote: Scheduled for Thu — by Terry Teammate" in activity["text"]
    assert "Today" in activity["text"]
    assert "made Terry Teammate a recruiter" not in activity["text"]  # the team's changes are the admins'
    assert "Hank Scorpio" not in activity["text"]
    assert f"/acme/interviews/{talk.pk}/" in activity["links"]
    assert f"/acme/candidates/{acme_candidate.pk}/" in activity["links"]
    admin_activity = sections(home(owner_client), "home-activity")[0]
    assert "Olivia Owner made Terry Teammate a recruiter" in admin_activity["text"]
    assert "/acme/settings/audit/" in admin_activity["links"]
    assert "Hank Scorpio" not in admin_activity["text"]


def test_recent_activity_is_said_in_the_readers_language(teammate_client, teammate, acme, acme_candidate, zone):
    talk = interview(teammate, acme_candidate, start=in_hours(30))
    with translation.override("de"), timezone.override(ZoneInfo(zone)):
        when = date_format(timezone.localtime(talk.start), "DATETIME_FORMAT")
        zone_name = timezone.get_current_timezone_name()  # "+08" for the fixed-offset zones of the fixture
    with across_tenants("test setup"):
        audit_record(company=acme, actor=teammate.user, action="interview.scheduled", target=talk,
                     summary="Interview with Wile E. Coyote: Scheduled for Thu", title="Interview",
                     candidate="Wile E. Coyote", start=talk.start.isoformat())
    teammate.user.language = "de"
    teammate.user.save(update_fields=["language"])
    text = sections(home(teammate_client), "home-activity")[0]["text"]
    assert "Interview with Wile E. Coyote: Scheduled for Thu" not in text
    assert f"Interview mit Wile E. Coyote: Geplant für {when} ({zone_name}) – von Terry Teammate" in text


def test_activity_about_a_deleted_candidate_has_no_dead_link(teammate_client, teammate, acme, zone):
    gone = candidate(acme, "Gone Person")
    with across_tenants("test setup"):
        audit_record(company=acme, actor=teammate.user, action="candidate.updated", candidate_id=gone.pk,
                     summary="Terry Teammate changed the candidate Gone Person: phone")
        gone.delete()
    activity = sections(home(teammate_client), "home-activity")[0]
    assert "Terry Teammate changed the candidate Gone Person: phone" in activity["text"]
    assert f"/acme/candidates/{gone.pk}/" not in activity["links"]


# ---- interviewers ----------------------------------------------------------------------------------------------

def test_an_interviewer_sees_their_interviews_with_a_link_to_the_candidate_they_can_open(
    interviewer_client, teammate, interviewer, owner, acme_candidate, zone
):
    mine = interview(teammate, acme_candidate, start=in_hours(2), title="Pairing", interviewers=[interviewer])
    interview(teammate, acme_candidate, start=in_hours(3), title="Not mine", interviewers=[owner])
    response = home(interviewer_client)
    [row] = sections(response, "home-interview")
    assert "Pairing" in row["text"] and "Wile E. Coyote" in row["text"] and "Secret Rocket Engineer" in row["text"]
    assert f"/acme/candidates/{acme_candidate.pk}/" in row["links"]
    assert f"/acme/interviews/{mine.pk}/" in row["links"]
    assert interviewer_client.get(f"/acme/candidates/{acme_candidate.pk}/").status_code == 200
    page = response.content.decode()
    assert "Not mine" not in page
    assert sections(response, "home-attention") == [] and sections(response, "home-activity") == []


def test_an_interviewer_sees_the_answers_they_owe_until_they_answer(
    interviewer_client, teammate, interviewer, acme_candidate, zone
):
    owed = interview(teammate, acme_candidate, start=in_hours(26), title="Deep dive", interviewers=[interviewer])
    interview(teammate, acme_candidate, start=in_hours(27), title="Email only", interviewers=[interviewer],
              by_email=True, by_calendar=False)
    [item] = sections(home(interviewer_client), "attention-answer_owed")
    assert item["text"].startswith("Answer the invitation to Deep dive with Wile E. Coyote Tomorrow at ")
    assert "Accept or decline it in your calendar." in item["text"]
    assert item["links"] == [f"/acme/interviews/{owed.pk}/"]
    with across_tenants("test setup"):
        Participant.objects.filter(interview=owed, member=interviewer).update(response=ACCEPTED)
    response = home(interviewer_client)
    assert sections(response, "attention-answer_owed") == []
    assert "you have answered every invitation" in section_text(response, "owed-empty")


# ---- cost ------------------------------------------------------------------------------------------------------

def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/acme/")
    assert response.status_code == 200
    return len(captured)


def _busy_company(owner, teammate, interviewer, acme_candidate, count: int) -> None:
    with across_tenants("test setup"):
        job = Job.objects.create(company=teammate.company, title=f"Job {count}")
    bulk_interviews(teammate, acme_candidate, interviewer, count, job=job)
    failed_message(teammate, acme_candidate)
    scheduling_link(teammate, acme_candidate, last_day=date.today())
    with scope(company=teammate.company):
        audit_record(company=teammate.company, actor=teammate.user, action="candidate.created",
                     candidate_id=acme_candidate.pk, summary="Terry Teammate added the candidate Wile E. Coyote")


def test_the_home_page_costs_the_same_queries_with_10_or_10000_interviews(
    owner, teammate, interviewer, acme_candidate, zone
):
    clients = {"admin": client_for(owner), "recruiter": client_for(teammate), "interviewer": client_for(interviewer)}
    _busy_company(owner, teammate, interviewer, acme_candidate, 10)
    few = {role: _home_queries(client) for role, client in clients.items()}
    recruiter, interviewers = home(clients["recruiter"]), home(clients["interviewer"])
    assert sections(recruiter, "home-interview") and sections(interviewers, "home-interview")
    for kind in ("decline-alert", "attention-failed_message", "attention-unanswered", "attention-scheduling_link"):
        assert sections(recruiter, kind), kind
    assert sections(interviewers, "attention-answer_owed")
    _busy_company(owner, teammate, interviewer, acme_candidate, 10_000)
    assert {role: _home_queries(client) for role, client in clients.items()} == few
    assert max(few.values()) <= 20
    assert len(sections(home(clients["recruiter"]), "home-interview")) == 30  # the limit, with a link to the rest
