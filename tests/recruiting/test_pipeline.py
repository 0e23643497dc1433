"""A job's pipeline board: candidates by stage, moved by a form (the same request a drag and drop sends), each move in
the audit trail; only this company's job and this job's candidates; one query for the cards however large the job.
And the company's "move on scheduling" stage, forward only."""

import re
import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from recruitee.recruiting import pipeline, services
from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry, StageOnSchedule
from tests.locks import wait_for_lock_waiters

pytestmark = pytest.mark.django_db

Stage = Candidate.Stage


def board_url(job: Job) -> str:
    return f"/{job.company.slug}/jobs/{job.pk}/pipeline/"


def move_url(job: Job, candidate: Candidate) -> str:
    return f"{board_url(job)}{candidate.pk}/move/"


def column_of(page: str, stage: str) -> str:
    match = re.search(rf'<section class="pipeline-column" data-stage="{stage}".*?</section>', page, re.S)
    assert match, f"no {stage} column"
    return match.group(0)


def count_in(page: str, stage: str) -> int:
    return int(re.search(rf'data-testid="count-{stage}">(\d+)', page).group(1))


def stage_of(candidate: Candidate) -> str:
    with across_tenants("test setup"):
        return Candidate.objects.get(pk=candidate.pk).stage


def stage_moves(company) -> list[str]:
    with across_tenants("test setup"):
        return list(AuditEntry.objects.filter(company=company, action="candidate.stage_changed")
                    .order_by("created_at", "id").values_list("summary", flat=True))


def add_candidate(job: Job, name: str, stage: str = Stage.APPLIED) -> Candidate:
    with across_tenants("test setup"):
        return Candidate.objects.create(company=job.company, job=job, full_name=name, stage=stage,
                                        email=f"{name.split()[0].lower()}@example.com")


@pytest.fixture
def other_job(acme) -> Job:
    with across_tenants("test setup"):
        return Job.objects.create(company=acme, title="Anvil Tester")


# --- the board ---------------------------------------------------------------------------------------------------


def test_it_shows_the_jobs_candidates_as_cards_per_stage_with_counts(teammate_client, acme_job, acme_candidate,
                                                                     other_job):
    add_candidate(acme_job, "Road Runner", Stage.INTERVIEW)
    add_candidate(acme_job, "Marvin Martian", Stage.INTERVIEW)
    add_candidate(other_job, "Elmer Fudd", Stage.INTERVIEW)  # another job's candidate
    page = teammate_client.get(board_url(acme_job)).content.decode()

    headings = re.findall(r'<h2 class="pipeline-column-title"[^>]*>\s*<span>([^<]+)</span>', page)
    assert headings == ["Applied", "Screening", "Interview", "Offer", "Hired", "Rejected"]
    assert [count_in(page, stage) for stage in Stage.values] == [1, 0, 2, 0, 0, 0]
    assert "Wile E. Coyote" in column_of(page, "applied")
    assert "Road Runner" in column_of(page, "interview") and "Marvin Martian" in column_of(page, "interview")
    assert "Elmer Fudd" not in page
    assert "No candidates" in column_of(page, "offer")
    assert re.search(r"Applied\s*<time[^>]*>today, \d\d:\d\d</time>", column_of(page, "applied"))
    # Each card: the keyboard path (a "Move to" form) and a labelled drag handle.
    card = column_of(page, "applied")
    assert 'aria-label="Move Wile E. Coyote to"' in card and 'aria-label="Drag Wile E. Coyote to another stage"' in card
    assert '<option value="applied">' not in card  # not "move to where it is"
    assert '<option value="screening" selected>Screening</option>' in card  # the next step comes first
    assert '<option value="offer" selected>Offer</option>' in column_of(page, "interview")


def test_it_links_the_board_from_the_job_page_and_the_job_list(teammate_client, acme_job):
    link = f'href="{board_url(acme_job)}"'
    assert link in teammate_client.get(f"/acme/jobs/{acme_job.pk}/").content.decode()
    assert link in teammate_client.get("/acme/jobs/").content.decode()


def test_an_interviewer_sees_the_board_but_cannot_move_anyone(interviewer_client, acme_job, acme_candidate):
    page = interviewer_client.get(board_url(acme_job)).content.decode()
    assert "Wile E. Coyote" in column_of(page, "applied")
    assert "read only" in page
    assert "pipeline-move" not in page and "pipeline-handle" not in page and "pipeline.js" not in page

    response = interviewer_client.post(move_url(acme_job, acme_candidate), {"stage": "interview"})
    assert response.status_code == 403
    assert stage_of(acme_candidate) == Stage.APPLIED and stage_moves(acme_job.company) == []


# --- moving ------------------------------------------------------------------------------------------------------


def test_it_moves_a_candidate_with_the_plain_form_and_records_the_move(teammate_client, teammate, acme_job,
                                                                      acme_candidate):
    response = teammate_client.post(move_url(acme_job, acme_candidate), {"stage": "interview"})
    assert response.status_code == 302
    assert response["Location"] == f"{board_url(acme_job)}#candidate-{acme_candidate.pk}"
    assert stage_of(acme_candidate) == Stage.INTERVIEW

    page = teammate_client.get(response["Location"]).content.decode()
    assert "Wile E. Coyote moved from Applied to Interview." in page  # the message after the reload
    assert "Wile E. Coyote" in column_of(page, "interview") and "Wile E. Coyote" not in column_of(page, "applied")
    assert (count_in(page, "applied"), count_in(page, "interview")) == (0, 1)
    assert re.search(r"Moved here\s*<time", column_of(page, "interview"))

    assert stage_moves(acme_job.company) == ["Terry Teammate moved Wile E. Coyote from Applied to Interview"]
    with across_tenants("test setup"):
        entry = AuditEntry.objects.get(action="candidate.stage_changed")
    assert (entry.actor, entry.target_type, entry.target_id) == (teammate.user, "recruiting.candidate",
                                                                 acme_candidate.pk)
    assert entry.data == {"candidate_id": acme_candidate.pk, "stage": "interview", "previous_stage": "applied",
                          "candidate": "Wile E. Coyote"}


def test_the_admin_reads_the_move_in_the_audit_log(owner_client, teammate_client, acme_job, acme_candidate):
    teammate_client.post(move_url(acme_job, acme_candidate), {"stage": "screening"})
    assert "Terry Teammate moved Wile E. Coyote from Applied to Screening" in \
        owner_client.get("/acme/settings/audit/").content.decode()


def test_a_move_sent_by_htmx_answers_with_the_board_and_announces_the_move(teammate_client, acme_job,
                                                                          acme_candidate):
    response = teammate_client.post(move_url(acme_job, acme_candidate), {"stage": "offer"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<div id="pipeline-board"' in page
    assert "<html" not in page  # only the board, which htmx swaps in
    assert re.search(r'<li class="pipeline-card is-moved" id="candidate-\d+"', column_of(page, "offer"))
    assert (count_in(page, "applied"), count_in(page, "offer")) == (0, 1)
    # Said in the live region, which stays in the page (an out-of-band swap of its text).
    assert '<div id="pipeline-status" hx-swap-oob="innerHTML">Wile E. Coyote moved from Applied to Offer.</div>' \
        in page
    assert stage_of(acme_candidate) == Stage.OFFER


def test_moving_to_the_stage_it_is_in_changes_nothing(teammate_client, acme_job, acme_candidate):
    response = teammate_client.post(move_url(acme_job, acme_candidate), {"stage": "applied"}, follow=True)
    assert "Wile E. Coyote is already in Applied." in response.content.decode()
    assert stage_moves(acme_job.company) == []


@pytest.mark.parametrize("stage", ["", "Interview", "archived", "interview\x00", "<b>offer</b>"])
def test_an_unknown_stage_is_a_form_error_and_nothing_moves(teammate_client, acme_job, acme_candidate, stage):
    response = teammate_client.post(move_url(acme_job, acme_candidate), {"stage": stage})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was moved" in page
    assert re.search(r'id="move-\d+" name="stage" aria-label="Move Wile E. Coyote to" aria-invalid="true"', page)
    assert f'id="move-{acme_candidate.pk}-error">Pick ' in page
    assert stage_of(acme_candidate) == Stage.APPLIED and stage_moves(acme_job.company) == []


def test_a_candidate_of_another_job_is_refused_with_a_reason(teammate_client, acme_job, other_job):
    elmer = add_candidate(other_job, "Elmer Fudd", Stage.SCREENING)
    response = teammate_client.post(move_url(acme_job, elmer), {"stage": "hired"})
    assert response.status_code == 400
    assert ("Nothing was moved: Elmer Fudd applied for Anvil Tester, not for Secret Rocket Engineer."
            in response.content.decode())
    assert stage_of(elmer) == Stage.SCREENING and stage_moves(acme_job.company) == []


def test_a_candidate_without_a_job_is_refused_too(teammate_client, acme, acme_job):
    with across_tenants("test setup"):
        loner = Candidate.objects.create(company=acme, full_name="Lone Ranger", email="lone@example.com")
    response = teammate_client.post(move_url(acme_job, loner), {"stage": "hired"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Lone Ranger has no job, not for Secret Rocket Engineer" in response.content.decode()
    assert stage_of(loner) == Stage.APPLIED


def test_another_companys_job_or_candidate_is_not_found(teammate_client, outsider_client, acme_job, acme_candidate,
                                                        globex):
    with across_tenants("test setup"):
        globex_job = Job.objects.create(company=globex, title="Globex job")
        globex_candidate = Candidate.objects.create(company=globex, job=globex_job, full_name="Hank",
                                                    email="hank@example.com")
    # Another company's ids inside our company's URLs: the same 404 as for ids that do not exist.
    assert teammate_client.get(f"/acme/jobs/{globex_job.pk}/pipeline/").status_code == 404
    assert teammate_client.post(f"/acme/jobs/{globex_job.pk}/pipeline/{globex_candidate.pk}/move/",
                                {"stage": "hired"}).status_code == 404
    assert teammate_client.post(f"/acme/jobs/{acme_job.pk}/pipeline/{globex_candidate.pk}/move/",
                                {"stage": "hired"}).status_code == 404
    assert teammate_client.post(f"/acme/jobs/{globex_job.pk}/pipeline/{acme_candidate.pk}/move/",
                                {"stage": "hired"}).status_code == 404
    # Someone of another company, at our URLs or with our ids under theirs.
    assert outsider_client.get(board_url(acme_job)).status_code == 404
    assert outsider_client.post(move_url(acme_job, acme_candidate), {"stage": "hired"}).status_code == 404
    assert outsider_client.post(f"/globex/jobs/{globex_job.pk}/pipeline/{acme_candidate.pk}/move/",
                                {"stage": "hired"}).status_code == 404
    assert stage_of(acme_candidate) == Stage.APPLIED and stage_of(globex_candidate) == Stage.APPLIED


def test_moving_needs_a_post(teammate_client, acme_job, acme_candidate):
    assert teammate_client.get(move_url(acme_job, acme_candidate) + "?stage=hired").status_code == 405
    assert stage_of(acme_candidate) == Stage.APPLIED


def test_two_tabs_moving_the_same_card_last_one_wins_and_both_are_recorded(teammate_client, owner_client, acme_job,
                                                                          acme_candidate):
    # Both tabs show the card in Applied; each sends its move.
    teammate_client.post(move_url(acme_job, acme_candidate), {"stage": "interview"})
    owner_client.post(move_url(acme_job, acme_candidate), {"stage": "rejected"})
    assert stage_of(acme_candidate) == Stage.REJECTED
    assert stage_moves(acme_job.company) == [
        "Terry Teammate moved Wile E. Coyote from Applied to Interview",
        "Olivia Owner moved Wile E. Coyote from Interview to Rejected",  # from where it really was
    ]


@pytest.mark.django_db(transaction=True)
def test_moves_at_the_same_moment_each_record_the_stage_they_really_left(acme, teammate, owner, acme_job,
                                                                         acme_candidate):
    first_moved, errors = threading.Event(), []

    def move(stage: str, actor, hold: bool) -> None:
        try:
            with scope(company=acme), transaction.atomic():
                candidate = Candidate.objects.get(pk=acme_candidate.pk)  # both read Applied
                if not hold:
                    first_moved.wait(10)
                services.candidate_move(candidate=candidate, stage=stage, actor=actor)
                if hold:
                    first_moved.set()
                    wait_for_lock_waiters(1)  # the other move waits for this one's row lock
        except Exception as error:  # noqa: BLE001  (reported below, in the test's thread)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=move, args=("interview", teammate.user, True)),
               threading.Thread(target=move, args=("offer", owner.user, False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert stage_of(acme_candidate) == Stage.OFFER
    assert stage_moves(acme) == ["Terry Teammate moved Wile E. Coyote from Applied to Interview",
                                 "Olivia Owner moved Wile E. Coyote from Interview to Offer"]


def test_an_edit_of_the_stage_on_the_candidate_form_counts_as_a_move(teammate_client, acme_job, acme_candidate):
    teammate_client.post(f"/acme/candidates/{acme_candidate.pk}/edit/", {
        "full_name": acme_candidate.full_name, "email": acme_candidate.email, "phone": "", "time_zone": "UTC",
        "job": acme_job.pk, "stage": "screening", "notes": "",
    })
    page = teammate_client.get(board_url(acme_job)).content.decode()
    assert re.search(r"Moved here\s*<time", column_of(page, "screening"))


# --- large jobs --------------------------------------------------------------------------------------------------


def fill(job: Job, count: int) -> None:
    """`count` candidates spread over the stages (more in the early ones, as in life), some moved once."""
    spread = [Stage.APPLIED] * 5 + [Stage.SCREENING] * 3 + [Stage.INTERVIEW] * 2 + [Stage.OFFER, Stage.HIRED,
                                                                                      Stage.REJECTED]
    with across_tenants("test setup"):
        candidates = Candidate.objects.bulk_create(
            Candidate(company=job.company, job=job, full_name=f"Candidate {n}", email=f"c{n}@example.com",
                      stage=spread[n % len(spread)])
            for n in range(count)
        )
        AuditEntry.objects.bulk_create(
            AuditEntry(company=job.company, action="candidate.stage_changed", summary="moved",
                       target_type="recruiting.candidate", target_id=candidate.pk)
            for candidate in candidates[::3]
        )


def board_queries(client, job: Job) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(board_url(job))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_board_takes_as_many_queries_for_2000_candidates_as_for_10(teammate_client, acme, acme_job, other_job):
    fill(other_job, 10)
    fill(acme_job, 2000)
    small, _ = board_queries(teammate_client, other_job)
    large, page = board_queries(teammate_client, acme_job)
    assert small == large

    assert [count_in(page, stage) for stage in Stage.values] == [770, 462, 308, 154, 153, 153]
    applied = column_of(page, "applied")
    assert applied.count('<li class="pipeline-card') == pipeline.COLUMN_LIMIT
    more = f'href="/acme/candidates/?job={acme_job.pk}&amp;stage=applied">and {770 - pipeline.COLUMN_LIMIT} more</a>'
    assert more in applied
    # The link leads to exactly those candidates.
    listed = teammate_client.get(f"/acme/candidates/?job={acme_job.pk}&stage=applied").content.decode()
    assert "770 candidates" in listed and "Screening</span>" not in listed


def test_cards_come_most_recently_moved_first(teammate_client, acme_job):
    mover = add_candidate(acme_job, "Old Applicant")  # added first, moved last
    for n in range(3):
        add_candidate(acme_job, f"Newer {n}", Stage.SCREENING)
    teammate_client.post(move_url(acme_job, mover), {"stage": "screening"})
    with scope(company=acme_job.company):
        [_, screening, *_] = pipeline.pipeline_columns(job=acme_job, limit=2)
    assert [card.full_name for card in screening.cards] == ["Old Applicant", "Newer 2"]
    assert (screening.count, screening.more) == (4, 2)


# --- scheduling an interview moves the candidate (the company's setting) ---------------------------------------------


def test_the_settings_stages_are_candidate_stages():
    for value, label in StageOnSchedule.choices:
        assert value == "" or (value in Stage.values and Stage(value).label == label)


@pytest.mark.parametrize(("setting", "before", "after"), [
    ("interview", Stage.APPLIED, Stage.INTERVIEW),
    ("interview", Stage.SCREENING, Stage.INTERVIEW),
    ("screening", Stage.APPLIED, Stage.SCREENING),
])
def test_scheduling_moves_the_candidate_forward(acme, teammate, acme_candidate, setting, before, after):
    acme.stage_on_schedule = setting
    acme.save()
    with scope(company=acme):
        candidate = Candidate.objects.get(pk=acme_candidate.pk)
        candidate.stage = before
        candidate.save()
        preview = pipeline.stage_on_schedule(candidate)
        change = services.candidate_stage_on_schedule(candidate=candidate, actor=teammate.user)
    assert (preview.before, preview.after) == (change.before, change.after) == (before, after)
    assert candidate.stage == stage_of(candidate) == after
    assert stage_moves(acme) == [f"Terry Teammate scheduled an interview and moved Wile E. Coyote from "
                                 f"{Stage(before).label} to {Stage(after).label}"]


@pytest.mark.parametrize(("setting", "stage"), [
    ("interview", Stage.INTERVIEW), ("interview", Stage.OFFER), ("interview", Stage.HIRED),
    ("interview", Stage.REJECTED), ("screening", Stage.INTERVIEW), ("", Stage.APPLIED), ("", Stage.SCREENING),
])
def test_scheduling_never_moves_back_or_out_of_a_decision(acme, teammate, acme_candidate, setting, stage):
    acme.stage_on_schedule = setting
    acme.save()
    with scope(company=acme):
        candidate = Candidate.objects.get(pk=acme_candidate.pk)
        candidate.stage = stage
        candidate.save()
        assert pipeline.stage_on_schedule(candidate) is None
        assert services.candidate_stage_on_schedule(candidate=candidate, actor=teammate.user) is None
    assert stage_of(candidate) == stage and stage_moves(acme) == []


def test_scheduling_reads_the_stage_as_stored_not_as_the_caller_saw_it(acme, teammate, acme_candidate):
    with scope(company=acme):
        stale = Candidate.objects.get(pk=acme_candidate.pk)  # Applied
        services.candidate_move(candidate=Candidate.objects.get(pk=acme_candidate.pk), stage="offer",
                                actor=teammate.user)
        assert services.candidate_stage_on_schedule(candidate=stale, actor=teammate.user) is None
    assert stale.stage == stage_of(acme_candidate) == Stage.OFFER


def test_a_booking_by_the_candidate_is_recorded_without_an_actor(acme, acme_candidate):
    with scope(company=acme):
        change = services.candidate_stage_on_schedule(candidate=acme_candidate, actor=None)
    assert change.describe() == "Wile E. Coyote moved from Applied to Interview."
    assert stage_moves(acme) == ["An interview booked by Wile E. Coyote moved them from Applied to Interview"]
