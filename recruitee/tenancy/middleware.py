"""Resolve the company from the URL, check membership and open the tenant scope for the whole request."""

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.views.defaults import page_not_found
from django_scopes import scope

from .models import Company, Membership

# Views that people who are not (yet) members may open, e.g. the page that accepts an invitation.
PUBLIC_ATTRIBUTE = "company_public"


def company_public(view: Callable) -> Callable:
    setattr(view, PUBLIC_ATTRIBUTE, True)
    return view


class CompanyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.company = None
        request.membership = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        slug = match.kwargs.get("company_slug")
        if slug is None:
            return self.get_response(request)

        public = getattr(match.func, PUBLIC_ATTRIBUTE, False)
        if not public and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())

        company = Company.objects.filter(slug=slug).first()
        if company is None:
            return self._not_found(request)
        with scope(company=company):
            membership = None
            if request.user.is_authenticated:
                membership = Membership.objects.filter(user=request.user).select_related("company").first()
            if membership is None and not public:
                # The same answer as for a company that does not exist: nothing about it leaks.
                return self._not_found(request)
            request.company = company
            request.membership = membership
            return self.get_response(request)

    @staticmethod
    def _not_found(request: HttpRequest) -> HttpResponse:
        return page_not_found(request, Http404())
