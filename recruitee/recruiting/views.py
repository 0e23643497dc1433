from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from recruitee.params import parse_id
from recruitee.tenancy.access import require_recruiter

from . import pipeline, selectors, services
from .access import get_candidate_for_member, get_job_for_member
from .forms import CandidateForm, JobForm, PipelineMoveForm
from .models import Candidate, Job
from .selectors import candidate_language


def _search_text(request: HttpRequest) -> str:
    # PostgreSQL text cannot hold NUL; nobody searches for one.
    return request.GET.get("q", "").replace("\x00", "").strip()[:200]


@require_GET
def candidate_list(request: HttpRequest, company_slug: str) -> HttpResponse:
    query = _search_text(request)
    job_id = parse_id(request.GET.get("job"))
    stage = request.GET.get("stage", "") if request.GET.get("stage") in Candidate.Stage.values else ""
    candidates = selectors.candidate_search(company=request.company, query=query, job_id=job_id, stage=stage)
    page = Paginator(candidates, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page, "query": query, "job_id": job_id, "stage": stage,
        "jobs": Job.objects.filter(company=request.company), "stages": Candidate.Stage.choices,
    }
    template = "recruiting/_candidate_rows.html" if request.htmx and request.htmx.target == "results" else \
        "recruiting/candidate_list.html"
    return render(request, template, context)


def candidate_create(request: HttpRequest, company_slug: str) -> HttpResponse:
    require_recruiter(request.membership)
    initial = {}
    if job_id := parse_id(request.GET.get("job")):
        initial["job"] = Job.objects.filter(company=request.company, pk=job_id).first()
    form = CandidateForm(request.POST or None, company=request.company, initial=initial)
    if request.method == "POST" and form.is_valid():
        candidate = services.candidate_create(company=request.company, actor=request.user, **form.cleaned_data)
        messages.success(request, _("%(candidate)s was added.") % {"candidate": candidate.full_name})
        return redirect("recruiting:candidate-detail", company_slug=company_slug, candidate_id=candidate.pk)
    return render(request, "recruiting/candidate_form.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def candidate_detail(request: HttpRequest, company_slug: str, candidate_id: int) -> HttpResponse:
    candidate = get_candidate_for_member(request.membership, candidate_id)
    return render(request, "recruiting/candidate_detail.html", {
        "candidate": candidate, "language": dict(settings.LANGUAGES)[candidate_language(candidate)],
    })


def candidate_edit(request: HttpRequest, company_slug: str, candidate_id: int) -> HttpResponse:
    require_recruiter(request.membership)
    candidate = get_candidate_for_member(request.membership, candidate_id)
    form = CandidateForm(request.POST or None, instance=candidate, company=request.company)
    if request.method == "POST" and form.is_valid():
        services.candidate_update(candidate=candidate, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Changes saved."))
        return redirect("recruiting:candidate-detail", company_slug=company_slug, candidate_id=candidate.pk)
    return render(request, "recruiting/candidate_form.html", {"form": form, "candidate": candidate},
                  status=400 if form.errors else 200)


def candidate_delete(request: HttpRequest, company_slug: str, candidate_id: int) -> HttpResponse:
    require_recruiter(request.membership)
    candidate = get_candidate_for_member(request.membership, candidate_id)
    if request.method == "POST":
        services.candidate_delete(candidate=candidate, actor=request.user)
        messages.success(request, _("%(candidate)s was deleted.") % {"candidate": candidate.full_name})
        return redirect("recruiting:candidate-list", company_slug=company_slug)
    return render(request, "recruiting/confirm_delete.html", {"object": candidate, "kind": "candidate"})


@require_GET
def job_list(request: HttpRequest, company_slug: str) -> HttpResponse:
    query = _search_text(request)
    status = request.GET.get("status", "") if request.GET.get("status") in Job.Status.values else ""
    jobs = selectors.job_list(company=request.company, query=query, status=status)
    page = Paginator(jobs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "recruiting/job_list.html", {
        "page": page, "query": query, "status": status, "statuses": Job.Status.choices,
    })


def job_create(request: HttpRequest, company_slug: str) -> HttpResponse:
    require_recruiter(request.membership)
    form = JobForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = services.job_create(company=request.company, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The job “%(job)s” was created.") % {"job": job.title})
        return redirect("recruiting:job-detail", company_slug=company_slug, job_id=job.pk)
    return render(request, "recruiting/job_form.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def job_detail(request: HttpRequest, company_slug: str, job_id: int) -> HttpResponse:
    job = get_job_for_member(request.membership, job_id)
    candidates = Candidate.objects.filter(company=request.company, job=job)
    page = Paginator(candidates, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "recruiting/job_detail.html", {"job": job, "page": page})


def job_edit(request: HttpRequest, company_slug: str, job_id: int) -> HttpResponse:
    require_recruiter(request.membership)
    job = get_job_for_member(request.membership, job_id)
    form = JobForm(request.POST or None, instance=job)
    if request.method == "POST" and form.is_valid():
        services.job_update(job=job, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Changes saved."))
        return redirect("recruiting:job-detail", company_slug=company_slug, job_id=job.pk)
    return render(request, "recruiting/job_form.html", {"form": form, "job": job}, status=400 if form.errors else 200)


def job_delete(request: HttpRequest, company_slug: str, job_id: int) -> HttpResponse:
    require_recruiter(request.membership)
    job = get_job_for_member(request.membership, job_id)
    if request.method == "POST":
        services.job_delete(job=job, actor=request.user)
        messages.success(request, _("The job “%(job)s” was deleted.") % {"job": job.title})
        return redirect("recruiting:job-list", company_slug=company_slug)
    candidate_count = Candidate.objects.filter(company=request.company, job=job).count()
    return render(request, "recruiting/confirm_delete.html", {
        "object": job, "kind": "job", "candidate_count": candidate_count,
    })


def _pipeline_page(request: HttpRequest, job: Job, *, status: int = 200, announcement: str = "", refusal: str = "",
                   moved: Candidate | None = None, failed: Candidate | None = None,
                   form: PipelineMoveForm | None = None) -> HttpResponse:
    """The board; after a move sent by htmx only the board itself, with what happened for the live region."""
    context = {
        "job": job, "columns": pipeline.pipeline_columns(job=job), "stages": Candidate.Stage.choices,
        "today": timezone.localdate(), "announcement": announcement or refusal, "refusal": refusal,
        "moved_id": moved.pk if moved else None, "failed_id": failed.pk if failed else None,
        "failed_errors": form.errors.get("stage", []) if form is not None else [],
    }
    partial = request.htmx and request.method == "POST"
    template = "recruiting/_pipeline_board.html" if partial else "recruiting/job_pipeline.html"
    return render(request, template, context, status=status)


@require_GET
def job_pipeline(request: HttpRequest, company_slug: str, job_id: int) -> HttpResponse:
    job = get_job_for_member(request.membership, job_id)
    return _pipeline_page(request, job)


@require_POST
def job_pipeline_move(request: HttpRequest, company_slug: str, job_id: int, candidate_id: int) -> HttpResponse:
    require_recruiter(request.membership)
    job = get_job_for_member(request.membership, job_id)
    candidate = get_candidate_for_member(request.membership, candidate_id)
    if candidate.job_id != job.pk:
        names = {"candidate": candidate.full_name, "job": job.title}
        if candidate.job:
            refusal = _("Nothing was moved: %(candidate)s applied for %(their_job)s, not for %(job)s. Move them on "
                        "their own job's pipeline or change their job on their page.") % {
                **names, "their_job": candidate.job.title}
        else:
            refusal = _("Nothing was moved: %(candidate)s has no job, not for %(job)s. Move them on their own job's "
                        "pipeline or change their job on their page.") % names
        return _pipeline_page(request, job, status=400, refusal=refusal)
    form = PipelineMoveForm(request.POST)
    if not form.is_valid():
        return _pipeline_page(request, job, status=400, failed=candidate, form=form,
                              refusal=_("Nothing was moved: %(reason)s") % {"reason": form.errors["stage"][0]})
    change = services.candidate_move(candidate=candidate, stage=form.cleaned_data["stage"], actor=request.user)
    done = change.describe() if change else _("%(candidate)s is already in %(stage)s.") % {
        "candidate": candidate, "stage": candidate.get_stage_display()}
    if request.htmx:
        return _pipeline_page(request, job, announcement=done, moved=candidate)
    messages.success(request, done)
    board = reverse("recruiting:job-pipeline", kwargs={"company_slug": company_slug, "job_id": job.pk})
    return redirect(f"{board}#candidate-{candidate.pk}")
