"""Reads of jobs and candidates that views share."""

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower

from recruitee.tenancy.models import Company

from .models import Candidate, CandidateListing, Job


def candidate_search(*, company: Company, query: str = "", job_id: int | None = None, stage: str = "") -> QuerySet:
    candidates = Candidate.objects.filter(company=company).select_related("job")
    if terms := query.split():
        # Each word anywhere in the name, the email or the phone. The words are looked for in the listing view
        # (CandidateListing: how a search reaches the trigram indexes under row-level security), the rows read from
        # the table; tests/recruiting/test_candidate_search.py checks the plan uses the indexes.
        matching = CandidateListing.objects.filter(company=company)
        for term in terms:
            matching = matching.filter(
                Q(full_name__icontains=term) | Q(email__icontains=term) | Q(phone__icontains=term)
            )
        candidates = candidates.filter(pk__in=matching.values("pk"))
    if job_id:
        candidates = candidates.filter(job_id=job_id)
    if stage:
        candidates = candidates.filter(stage=stage)
    return candidates


def job_list(*, company: Company, query: str = "", status: str = "") -> QuerySet:
    # Meta.ordering does not apply to aggregating queries, so order explicitly.
    jobs = (
        Job.objects.filter(company=company)
        .annotate(candidate_count=Count("candidates"))
        .order_by("status", Lower("title"), "pk")
    )
    for term in query.split():
        jobs = jobs.filter(Q(title__icontains=term) | Q(department__icontains=term) | Q(location__icontains=term))
    if status:
        jobs = jobs.filter(status=status)
    return jobs


def candidate_language(candidate: Candidate) -> str:
    """The language to write to this candidate in ("en", "de"): their own, else their company's default.

    Always one of settings.LANGUAGES, even for a value stored before a language was dropped from the list.
    """
    languages = dict(settings.LANGUAGES)
    for language in (candidate.language, candidate.company.default_language):
        if language in languages:
            return language
    return settings.LANGUAGE_CODE
