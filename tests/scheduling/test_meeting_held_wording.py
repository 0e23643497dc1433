"""Invitations held while the calendar makes the meeting link go out worded as they were when the recruiter pressed
Send: editing the wizard draft or the company's templates afterwards does not change them."""

import pytest

from recruitee.tenancy.db import across_tenants
from scheduling.models import MeetingStatus, OnlineMeeting, ScheduleDraft
from scheduling.tasks import calendar_invite_sync_task
from tests import sandbox_fixtures as sandbox_testing
from tests.calendars import conftest as calendar_fixtures
from tests.calendars.test_connect import GOOGLE_ACCOUNT, connect

from .booking_fixtures import at, booking_day, interviewer, no_booking_limits, send_link  # noqa: F401
from .helpers import invite_of, messages_of, reload, schedule
from .test_booking_pages import book, only_interview

pytestmark = pytest.mark.django_db

sandbox, sandbox_server = sandbox_testing.sandbox, sandbox_testing.sandbox_server
providers = calendar_fixtures.providers

SENT_SUBJECT = "Our call on {event_date}"
SENT_BODY = "Hi {candidate_first_name}, the link: {video_link}. Wording as sent."


def test_the_held_invitations_keep_the_wording_of_the_moment_send_was_pressed(
    providers, owner_client, interviewer, acme_candidate, capture
):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    # Sent, the calendar task not run yet: the invitations wait for the meeting link.
    interview = schedule(owner_client, acme_candidate,
                         step1_fields={"interviewers": [interviewer.pk], "online_meeting": "on", "location": ""},
                         candidate_subject=SENT_SUBJECT, candidate_body=SENT_BODY)
    assert invite_of(interview).meeting_status == MeetingStatus.REQUESTED
    assert messages_of(interview) == {}

    # Meanwhile the draft changes and an admin edits the interviewers' invitation template.
    with across_tenants("test setup"):
        draft = ScheduleDraft.objects.get(interview=interview)
        draft.step2 = {**draft.step2, "candidate_subject": ["Edited later"], "candidate_body": ["Edited later."]}
        draft.save()
    response = owner_client.post("/acme/settings/templates/?audience=interviewers&purpose=invitation",
                                 {"subject": "Template edited later", "body": "Edited later.", "action": "save"})
    assert response.status_code == 302

    with capture(execute=True):  # the link arrives
        calendar_invite_sync_task.delay(company_id=interview.company_id, interview_id=interview.pk)

    interview = reload(interview)
    link = interview.video_link
    assert invite_of(interview).meeting_status == MeetingStatus.CREATED and link
    sent = messages_of(interview)
    assert sent["candidate"].subject.startswith("Our call on ") and "Edited" not in sent["candidate"].subject
    assert sent["candidate"].text_body.strip() == f"Hi Wile, the link: {link}. Wording as sent."
    # The company's wording at Send (the default), not the template as edited since.
    assert sent["interviewers"].subject.startswith("Interview with Wile")
    assert "Edited later" not in sent["interviewers"].text_body
    assert sent["interviewers"].text_body.count(link) == 1


@pytest.mark.usefixtures("no_booking_limits")
def test_an_invitation_held_after_a_booking_keeps_the_template_of_the_booking(
    providers, client, owner, owner_client, acme, acme_candidate, capture
):
    """A candidate's booking through a scheduling link is worded by the company's template; an admin editing it
    while the link is made changes the next bookings, not this one."""
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    day = booking_day()
    link = send_link(owner, acme_candidate, panel=[interviewer(acme, "Dana Dev")], day=day,
                     online_meeting=OnlineMeeting.GOOGLE_MEET, location="")
    assert book(client, link, at(day, "12:00")).status_code == 303
    interview = only_interview()
    assert invite_of(interview).meeting_status == MeetingStatus.REQUESTED

    response = owner_client.post("/acme/settings/templates/?audience=candidate&purpose=invitation",
                                 {"subject": "Template edited later", "body": "Edited later.", "action": "save"})
    assert response.status_code == 302
    with capture(execute=True):
        calendar_invite_sync_task.delay(company_id=interview.company_id, interview_id=interview.pk)

    candidate_message = messages_of(interview)["candidate"]
    assert candidate_message.subject.startswith("Interview with Acme")
    assert "Edited later" not in candidate_message.text_body
    assert candidate_message.text_body.count(reload(interview).video_link) == 1
