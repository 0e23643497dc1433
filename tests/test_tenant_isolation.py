"""Nobody outside a company reaches its data, through any URL the project serves.

The probe walks the URL resolver (tests/probe.py), so a view added tomorrow is probed too, and a URL argument the
probe cannot fill makes it fail instead of skipping the view.
"""

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.urls import URLResolver, path
from django.urls.resolvers import RegexPattern
from django_scopes import scopes_disabled

from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Membership
from tests.conftest import client_for
from tests.probe import (
    EXCLUDED_NAMESPACES,
    EXCLUDED_URLCONFS,
    CompanyObjects,
    ProbeSetupError,
    leaked,
    normalized,
    probe_as_outsider,
    probe_logged_out,
    probe_settings,  # noqa: F401  (a fixture, used through pytestmark)
    project_endpoints,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("probe_settings")]


@pytest.fixture
def acme_objects(acme, owner, teammate) -> CompanyObjects:
    objects = CompanyObjects(acme, actor=owner.user)
    objects.secrets.add(teammate.user.email)
    return objects


@pytest.fixture
def endpoints():
    return project_endpoints()


def test_it_walks_every_url_of_the_project_but_admin_and_allauth(endpoints):
    names = {e.name for e in endpoints}
    # A sample of what must be there: if the walker lost a subtree, this notices.
    assert {
        "home", "profile", "company-create", "company-home", "recruiting:candidate-detail", "recruiting:job-edit",
        "tenancy:membership-role", "tenancy:invitation-accept", "tenancy:settings", "ops:ping-detail",
    } <= names
    routes = [e.route for e in endpoints]
    assert not [r for r in routes if r.startswith("admin/")], EXCLUDED_NAMESPACES["admin"]
    assert "accounts/login/" not in routes and "accounts/signup/" not in routes, EXCLUDED_URLCONFS["allauth.urls"]
    assert "accounts/profile/" in routes, "our own view under /accounts/ is probed"
    company_urls = [e for e in endpoints if e.is_company]
    assert len(company_urls) >= 20
    # @company_public is seen through the decorators, so public pages get the public-page checks.
    assert "tenancy:invitation-accept" in {e.name for e in endpoints if e.is_public}


def test_it_answers_an_outsider_with_the_same_404_as_for_an_unknown_company(outsider_client, endpoints, acme_objects):
    report = probe_as_outsider(outsider_client, endpoints, acme_objects, own_slug="globex")
    assert report.failures == []
    # Every company URL twice (GET, POST) under acme plus the reference, and again with the outsider's own slug.
    assert report.requests >= 4 * len([e for e in endpoints if e.is_company])


def test_it_sends_logged_out_visitors_to_the_login_page_everywhere_but_public_pages(endpoints, acme_objects):
    report = probe_logged_out(Client(), endpoints, acme_objects)
    assert report.failures == []


def test_it_shows_an_invitation_link_to_its_holder_without_other_company_data(acme_objects):
    token = acme_objects.value("token")
    acme_objects.value("candidate_id")
    page = Client().get(f"/acme/join/{token}/")
    assert page.status_code == 200
    assert "Join Acme Inc." in page.content.decode()
    assert leaked(page, acme_objects.secrets - acme_objects.shown_with_token) == []

    # The same link under another company's address is as dead as a forged one.
    outsider_view = Client().get(f"/globex/join/{token}/")
    forged = Client().get("/globex/join/forged-token/")
    assert outsider_view.status_code == forged.status_code == 404
    assert normalized(outsider_view) == normalized(forged)
    assert leaked(outsider_view, acme_objects.secrets) == []


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_it_answers_a_guessed_invitation_link_like_one_for_an_unknown_company(who, outsider, acme_objects):
    visitor = client_for(outsider) if who == "outsider" else Client()
    guessed = visitor.get("/acme/join/guessed-token/")
    unknown = visitor.get("/no-such-company/join/guessed-token/")
    assert leaked(guessed, acme_objects.secrets) == []
    assert guessed.status_code == unknown.status_code == 404
    assert normalized(guessed) == normalized(unknown)


def careless_candidate_helper(switch_off):
    """A get_candidate_for_member that looks rows up by id alone, with the tenant filter switched off by
    `switch_off`."""

    def careless_get_candidate_for_member(member, candidate_id):
        with switch_off():
            candidate = Candidate.objects.select_related("job").filter(pk=candidate_id).first()
        if candidate is None:
            raise Http404
        return candidate

    return careless_get_candidate_for_member


# Outside a test transaction: a write the database refuses must not spoil the requests after it.
@pytest.mark.django_db(transaction=True)
def test_it_catches_a_fetch_helper_that_forgets_the_company(monkeypatch, outsider_client, endpoints, acme_objects):
    """The probe can fail: a candidate helper that looks rows up by id alone, across tenants (the one way past the
    database's wall too), leaks acme's candidate to globex."""
    import recruitee.recruiting.views

    helper = careless_candidate_helper(lambda: across_tenants("a careless helper"))
    monkeypatch.setattr(recruitee.recruiting.views, "get_candidate_for_member", helper)
    outsider_client.raise_request_exception = False  # a write the database refuses is a 500, and a finding
    report = probe_as_outsider(outsider_client, endpoints, acme_objects, own_slug="globex")

    candidate_id = acme_objects.value("candidate_id")
    failures = "\n".join(report.failures)
    assert f"GET /globex/candidates/{candidate_id}/ [recruiting:candidate-detail]: status 200" in failures
    assert "Wile E. Coyote" in failures
    with across_tenants("test setup"):
        still_there = Candidate.objects.filter(pk=candidate_id).exists()
    if connection.vendor == "postgresql":
        # The writes behind the leaked pages run in globex's scope: the database refused them.
        assert still_there and "acme's data changed" not in failures
    else:
        assert not still_there and "acme's data changed" in failures  # the POST to candidate-delete went through


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database's tenant wall is PostgreSQL's")
def test_a_view_with_the_scopes_switched_off_still_sees_nothing_of_another_company(
    monkeypatch, outsider_client, endpoints, acme_objects
):
    """The deliberately broken view of issue 16: the same careless helper with only django-scopes switched off. The
    database still admits nothing but globex's rows to globex's requests, so the probe finds no leak."""
    import recruitee.recruiting.views

    monkeypatch.setattr(recruitee.recruiting.views, "get_candidate_for_member",
                        careless_candidate_helper(scopes_disabled))
    report = probe_as_outsider(outsider_client, endpoints, acme_objects, own_slug="globex")
    assert report.failures == []
    with across_tenants("test setup"):
        assert Candidate.objects.filter(pk=acme_objects.value("candidate_id")).exists()


def test_it_catches_a_middleware_that_forgets_the_membership_check(
    monkeypatch, outsider_client, endpoints, acme_objects
):
    """The probe can fail: a membership lookup that ignores the user lets any signed-in person into any company."""
    import recruitee.tenancy.middleware

    class AnyMembership:
        class objects:  # noqa: N801 - stands in for Membership.objects
            @staticmethod
            def filter(**lookups):
                return Membership.objects.all()  # forgot user=request.user; the scope still limits it to acme

    monkeypatch.setattr(recruitee.tenancy.middleware, "Membership", AnyMembership)
    report = probe_as_outsider(outsider_client, endpoints, acme_objects, own_slug="globex")

    failures = "\n".join(report.failures)
    assert "GET /acme/candidates/ [recruiting:candidate-list]: status 200, expected 404" in failures
    assert "Acme Inc." in failures
    assert "acme's data changed" in failures


def test_it_fails_loudly_on_a_url_argument_it_cannot_fill(acme_objects):
    """A new view with an argument the probe has no factory for stops the probe instead of being skipped."""

    def widget_detail(request, company_slug, widget_id):  # pragma: no cover - never called
        raise AssertionError

    resolver = URLResolver(RegexPattern(r"^/"), [path("<slug:company_slug>/widgets/<int:widget_id>/", widget_detail)])
    [endpoint] = project_endpoints(resolver)
    with pytest.raises(ProbeSetupError, match="<widget_id>.*Add a factory"):
        acme_objects.values_for(endpoint)


def test_it_refuses_regex_patterns_it_cannot_build_urls_for():
    from django.urls import re_path

    resolver = URLResolver(RegexPattern(r"^/"), [re_path(r"^(?P<company_slug>[a-z]+)/x/$", lambda r: None)])
    with pytest.raises(ProbeSetupError, match="regex pattern"):
        project_endpoints(resolver)
