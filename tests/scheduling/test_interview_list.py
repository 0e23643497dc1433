"""The Interviews page: mine or everyone's, upcoming, past, cancelled or awaiting booking, by job, interviewer and
candidate, searched, paged with the filters kept, for the member's company only, at a constant number of queries."""

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from recruitee.recruiting.models import Job
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Membership, Role
from scheduling import interview_list
from scheduling.models import Participant, SchedulingRequest
from tests.conftest import analyze, client_for, make_member

from .home_data import bulk_interviews, candidate, interview, live_in, noon_zone, scheduling_link, sections

pytestmark = pytest.mark.django_db


def in_hours(hours: float):
    return timezone.now() + timedelta(hours=hours)


def listing(client, **params):
    response = client.get("/acme/interviews/", params)
    assert response.status_code == 200
    return response


def titles(response) -> list[str]:
    """The interview titles of the page's rows, in order."""
    rows = response.context["rows"]
    return [row.interview.title for row in rows] if response.context["filters"].when != "awaiting" else \
        [row.request.title for row in rows]


@pytest.fixture
def team(owner, teammate, interviewer, acme_candidate, acme_job):
    """Interviews of the teammate and of the owner, past, upcoming and cancelled, with two candidates and jobs."""
    with across_tenants("test setup"):
        design = Job.objects.create(company=acme_job.company, title="Product Designer")
    grace = candidate(acme_job.company, "Grace Hopper", "grace@navy.test", job=design)
    interview(teammate, acme_candidate, start=in_hours(2), title="Rocket screen", interviewers=[interviewer])
    interview(teammate, grace, start=in_hours(26), title="Design review", interviewers=[owner])
    interview(teammate, acme_candidate, start=in_hours(-48), title="First call")
    interview(teammate, grace, start=in_hours(5), title="Called off", status="cancelled")
    interview(owner, grace, start=in_hours(3), title="Owner's portfolio talk", interviewers=[interviewer])
    interview(owner, acme_candidate, start=in_hours(4), title="Owner's panel", interviewers=[teammate])
    return {"design": design, "grace": grace}


def test_a_recruiter_starts_on_their_own_upcoming_interviews_soonest_first(teammate_client, team):
    assert titles(listing(teammate_client)) == ["Rocket screen", "Owner's panel", "Design review"]


def test_everyone_shows_the_whole_companys_interviews(teammate_client, team):
    assert titles(listing(teammate_client, who="everyone")) == [
        "Rocket screen", "Owner's portfolio talk", "Owner's panel", "Design review"]


def test_past_and_cancelled_are_their_own_tabs_latest_first(teammate_client, team, teammate, acme_candidate):
    interview(teammate, acme_candidate, start=in_hours(-200), title="Long ago")
    assert titles(listing(teammate_client, when="past")) == ["First call", "Long ago"]
    assert titles(listing(teammate_client, when="cancelled")) == ["Called off"]


def test_an_interviewer_only_ever_sees_the_interviews_they_take_part_in(interviewer_client, team):
    assert titles(listing(interviewer_client)) == ["Rocket screen", "Owner's portfolio talk"]
    # Asking for everyone's, another interviewer's or the scheduling links changes nothing.
    assert titles(listing(interviewer_client, who="everyone")) == ["Rocket screen", "Owner's portfolio talk"]
    assert titles(listing(interviewer_client, when="awaiting")) == ["Rocket screen", "Owner's portfolio talk"]
    page = listing(interviewer_client, interviewer=team["grace"].pk).content.decode()
    assert "Everyone" not in page and "Awaiting booking" not in page and 'name="interviewer"' not in page


def test_it_filters_by_job_interviewer_and_candidate(teammate_client, team, interviewer, owner, acme_candidate):
    assert titles(listing(teammate_client, who="everyone", job=team["design"].pk)) == [
        "Owner's portfolio talk", "Design review"]
    assert titles(listing(teammate_client, who="everyone", interviewer=interviewer.pk)) == [
        "Rocket screen", "Owner's portfolio talk"]
    assert titles(listing(teammate_client, who="everyone", interviewer=owner.pk)) == ["Design review"]
    response = listing(teammate_client, who="everyone", candidate=acme_candidate.pk)
    assert titles(response) == ["Rocket screen", "Owner's panel"]
    [chip] = sections(response, "candidate-chip")
    assert chip["text"].startswith("Only Wile E. Coyote")
    assert parse_qs(urlsplit(chip["links"][0]).query) == {"who": ["everyone"]}


def test_it_searches_candidate_name_email_and_title(teammate_client, team):
    assert titles(listing(teammate_client, who="everyone", q="hopper")) == [
        "Owner's portfolio talk", "Design review"]
    assert titles(listing(teammate_client, who="everyone", q="NAVY.test")) == [
        "Owner's portfolio talk", "Design review"]
    assert titles(listing(teammate_client, who="everyone", q="panel")) == ["Owner's panel"]
    assert titles(listing(teammate_client, who="everyone", q="grace review")) == ["Design review"]
    nothing = listing(teammate_client, who="everyone", q="nobody like this")
    assert "Nothing matches these filters." in sections(nothing, "no-match")[0]["text"]


def test_a_word_in_many_interviews_finds_the_same_rows_as_a_rare_one(teammate_client, team, monkeypatch):
    """Past FEW_MATCHES interviews a word is checked on each row instead of looked up by id: the same rows."""
    searches = ["hopper", "NAVY.test", "grace review", "panel", "owner's", "nobody"]
    looked_up = {q: titles(listing(teammate_client, who="everyone", q=q)) for q in searches}
    assert looked_up["owner's"] == ["Owner's portfolio talk", "Owner's panel"]
    monkeypatch.setattr(interview_list, "FEW_MATCHES", 1)  # a word in two interviews is now a common one
    assert {q: titles(listing(teammate_client, who="everyone", q=q)) for q in searches} == looked_up


def explain(sql: str, company) -> str:
    with scope(company=company), connection.cursor() as cursor:  # as the page asked
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(line for (line,) in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
def test_a_rare_word_is_looked_up_through_indexes_never_by_reading_every_interview(
    teammate_client, teammate, interviewer, acme_candidate, acme_job
):
    bulk_interviews(teammate, acme_candidate, interviewer, 5000, job=acme_job)
    grace = candidate(acme_job.company, "Grace Hopper", "grace@navy.test")
    interview(teammate, grace, start=in_hours(-30), title="Design review")
    analyze("scheduling_interview", "recruiting_candidate")

    with CaptureQueriesContext(connection) as captured:
        for word in ("hopper", "review"):  # the candidate's name, the title
            assert titles(listing(teammate_client, who="everyone", when="past", q=word)) == ["Design review"]
    reads = [query["sql"] for query in captured if '"scheduling_interview' in query["sql"]]
    plans = [explain(sql, acme_job.company) for sql in reads]
    assert not [plan for plan in plans if "Seq Scan on scheduling_interview" in plan]
    # The title through its trigram index; the candidates found (tests/recruiting/test_candidate_search.py shows
    # their indexes at work), their interviews through the candidate's index.
    lookups = "\n".join(plan for sql, plan in zip(reads, plans, strict=True) if "LIKE" in sql)
    assert "scheduling_interview_title_trgm" in lookups and "scheduling_interview_candidate_id" in lookups, lookups


def test_each_row_shows_when_candidate_job_interviewers_with_answers_and_status(
    teammate_client, teammate, interviewer, owner, acme_candidate
):
    live_in(teammate, noon_zone())
    interview(teammate, acme_candidate, start=in_hours(1), title="Tech screen", interviewers=[interviewer, owner],
              answers={interviewer: Participant.Response.ACCEPTED, owner: Participant.Response.DECLINED,
                       "candidate": Participant.Response.ACCEPTED})
    [row] = sections(listing(teammate_client), "interview-row")
    text = row["text"]
    assert text.startswith("Today ")
    assert "Wile E. Coyote Accepted Tech screen" in text
    assert "Secret Rocket Engineer" in text
    assert "Ivan Interviewer Accepted" in text and "Olivia Owner Declined" in text
    assert text.endswith("Scheduled")


def test_an_interview_booked_through_a_scheduling_link_says_so(teammate_client, teammate, acme_candidate):
    booked = interview(teammate, acme_candidate, start=in_hours(30), title="Booked one")
    interview(teammate, acme_candidate, start=in_hours(31), title="Scheduled by hand")
    scheduling_link(teammate, acme_candidate, last_day=date.today() + timedelta(days=3),
                    status=SchedulingRequest.Status.BOOKED, booked=booked)
    rows = sections(listing(teammate_client), "interview-row")
    assert "Booked by the candidate" in rows[0]["text"]
    assert "Booked by the candidate" not in rows[1]["text"]


def test_awaiting_booking_lists_the_links_nobody_booked_yet(teammate_client, teammate, owner, acme_candidate):
    today = date.today()
    scheduling_link(teammate, acme_candidate, last_day=today + timedelta(days=5), title="Mine, sent")
    scheduling_link(teammate, acme_candidate, last_day=today - timedelta(days=2), title="Mine, expired",
                    status=SchedulingRequest.Status.OPENED)
    scheduling_link(teammate, acme_candidate, last_day=today + timedelta(days=5), title="Mine, withdrawn",
                    status=SchedulingRequest.Status.WITHDRAWN)
    scheduling_link(owner, acme_candidate, last_day=today + timedelta(days=5), title="The owner's")
    response = listing(teammate_client, when="awaiting")
    assert sorted(titles(response)) == ["Mine, expired", "Mine, sent"]
    rows = {row["text"] for row in sections(response, "awaiting-row")}
    assert any("Mine, expired" in text and "Expired" in text and "Resend or withdraw" in text for text in rows)
    assert any("Mine, sent" in text and "Link sent" in text for text in rows)
    assert sorted(titles(listing(teammate_client, when="awaiting", who="everyone"))) == [
        "Mine, expired", "Mine, sent", "The owner's"]


def test_pages_keep_the_filters(teammate_client, teammate, acme_candidate, acme_job):
    for n in range(30):
        interview(teammate, acme_candidate, start=in_hours(1 + n), title=f"Round {n:02}")
    interview(teammate, acme_candidate, start=in_hours(0.5), title="Other thing")
    first = listing(teammate_client, q="round", job=acme_job.pk)
    assert titles(first) == [f"Round {n:02}" for n in range(25)]
    page = first.content.decode()
    assert "30 interviews" in page
    assert f'href="?q=round&amp;job={acme_job.pk}&amp;page=2">Next</a>' in page
    second = listing(teammate_client, q="round", job=acme_job.pk, page=2)
    assert titles(second) == [f"Round {n:02}" for n in range(25, 30)]


def test_the_filters_work_without_javascript_as_a_plain_get_form(teammate_client, team):
    page = listing(teammate_client, who="everyone", when="past").content.decode()
    start = page.index('<form class="row g-2 mb-3" method="get"')
    form = page[start:page.index("</form>", start)]
    for name in ('name="q"', 'name="job"', 'name="interviewer"', 'name="who" value="everyone"',
                 'name="when" value="past"'):
        assert name in form
    assert 'type="submit"' in form


def test_htmx_gets_only_the_results(teammate_client, team):
    response = teammate_client.get("/acme/interviews/", {"q": "rocket"}, HTTP_HX_REQUEST="true",
                                   HTTP_HX_TARGET="results")
    assert response.status_code == 200
    assert "<nav" not in response.content.decode().split("interview-table")[0]
    assert titles(response) == ["Rocket screen"]


@pytest.mark.parametrize("params", [
    {"page": "abc"}, {"page": "-1"}, {"page": "99999999999999999999999"}, {"job": "x"}, {"job": "²"},
    {"interviewer": "99999999999999999999"}, {"candidate": "1e3"}, {"when": "tomorrow"}, {"who": "<script>"},
    {"q": "a\x00b"}, {"q": "x" * 5000},
])
def test_odd_addresses_still_show_a_page(teammate_client, team, params):
    assert teammate_client.get("/acme/interviews/", params).status_code == 200


def test_it_never_shows_another_companys_interviews_or_links(teammate, globex, acme_candidate):
    """Even asked for by the other company's ids, as someone who is a member of both."""
    with across_tenants("test setup"):
        elsewhere = Membership.objects.create(company=globex, user=teammate.user, role=Role.ADMIN)
        their_job = Job.objects.create(company=globex, title="Globex job")
    hank = candidate(globex, "Hank Scorpio", job=their_job)
    colleague = make_member(globex, "colleague@globex.test", Role.INTERVIEWER)
    interview(elsewhere, hank, start=in_hours(2), title="Globex chat", interviewers=[colleague])
    scheduling_link(elsewhere, hank, last_day=date.today() + timedelta(days=3), title="Globex link")
    interview(teammate, acme_candidate, start=in_hours(3), title="Acme chat")
    client = client_for(teammate)
    for params in ({}, {"who": "everyone"}, {"who": "everyone", "job": their_job.pk},
                   {"who": "everyone", "candidate": hank.pk}, {"who": "everyone", "interviewer": colleague.pk},
                   {"who": "everyone", "when": "awaiting"}, {"who": "everyone", "q": "globex"}):
        page = listing(client, **params).content.decode()
        assert not [secret for secret in ("Globex chat", "Globex link", "Globex job", "Hank Scorpio")
                    if secret in page], params
    assert titles(listing(client, who="everyone")) == ["Acme chat"]
    assert "Globex chat" in client.get("/globex/interviews/", {"who": "everyone"}).content.decode()


def test_an_outsider_finds_no_interview_list(outsider_client, team):
    assert outsider_client.get("/acme/interviews/").status_code == 404


# ---- cost ------------------------------------------------------------------------------------------------------

def _list_queries(client, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/acme/interviews/", params)
    assert response.status_code == 200
    assert response.context["rows"], params
    return len(captured)


QUERIES = [
    {}, {"who": "everyone"}, {"who": "everyone", "when": "past", "page": "2"}, {"when": "cancelled"},
    {"who": "everyone", "q": "interview 7"}, {"job": "JOB", "interviewer": "INTERVIEWER"},
    {"candidate": "CANDIDATE", "when": "past"}, {"when": "awaiting", "who": "everyone"},
]


def test_the_list_costs_the_same_queries_with_10_or_10000_interviews(
    settings, teammate, interviewer, acme_candidate, acme_job
):
    settings.PAGE_SIZE = 3  # so that ten interviews have a second page too
    live_in(teammate, noon_zone())
    client = client_for(teammate)
    values = {"JOB": str(acme_job.pk), "INTERVIEWER": str(interviewer.pk), "CANDIDATE": str(acme_candidate.pk)}
    queries = [{key: values.get(value, value) for key, value in params.items()} for params in QUERIES]
    scheduling_link(teammate, acme_candidate, last_day=date.today() + timedelta(days=3))
    bulk_interviews(teammate, acme_candidate, interviewer, 10, job=acme_job)
    few = [_list_queries(client, params) for params in queries]
    bulk_interviews(teammate, acme_candidate, interviewer, 10_000, job=acme_job)
    for _n in range(30):
        scheduling_link(teammate, acme_candidate, last_day=date.today() + timedelta(days=3))
    assert [_list_queries(client, params) for params in queries] == few
    assert max(few) <= 16


def test_the_pager_counts_the_first_thousand_matches_it_finds_in_any_order(
    teammate_client, teammate, interviewer, acme_candidate
):
    """Past 1,000 the page says "1,000+"; to know that, the count asks for no order, so PostgreSQL may stop at the
    limit wherever matches come fastest instead of sorting every one (an interviewer's past among all the company's)."""
    bulk_interviews(teammate, acme_candidate, interviewer, 3200)  # 1,067 of them past and held
    with CaptureQueriesContext(connection) as captured:
        page = listing(teammate_client, who="everyone", when="past", interviewer=interviewer.pk)
    assert "1,000+ interviews — add a word or a filter to see fewer." in page.content.decode()
    [count] = [query["sql"] for query in captured
               if "COUNT(" in query["sql"] and "scheduling_interview" in query["sql"]]
    assert "ORDER BY" not in count


def test_a_search_of_many_words_costs_the_queries_of_three(teammate_client, team, monkeypatch):
    monkeypatch.setattr(interview_list, "FEW_MATCHES", 0)  # every word a common one, so each could be looked up
    three = {"who": "everyone", "q": "design review grace"}
    many = {"who": "everyone", "q": "design review grace hopper navy.test GRACE Hopper DESIGN esi evi rac opp avy gr"}
    assert titles(listing(teammate_client, **three)) == titles(listing(teammate_client, **many)) == ["Design review"]
    assert _list_queries(teammate_client, many) == _list_queries(teammate_client, three)
