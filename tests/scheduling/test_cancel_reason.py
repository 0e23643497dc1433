"""Cancelling asks why (optional) and for a note to the candidate (optional): both are kept on the interview and
in its history, and the cancellation emails say them through {cancellation_reason} and {cancellation_note}."""

import pytest

from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.selectors import audit_entries_of
from scheduling import services
from scheduling.placeholders import PLACEHOLDERS, sample_values

from .change_helpers import cancel_url, messages_to, ours, page_defaults, post
from .helpers import all_messages_of, reload, schedule

pytestmark = pytest.mark.django_db


def _cancel(client, interview, **fields):
    data = page_defaults(client, cancel_url(interview))
    data.update(fields)
    return post(client, cancel_url(interview), data)


def test_it_keeps_the_reason_and_note_and_tells_each_audience_what_is_theirs(owner_client, interviewer,
                                                                              acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    _cancel(owner_client, interview, reason="The position has been filled",
            note_to_candidate="Thank you for your time. We will keep your application on file.")

    cancelled = reload(interview)
    assert cancelled.is_cancelled and cancelled.cancelled_at is not None
    assert cancelled.cancellation_reason == "The position has been filled"
    assert cancelled.cancellation_note == "Thank you for your time. We will keep your application on file."
    [to_candidate] = messages_to(interview, acme_candidate.email)[1:]
    [to_team] = messages_to(interview, interviewer.user.email)[1:]
    assert "Thank you for your time. We will keep your application on file." in to_candidate.text_body
    assert "position has been filled" not in to_candidate.text_body  # the reason is the team's, by default
    assert "Reason: The position has been filled" in to_team.text_body
    assert "keep your application" not in to_team.text_body
    assert ours(to_candidate).method == ours(to_team).method == "CANCEL"

    with across_tenants("test setup"):
        entry = audit_entries_of(interview).first()
    assert entry.action == "interview.cancelled"
    assert entry.data["reason"] == "The position has been filled"
    assert entry.data["note"] == "Thank you for your time. We will keep your application on file."
    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert "Cancelled: “The position has been filled”; note to the candidate: “Thank you for your time." in page
    assert "Reason: The position has been filled" in page


def test_it_takes_a_reason_in_the_recruiters_words(owner_client, interviewer, acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    _cancel(owner_client, interview, reason="other", reason_other="  The   hiring manager is travelling ")
    assert reload(interview).cancellation_reason == "The hiring manager is travelling"
    [to_team] = messages_to(interview, interviewer.user.email)[1:]
    assert "Reason: The hiring manager is travelling" in to_team.text_body

    other = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    _cancel(owner_client, other, reason_other="Budget freeze")  # a free text without choosing works too
    assert reload(other).cancellation_reason == "Budget freeze"


@pytest.mark.parametrize(("fields", "error"), [
    ({"reason": "other"}, "Write the reason, or choose one from the list."),
    ({"reason": "Scheduling conflict", "reason_other": "Something else"}, "Choose “Other” to give a reason"),
    ({"reason": "Because I say so"}, "Select a valid choice."),
    ({"reason": "other", "reason_other": "two\nlines"}, "Line breaks"),
])
def test_it_explains_a_reason_it_cannot_take_and_cancels_nothing(owner_client, acme_candidate, fields, error):
    interview = schedule(owner_client, acme_candidate)
    data = {**page_defaults(owner_client, cancel_url(interview)), **fields}
    response = post(owner_client, cancel_url(interview), data, status=200)
    errors = [e for field in response.context["form"].errors.values() for e in field]
    assert len(errors) == 1 and error in errors[0]
    assert not reload(interview).is_cancelled and len(all_messages_of(interview)) == 1


def test_it_leaves_the_reason_line_out_when_there_is_none(owner_client, interviewer, acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    _cancel(owner_client, interview)
    [to_candidate] = messages_to(interview, acme_candidate.email)[1:]
    [to_team] = messages_to(interview, interviewer.user.email)[1:]
    assert "Reason" not in to_team.text_body
    assert "unfortunately we have to cancel your interview on Wednesday, 12 June 2030 at 05:00" in \
        to_candidate.text_body
    assert "\n\n\n" not in to_candidate.text_body  # the empty note leaves no gap
    assert reload(interview).cancellation_reason == ""


def test_the_service_keeps_reason_and_note_for_other_callers(owner, owner_client, acme_candidate):
    interview = schedule(owner_client, acme_candidate)
    with across_tenants("test setup"):
        services.interview_cancel(interview=interview, actor=owner.user, reason="Interviewer ill", note="Sorry!")
    cancelled = reload(interview)
    assert (cancelled.cancellation_reason, cancelled.cancellation_note) == ("Interviewer ill", "Sorry!")
    [to_candidate] = all_messages_of(interview)[1:]
    assert "Sorry!" in to_candidate.text_body


def test_the_placeholders_are_allowlisted_with_samples_for_previews():
    for name in ("cancellation_reason", "cancellation_note"):
        assert name in PLACEHOLDERS and sample_values()[name]
        assert PLACEHOLDERS[name].description.startswith("Cancellations:")


def test_the_page_offers_the_reason_and_note_and_keeps_the_interview_on_keep_it(owner_client, acme_candidate):
    interview = schedule(owner_client, acme_candidate)
    page = owner_client.get(cancel_url(interview)).content.decode()
    assert 'name="reason"' in page and 'name="reason_other"' in page and 'name="note_to_candidate"' in page
    assert "No reason given" in page and "Other (write it below)" in page
    assert "{cancellation_note}" in page  # the candidate's editor starts with the template that uses it
    assert "<script>" not in page and "style=" not in page
    assert not reload(interview).is_cancelled
