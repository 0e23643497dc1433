"""Wrong input gets a clear message on the same form, never a server error, and never a half-written row.

The test client skips CSRF checks, so the garbage reaches the views themselves.
"""

import itertools
import random
import re
from functools import partial
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client

from recruitee.accounts.models import User
from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Company, Invitation, Membership, Role
from recruitee.tenancy.services import invitation_token
from tests.conftest import PASSWORD, client_for
from tests.probe import (
    DATE_LIKE_INPUTS,
    CompanyObjects,
    HtmxGet,
    PageForm,
    date_like_form_fields,
    page_forms,
    probe_settings,  # noqa: F401  (a fixture, used through pytestmark)
    project_endpoints,
    visible_text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("probe_settings")]


UNKNOWN_ZONE = "Mars/Olympus_Mons"
UNKNOWN_ZONE_MESSAGE = f"Select a valid choice. {UNKNOWN_ZONE} is not one of the available choices."
REQUIRED = "This field is required."
BAD_EMAIL = "Enter a valid email address."
LINE_BREAK = "Line breaks and control characters are not allowed here."


def too_long(limit: int) -> tuple[str, str]:
    return "y" * (limit + 1), f"Ensure this value has at most {limit} characters (it has {limit + 1})."


_FIELD_BLOCK = re.compile(r'<div class="mb-3">(.*?)(?=<div class="mb-3">|</form>)', re.S)
_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"')
_ERROR = re.compile(r'<div class="invalid-feedback d-block">(.*?)</div>', re.S)
_ALERT = re.compile(r'<div class="alert alert-danger[^"]*" role="alert">(.*?)</div>\s*(?:</div>)?', re.S)


def errors_on_page(response) -> dict[str, list[str]]:
    """The messages the page shows, per field name; form-wide ones and flash errors under "__all__"."""
    text = visible_text(response)
    found: dict[str, list[str]] = {}
    for block in _FIELD_BLOCK.findall(text):
        name = _NAME.search(block)
        messages = [m.strip() for m in _ERROR.findall(block)]
        if name and messages:
            found.setdefault(name.group(1), []).extend(messages)
    for alert in _ALERT.findall(text):
        found.setdefault("__all__", []).append(re.sub(r"<[^>]+>", " ", alert).strip())
    return found


def assert_rejected(response, expected: dict[str, str]) -> None:
    """The form came back (200 or 400) and shows each expected message next to its field."""
    assert response.status_code in (200, 400), f"status {response.status_code}, expected the form again"
    shown = errors_on_page(response)
    for field, message in expected.items():
        assert any(message in m for m in shown.get(field, [])), f"{field!r} should say {message!r}; page says {shown}"
    # The fields say what is wrong, visibly and to screen readers.
    for field in expected:
        if field != "__all__":
            assert re.search(rf'name="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*name="{field}"|'
                             rf'class="[^"]*is-invalid[^"]*"[^>]*name="{field}"', visible_text(response)), field


# --- sign-up and new company -----------------------------------------------------------------------------------

SIGNUP = {
    "email": "founder@newco.test", "full_name": "Frida Founder", "company_name": "NewCo GmbH",
    "company_slug": "newco", "time_zone": "Europe/Vienna", "password1": PASSWORD, "password2": PASSWORD,
}


@pytest.fixture
def no_rate_limits(settings):
    # allauth limits sign-ups per IP; these tests send many from one test client.
    settings.ACCOUNT_RATE_LIMITS = False


def test_it_signs_up_with_valid_data_so_the_rejections_below_are_about_their_one_mistake(client, no_rate_limits):
    assert client.post("/accounts/signup/", SIGNUP).status_code == 302
    assert Company.objects.filter(slug="newco").exists()


SIGNUP_MISTAKES = {
    "empty": ({key: "" for key in SIGNUP}, {
        "email": REQUIRED, "full_name": REQUIRED, "company_name": REQUIRED, "company_slug": REQUIRED,
        "password1": REQUIRED, "time_zone": REQUIRED,
    }),
    "too long name": ({"full_name": too_long(150)[0]}, {"full_name": too_long(150)[1]}),
    "too long company name": ({"company_name": too_long(120)[0]}, {"company_name": too_long(120)[1]}),
    "too long slug": ({"company_slug": "a" * 51}, {"company_slug": "at most 50 characters"}),
    "malformed email": ({"email": "founder-at-newco"}, {"email": BAD_EMAIL}),
    "unknown time zone": ({"time_zone": UNKNOWN_ZONE}, {"time_zone": UNKNOWN_ZONE_MESSAGE}),
    "taken slug": ({"company_slug": "acme"}, {"company_slug": "This address is already taken."}),
    "reserved slug": ({"company_slug": "accounts"}, {"company_slug": "This address is reserved. Pick another one."}),
    "malformed slug": ({"company_slug": "-new co-"}, {"company_slug": "Enter a valid “slug”"}),
    "line break in company name": ({"company_name": "NewCo\r\nBcc: x@evil.test"}, {"company_name": LINE_BREAK}),
    "different passwords": ({"password2": PASSWORD + "!"}, {"password2": "You must type the same password each time."}),
    "short password": ({"password1": "short", "password2": "short"}, {"password1": "This password is too short."}),
}


@pytest.mark.parametrize("case", SIGNUP_MISTAKES, ids=list(SIGNUP_MISTAKES))
def test_it_explains_each_sign_up_mistake_and_creates_nothing(client, acme, no_rate_limits, case):
    changes, expected = SIGNUP_MISTAKES[case]
    response = client.post("/accounts/signup/", {**SIGNUP, **changes})
    assert_rejected(response, expected)
    assert not User.objects.exists()
    assert list(Company.objects.values_list("slug", flat=True)) == ["acme"]


def test_it_refuses_an_email_address_longer_than_the_column_on_sign_up(client, no_rate_limits):
    response = client.post("/accounts/signup/", {**SIGNUP, "email": "a" * 250 + "@example.com"})
    assert_rejected(response, {"email": "254"})
    assert not User.objects.exists()


COMPANY_MISTAKES = {
    "empty": ({"name": "", "slug": "", "time_zone": ""}, {"name": REQUIRED, "slug": REQUIRED, "time_zone": REQUIRED}),
    "too long name": ({"name": too_long(120)[0]}, {"name": too_long(120)[1]}),
    "too long slug": ({"slug": "b" * 51}, {"slug": "at most 50 characters"}),
    "unknown time zone": ({"time_zone": UNKNOWN_ZONE}, {"time_zone": UNKNOWN_ZONE_MESSAGE}),
    "taken slug": ({"slug": "acme"}, {"slug": "This address is already taken."}),
    "reserved slug": ({"slug": "admin"}, {"slug": "This address is reserved. Pick another one."}),
    "slug with spaces": ({"slug": "big co"}, {"slug": "Enter a valid “slug”"}),
    "line break in name": ({"name": "Big\nCo"}, {"name": LINE_BREAK}),
}


@pytest.mark.parametrize("case", COMPANY_MISTAKES, ids=list(COMPANY_MISTAKES))
def test_it_explains_each_mistake_on_the_new_company_form(owner_client, case):
    changes, expected = COMPANY_MISTAKES[case]
    data = {"name": "BigCo", "slug": "bigco", "time_zone": "Europe/Berlin", **changes}
    response = owner_client.post("/companies/new/", data)
    assert_rejected(response, expected)
    assert list(Company.objects.values_list("slug", flat=True)) == ["acme"]


# --- company pages -------------------------------------------------------------------------------------------


@pytest.fixture
def globex_job(globex):
    with across_tenants("test setup"):
        return Job.objects.create(company=globex, title="Nuclear Safety Inspector")


CANDIDATE = {"full_name": "Road Runner", "email": "meep@example.com", "phone": "+1 555 0100",
             "time_zone": "America/Phoenix", "stage": "applied", "notes": ""}
CANDIDATE_MISTAKES = {
    "empty": ({"full_name": "", "email": "", "time_zone": ""},
              {"full_name": REQUIRED, "email": REQUIRED, "time_zone": REQUIRED}),
    "too long name": ({"full_name": too_long(200)[0]}, {"full_name": too_long(200)[1]}),
    "too long notes": ({"notes": "n" * 20001}, {"notes": "at most 20000 characters"}),
    "malformed email": ({"email": "meep@"}, {"email": BAD_EMAIL}),
    "unknown time zone": ({"time_zone": UNKNOWN_ZONE}, {"time_zone": UNKNOWN_ZONE_MESSAGE}),
    "malformed phone": ({"phone": "call me maybe"}, {"phone": "Enter a phone number with digits"}),
    "unknown stage": ({"stage": "abducted"}, {"stage": "Select a valid choice."}),
    "line break in name": ({"full_name": "Road\r\nRunner"}, {"full_name": LINE_BREAK}),
    "NUL byte": ({"full_name": "Road\x00Runner"}, {"full_name": "Null characters are not allowed."}),
}


@pytest.mark.parametrize("case", CANDIDATE_MISTAKES, ids=list(CANDIDATE_MISTAKES))
@pytest.mark.parametrize("form", ["new", "edit"])
def test_it_explains_each_mistake_on_the_candidate_form(teammate_client, acme_candidate, form, case):
    changes, expected = CANDIDATE_MISTAKES[case]
    url = "/acme/candidates/new/" if form == "new" else f"/acme/candidates/{acme_candidate.pk}/edit/"
    response = teammate_client.post(url, {**CANDIDATE, "job": acme_candidate.job_id, **changes})
    assert_rejected(response, expected)
    with across_tenants("test setup"):
        assert list(Candidate.objects.values_list("full_name", flat=True)) == ["Wile E. Coyote"]


def test_it_refuses_another_companys_job_on_the_candidate_form(teammate_client, globex_job):
    response = teammate_client.post("/acme/candidates/new/", {**CANDIDATE, "job": globex_job.pk})
    assert_rejected(response, {"job": "Select a valid choice. That choice is not one of the available choices."})
    with across_tenants("test setup"):
        assert not Candidate.objects.exists()


JOB_MISTAKES = {
    "empty": ({"title": "", "status": ""}, {"title": REQUIRED, "status": REQUIRED}),
    "too long title": ({"title": too_long(200)[0]}, {"title": too_long(200)[1]}),
    "too long department": ({"department": too_long(120)[0]}, {"department": too_long(120)[1]}),
    "unknown status": ({"status": "paused"}, {"status": "Select a valid choice. paused is not one of the available"}),
    "line break in title": ({"title": "Rocket\nEngineer"}, {"title": LINE_BREAK}),
}


@pytest.mark.parametrize("case", JOB_MISTAKES, ids=list(JOB_MISTAKES))
@pytest.mark.parametrize("form", ["new", "edit"])
def test_it_explains_each_mistake_on_the_job_form(teammate_client, acme_job, form, case):
    changes, expected = JOB_MISTAKES[case]
    url = "/acme/jobs/new/" if form == "new" else f"/acme/jobs/{acme_job.pk}/edit/"
    data = {"title": "Roadrunner Catcher", "department": "", "location": "", "status": "open", **changes}
    response = teammate_client.post(url, data)
    assert_rejected(response, expected)
    with across_tenants("test setup"):
        assert list(Job.objects.values_list("title", flat=True)) == ["Secret Rocket Engineer"]


INVITATION_MISTAKES = {
    "empty": ({"email": "", "role": ""}, {"email": REQUIRED, "role": REQUIRED}),
    "malformed email": ({"email": "new hire@acme"}, {"email": BAD_EMAIL}),
    "too long email": ({"email": "a" * 250 + "@example.com"}, {"email": "at most 254 characters"}),
    "unknown role": ({"role": "owner"}, {"role": "Select a valid choice. owner is not one of the available choices."}),
    "existing member": ({"email": "teammate@acme.test"},
                        {"email": "teammate@acme.test is already a member of Acme Inc."}),
}


@pytest.mark.parametrize("case", INVITATION_MISTAKES, ids=list(INVITATION_MISTAKES))
def test_it_explains_each_mistake_on_the_team_invitation_form(owner_client, teammate, case):
    changes, expected = INVITATION_MISTAKES[case]
    response = owner_client.post("/acme/team/invitations/", {"email": "new.hire@example.com", "role": "recruiter",
                                                             **changes})
    assert_rejected(response, expected)
    with across_tenants("test setup"):
        assert not Invitation.objects.exists()


def test_it_explains_an_unknown_role_on_role_change_and_keeps_the_role(owner_client, teammate):
    response = owner_client.post(f"/acme/team/members/{teammate.pk}/role/", {"role": "overlord"}, follow=True)
    assert response.status_code == 200
    assert "Pick one of the listed roles." in errors_on_page(response)["__all__"][0]
    with across_tenants("test setup"):
        teammate.refresh_from_db()
    assert teammate.role == Role.RECRUITER


PROFILE_MISTAKES = {
    "too long name": ({"full_name": too_long(150)[0]}, {"full_name": too_long(150)[1]}),
    "unknown time zone": ({"time_zone": UNKNOWN_ZONE}, {"time_zone": UNKNOWN_ZONE_MESSAGE}),
    "empty time zone": ({"time_zone": ""}, {"time_zone": REQUIRED}),
    "NUL byte": ({"full_name": "Olivia\x00"}, {"full_name": "Null characters are not allowed."}),
}


@pytest.mark.parametrize("case", PROFILE_MISTAKES, ids=list(PROFILE_MISTAKES))
def test_it_explains_each_mistake_on_the_profile_form(owner_client, owner, case):
    changes, expected = PROFILE_MISTAKES[case]
    response = owner_client.post("/accounts/profile/", {"full_name": "Olivia O.", "time_zone": "Asia/Tokyo", **changes})
    assert_rejected(response, expected)
    owner.user.refresh_from_db()
    assert (owner.user.full_name, owner.user.time_zone) == ("Olivia Owner", "UTC")


SETTINGS_MISTAKES = {
    "empty": ({"name": "", "time_zone": ""}, {"name": REQUIRED, "time_zone": REQUIRED}),
    "too long name": ({"name": too_long(120)[0]}, {"name": too_long(120)[1]}),
    "unknown time zone": ({"time_zone": UNKNOWN_ZONE}, {"time_zone": UNKNOWN_ZONE_MESSAGE}),
    "line break in name": ({"name": "Acme\r\nInc."}, {"name": LINE_BREAK}),
}


@pytest.mark.parametrize("case", SETTINGS_MISTAKES, ids=list(SETTINGS_MISTAKES))
def test_it_explains_each_mistake_on_the_company_settings_form(owner_client, acme, case):
    changes, expected = SETTINGS_MISTAKES[case]
    response = owner_client.post("/acme/settings/", {"name": "Acme Corp", "time_zone": "Asia/Tokyo", **changes})
    assert_rejected(response, expected)
    acme.refresh_from_db()
    assert (acme.name, acme.time_zone) == ("Acme Inc.", "Europe/Berlin")


@pytest.fixture
def invitation_url(acme, owner):
    with across_tenants("test setup"):
        invitation = Invitation.objects.create(company=acme, email="new.hire@example.com", invited_by=owner.user)
    return f"/acme/join/{invitation_token(invitation)}/"


ACCEPT_MISTAKES = {
    "empty": ({"full_name": "", "password1": "", "password2": ""},
              {"full_name": REQUIRED, "password1": REQUIRED, "password2": REQUIRED}),
    "too long name": ({"full_name": too_long(150)[0]}, {"full_name": too_long(150)[1]}),
    "different passwords": ({"password2": PASSWORD + "?"}, {"password2": "The two passwords differ."}),
    "short password": ({"password1": "short1", "password2": "short1"}, {"password1": "This password is too short."}),
    "NUL byte": ({"full_name": "Nina\x00"}, {"full_name": "Null characters are not allowed."}),
}


@pytest.mark.parametrize("case", ACCEPT_MISTAKES, ids=list(ACCEPT_MISTAKES))
def test_it_explains_each_mistake_on_the_invitation_accept_form(client, invitation_url, case):
    changes, expected = ACCEPT_MISTAKES[case]
    response = client.post(invitation_url, {"full_name": "Nina Newbie", "password1": PASSWORD, "password2": PASSWORD,
                                            **changes})
    assert_rejected(response, expected)
    assert not User.objects.filter(email="new.hire@example.com").exists()


# Names end up in email headers: no form may let a line break into one.
def test_it_refuses_a_line_break_in_the_name_on_the_profile_form(owner_client, owner):
    response = owner_client.post("/accounts/profile/", {"full_name": "Olivia\r\nBcc: x@evil.test", "time_zone": "UTC"})
    assert_rejected(response, {"full_name": LINE_BREAK})


def test_it_refuses_a_line_break_in_the_name_on_the_invitation_accept_form(client, invitation_url):
    response = client.post(invitation_url, {"full_name": "Nina\r\nBcc: x@evil.test", "password1": PASSWORD,
                                            "password2": PASSWORD})
    assert_rejected(response, {"full_name": LINE_BREAK})


# --- garbage at every URL ------------------------------------------------------------------------------------


HUGE_INT = "99999999999999999999999"


def garbage_payloads(names: list[str]) -> dict:
    rnd = random.Random(20251127)
    alphabet = "abcXYZ019 <>&\"'%;/\\\t{}[]()$#@!?*~`|^é€😀\u202e\u200b"

    def text(length):
        return "".join(rnd.choice(alphabet) for _ in range(length))

    return {
        "empty": {},
        "random strings": {n: text(rnd.randint(1, 80)) for n in names},
        # Longer than any field allows (notes: 20000), yet under the request size limit in total.
        "huge strings": {**{n: "Ä" * 2_000 for n in names}, "notes": "n" * 20_001, "q": "q" * 5_000},
        "unicode": {n: "Zoë 🚀 \u202eevil\u202c ﷽ e\u0301\u0301 𝕏 \u200b \ufeff" for n in names},
        "NUL bytes": {n: f"{n}\x00nul" for n in names},
        "lists": {n: ["first", "", "acme", "0"] for n in names},
        "numbers": {n: rnd.choice(["-1", "0", "1e309", "NaN", "3.14", "-0", "0x1F"]) for n in names},
        "huge integers": {n: [HUGE_INT, "1"] if n == "calendars" else HUGE_INT for n in names},
        "unicode digits": {n: ["²", "١٢٣"] if n == "calendars" else "²" for n in names},
        "line breaks": {n: "line one\r\nBcc: evil@example.com\n" for n in names},
        "almost valid": {**{n: "x" for n in names}, "email": "a@example.com", "time_zone": "UTC\x00",
                         "role": "admin ", "stage": "Applied", "status": "OPEN", "job": "1.0",
                         "calendars": ["1", "-1", "x"]},
    }


GARBAGE_BODIES = {
    "json body": ('{"full_name": ["x"], "email": {"$ne": null}, "time_zone": 1e999}', "application/json"),
    "invalid utf-8": (b"full_name=%FF%FE%00&email=%C0%AF&name=\xff\xfe&role=%E0%80",
                      "application/x-www-form-urlencoded"),
    "too many fields": ("&".join(f"f{i}=x" for i in range(1500)), "application/x-www-form-urlencoded"),
    "too large": ("notes=" + "z" * (3 * 1024 * 1024), "application/x-www-form-urlencoded"),
    "broken multipart": (b'--xyz\r\nContent-Disposition: form-data; name="full_name"\r\n\r\nabc',
                         "multipart/form-data; boundary=xyz"),
}
GARBAGE_CASES = list(garbage_payloads([])) + list(GARBAGE_BODIES)
_FIELD_NAMES: list[str] = []


def form_field_names(client, urls) -> list[str]:
    names = {"full_name", "name", "email", "time_zone", "role", "title", "job", "stage", "status", "notes"}
    for url in urls:
        response = client.get(url)
        if response.status_code == 200:
            names |= set(_NAME.findall(response.content.decode(errors="replace")))
    names.discard("csrfmiddlewaretoken")
    return sorted(names)


def project_models() -> list[type[models.Model]]:
    root = Path(settings.BASE_DIR).resolve()
    return [
        model for model in apps.get_models()
        if Path(model._meta.app_config.path).resolve().is_relative_to(root)
        and ".venv" not in Path(model._meta.app_config.path).parts
    ]


def invalid_rows() -> list[str]:
    """Rows that their own model would refuse: blank required text, unknown zones, bad emails, too long, NUL bytes."""
    problems = []
    with across_tenants("test setup"):
        for model in project_models():
            for row in model._base_manager.all():
                try:
                    row.full_clean()
                except ValidationError as error:
                    problems.append(f"{model._meta.label} {row.pk}: {error.message_dict}")
                for field in model._meta.concrete_fields:
                    value = field.value_from_object(row)
                    if isinstance(value, str) and "\x00" in value:
                        problems.append(f"{model._meta.label} {row.pk}: NUL byte in {field.name}")
    return problems


@pytest.fixture
def owner_garbage_client(owner) -> Client:
    client = client_for(owner)
    client.raise_request_exception = False  # a crash is a 500 answer here, which the tests look for
    return client


@pytest.mark.parametrize("case", list(GARBAGE_CASES))
def test_it_never_answers_garbage_posts_with_a_server_error(owner_garbage_client, owner, teammate, acme, case):
    client = owner_garbage_client
    endpoints = project_endpoints()
    if not _FIELD_NAMES:  # every field name any form of the project uses, from the pages themselves
        sample = CompanyObjects(acme, actor=owner.user)
        _FIELD_NAMES.extend(form_field_names(client, [sample.url_for(e) for e in endpoints]))
    assert {"full_name", "email", "time_zone", "title", "role", "q"} <= set(_FIELD_NAMES)
    if case in GARBAGE_BODIES:
        body, content_type = GARBAGE_BODIES[case]
        send = partial(client.post, data=body, content_type=content_type)
    else:
        send = partial(client.post, data=garbage_payloads(_FIELD_NAMES)[case])

    server_errors = []
    for endpoint in endpoints:
        # Fresh objects for each URL: a garbage POST to a delete view must not starve the next URL of its object.
        url = CompanyObjects(acme, actor=owner.user).url_for(endpoint)
        if (status := send(url).status_code) >= 500:
            server_errors.append(f"POST {url} [{endpoint.name}] -> {status}")
    assert server_errors == []

    # Nothing half-written: every row is one its model accepts, and nobody lost the company.
    assert invalid_rows() == []
    with across_tenants("test setup"):
        assert not Candidate.objects.filter(full_name__regex=r"^\s*$").exists()
        assert not Job.objects.filter(title__regex=r"^\s*$").exists()
        assert not Invitation.objects.exclude(role__in=Role.values).exists()
        assert Membership.objects.filter(company=acme, user=owner.user, role=Role.ADMIN).exists()
    assert not Company.objects.filter(name__regex=r"^\s*$").exists()


def test_it_answers_urls_with_ids_beyond_any_integer_with_a_404(owner_garbage_client, owner, acme):
    client = owner_garbage_client
    server_errors = []
    for endpoint in project_endpoints():
        ints = [k for k, converter in endpoint.converters.items() if converter == "int"]
        if not ints:
            continue
        values = CompanyObjects(acme, actor=owner.user).values_for(endpoint)
        url = endpoint.url(**{**values, **{k: "9" * 30 for k in ints}})
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            if status not in (404, 405):
                server_errors.append(f"{method.upper()} {url} -> {status}")
    assert server_errors == []


GARBAGE_QUERY = {
    "NUL in text": {"q": "road\x00runner", "status": "\x00", "stage": "\x00"},
    "huge id": {"job": HUGE_INT, "with": HUGE_INT},
    # "²".isdigit() is True, int("²") raises.
    "unicode digits": {"job": "²", "with": "²", "page": "²", "date": "²"},
    "far future date": {"date": "9999-12-31"},
    "far past date": {"date": "0001-01-01"},
    # A day that parses, plus a time and a zone that carry it past what a datetime holds (year 1 to 9999).
    "far future instant": {"date": "9999-12-31", "start_time": "23:30", "end_time": "23:59", "duration": "180",
                           "time_zone": "America/Los_Angeles"},
    "far past instant": {"date": "0001-01-01", "start_time": "00:00", "time_zone": "Pacific/Kiritimati"},
    "negative page": {"page": "-99999999999999999999"},
    "markup": {"q": "<script>alert(1)</script>", "stage": "<b>", "status": "' OR 1=1 --", "job": "1 OR 1"},
    "lists": {"q": ["a", "b"], "job": ["1", "x"], "page": ["2", "last"], "with": ["1", "x"]},
}


@pytest.mark.parametrize("case", list(GARBAGE_QUERY))
def test_it_never_answers_a_garbage_query_string_with_a_server_error(owner_garbage_client, owner, acme, case):
    client = owner_garbage_client
    server_errors = []
    for endpoint in project_endpoints():
        objects = CompanyObjects(acme, actor=owner.user)
        url = endpoint.url(**objects.values_for(endpoint))
        if (status := client.get(url, {**objects.query_for(endpoint), **GARBAGE_QUERY[case]}).status_code) >= 500:
            server_errors.append(f"GET {url} [{endpoint.name}] -> {status}")
    assert server_errors == []


# --- dates far outside what a datetime holds, in every form --------------------------------------------------

# Days that parse but that a zone offset, a time of day or a duration carries past year 1 or year 9999; zones as far
# east (UTC+14) and west (UTC-12) as there are.
EXTREME_DAYS = ["9999-12-31", "0001-01-01"]
EXTREME_TIMES = ["23:59", "00:00"]
FAR_ZONES = ["Pacific/Kiritimati", "Etc/GMT+12"]
# The edges of what is plausible must not crash either, whether accepted or refused.
EDGE_DAYS = ["2099-12-31", "1970-01-01"]


def html_pages(client, acme, owner):
    """(url, forms, htmx GETs) of every page the probe knows that answers 200 with HTML."""
    for endpoint in project_endpoints():
        url = CompanyObjects(acme, actor=owner.user).url_for(endpoint)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            yield (url, *page_forms(response, url))


def date_forms(client, acme, owner) -> list[tuple[str, PageForm, list[HtmxGet]]]:
    """Every form on every page that has a date, time or datetime input, with the htmx requests that carry it."""
    found = []
    for url, forms_, gets in html_pages(client, acme, owner):
        for form in forms_:
            if form.named(*DATE_LIKE_INPUTS):
                found.append((url, form, [g for g in gets if form.form_id and g.include == f"#{form.form_id}"]))
    return found


def with_extremes(form: PageForm, day: str, at: str, zone: str) -> dict[str, list[str]]:
    data = dict(form.fields)
    for name in form.named("date"):
        data[name] = [day]
    for name in form.named("time"):
        data[name] = [at]
    for name in form.named("datetime-local"):
        data[name] = [f"{day}T{at}"]
    for name, options in form.options.items():
        if zone in options:  # every time zone select
            data[name] = [zone]
    return data


def _invalid(response, name: str) -> bool:
    return bool(re.search(rf'<[^>]*name="{name}"[^>]*aria-invalid="true"|<[^>]*aria-invalid="true"[^>]*name="{name}"',
                          response.content.decode()))


def _error_after(response, name: str) -> str:
    match = re.search(rf'name="{name}".*?<div class="invalid-feedback d-block">(.*?)</div>', visible_text(response),
                      re.S)
    return match.group(1).strip() if match else ""


def test_it_reaches_every_date_and_time_field_of_every_form(owner_garbage_client, owner, acme):
    """The extreme-date test below finds its forms on the pages: each such field the code defines must be there."""
    on_pages = {name for _, form, _ in date_forms(owner_garbage_client, acme, owner)
                for name in form.named(*DATE_LIKE_INPUTS)}
    in_code = date_like_form_fields()
    assert in_code, "no date fields found at all: the search is broken"
    assert sorted(f for f in in_code if f.rsplit(".", 1)[1] not in on_pages) == []


@pytest.mark.parametrize("viewer_zone", FAR_ZONES)
def test_it_refuses_extreme_dates_in_every_form_with_a_message(owner_garbage_client, owner, acme, viewer_zone):
    owner.user.time_zone = viewer_zone
    owner.user.save(update_fields=["time_zone"])
    client = owner_garbage_client
    problems = []
    for page_url, form, gets in date_forms(client, acme, owner):
        for day, at, zone in itertools.product(EXTREME_DAYS, EXTREME_TIMES, FAR_ZONES):
            data = with_extremes(form, day, at, zone)
            where = f"{form.method.upper()} {form.url} (from {page_url}) with {day} {at} {zone}"
            send = client.post if form.method == "post" else client.get
            response = send(form.url, data)
            if response.status_code not in (200, 400):
                problems.append(f"{where} -> {response.status_code}, expected the form with a message")
                continue
            refused = [name for name in form.named("date", "datetime-local") if _invalid(response, name)]
            if not refused and not form.named("date", "datetime-local"):
                continue  # times of day only (working hours): no date to refuse, and it answered without failing
            if not refused:
                problems.append(f"{where}: no date field says what is wrong")
                continue
            message = _error_after(response, refused[0])
            # The htmx requests that carry this form (Find time) say the same instead of failing or guessing a day.
            for get in gets:
                query = {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"}
                answer = client.get(get.url, query)
                if answer.status_code != 200 or message not in visible_text(answer):
                    problems.append(f"GET {get.url} with {day} {at} {zone} -> {answer.status_code}, "
                                    f"expected {message!r}")
        for day, zone in itertools.product(EDGE_DAYS, FAR_ZONES):
            for at in EXTREME_TIMES:
                data = with_extremes(form, day, at, zone)
                if (status := client.post(form.url, data).status_code) >= 500:
                    problems.append(f"POST {form.url} with {day} {at} {zone} -> {status}")
                for get in gets:
                    if (status := client.get(get.url, data).status_code) >= 500:
                        problems.append(f"GET {get.url} with {day} {at} {zone} -> {status}")
    assert problems == []


@pytest.mark.parametrize("viewer_zone", FAR_ZONES)
@pytest.mark.parametrize("day", EXTREME_DAYS + EDGE_DAYS)
def test_it_never_answers_an_extreme_date_in_a_query_with_a_server_error(owner_garbage_client, owner, acme,
                                                                        viewer_zone, day):
    """?date= on every page (the calendar week, Find time, ...) for a viewer whose own zone is far east or west."""
    owner.user.time_zone = viewer_zone
    owner.user.save(update_fields=["time_zone"])
    server_errors = []
    for endpoint in project_endpoints():
        objects = CompanyObjects(acme, actor=owner.user)
        url = endpoint.url(**objects.values_for(endpoint))
        query = {**objects.query_for(endpoint), "date": day, "start_time": "23:59", "time_zone": viewer_zone}
        if (status := owner_garbage_client.get(url, query).status_code) >= 500:
            server_errors.append(f"GET {url} [{endpoint.name}] -> {status}")
    assert server_errors == []


def test_it_keeps_the_csrf_token_out_of_every_htmx_get(owner_garbage_client, owner, acme):
    """A GET's query string lands in access logs: htmx GETs that include a form must leave its token out."""
    leaks = []
    for url, forms_, gets in html_pages(owner_garbage_client, acme, owner):
        tokens = {f"#{form.form_id}" for form in forms_ if "csrfmiddlewaretoken" in form.fields}
        leaks += [f"{url}: hx-get {get.url}" for get in gets
                  if get.include in tokens and "not csrfmiddlewaretoken" not in get.params]
    assert leaks == []


# The providers' webhooks are public: anyone can send them anything, headers included.
GOOGLE_HEADERS = {"X-Goog-Channel-Token": "forged", "X-Goog-Resource-State": "exists"}
FORGED_NOTIFICATIONS = {
    "google without headers": ("google", {}, ""),
    "google unknown channel": ("google", {"X-Goog-Channel-ID": "1-abc", **GOOGLE_HEADERS}, ""),
    "google huge company id": ("google", {"X-Goog-Channel-ID": f"{HUGE_INT}-abc", **GOOGLE_HEADERS}, ""),
    "google unicode digit": ("google", {"X-Goog-Channel-ID": "\xb2-abc", **GOOGLE_HEADERS}, ""),
    "microsoft not json": ("microsoft", {}, "\xff\xfe{"),
    "microsoft value not a list": ("microsoft", {}, '{"value": "x"}'),
    "microsoft unknown subscription": ("microsoft", {}, '{"value": [{"subscriptionId": "x", "clientState": "1.a"}]}'),
    "microsoft huge company id": ("microsoft", {},
                                  '{"value": [{"subscriptionId": "x", "clientState": "' + HUGE_INT + '.a"}]}'),
    "microsoft unicode digit": ("microsoft", {}, '{"value": [{"subscriptionId": "x", "clientState": "\\u00b2.a"}]}'),
}
@pytest.mark.parametrize("case", list(FORGED_NOTIFICATIONS))
def test_it_refuses_forged_provider_notifications_without_a_server_error(acme, case):
    provider, headers, body = FORGED_NOTIFICATIONS[case]
    client = Client(raise_request_exception=False)
    response = client.post(f"/hooks/{provider}/", body, content_type="application/json", headers=headers)
    assert response.status_code in (400, 403)


# --- every webhook, whatever arrives -----------------------------------------------------------------------------
# The cases above send provider-shaped forgeries to the two hooks by name. These go to every webhook the URL patterns
# hold (the public views that take no CSRF token), so a webhook added later is covered the day it is added. Each
# answer is a refusal (4xx), costs at most one log line, and notes or queues nothing.


def webhook_endpoints() -> list:
    return [e for e in project_endpoints() if not e.is_company and getattr(e.callback, "csrf_exempt", False)]


def garbage_webhook_requests(company_id: int, channel_id: str, limit_bytes: int, limit_items: int) -> dict:
    """name -> (body, content type, headers, extra WSGI environ)."""
    import json  # imported here: this section is kept apart from the rest of the file

    as_json = "application/json"

    def graph(items) -> bytes:
        return json.dumps({"value": items}).encode()

    def google(value: str) -> dict:
        return {"X-Goog-Channel-ID": value, "X-Goog-Channel-Token": value, "X-Goog-Resource-State": value}

    return {
        "no body, no headers": (b"", as_json, {}, {}),
        "not json": (b"\xff\xfe{", as_json, {}, {}),
        "json null": (b"null", as_json, {}, {}),
        "json list": (b"[1, 2]", as_json, {}, {}),
        "nested deeper than the parser goes": (b"[" * 50_000 + b"]" * 50_000, as_json, {}, {}),
        "no items": (graph([]), as_json, {}, {}),
        "items not objects": (graph([1, "x", None, []]), as_json, {}, {}),
        "fields not strings": (graph([{"subscriptionId": 1, "clientState": [f"{company_id}.a"]}]), as_json, {}, {}),
        "NUL bytes": (graph([{"subscriptionId": "s\x00", "clientState": f"{company_id}.\x00"}]), as_json,
                      google(f"{company_id}-\x00"), {}),
        "our channel, NUL in its id": (
            graph([{"subscriptionId": f"{channel_id}\x00", "clientState": f"{company_id}.a"}]), as_json,
            google(f"{channel_id}\x00"), {},
        ),
        "our channel, wrong secret": (graph([{"subscriptionId": channel_id, "clientState": f"{company_id}.forged"}]),
                                      as_json, google(channel_id), {}),
        "lone surrogates": (b'{"value": [{"subscriptionId": "\\ud800", "clientState": "%d.\\udfff"}]}' % company_id,
                            as_json, {}, {}),
        "control characters": (graph([{"subscriptionId": "s\r\nx", "clientState": f"{company_id}.\x1b[2J"}]),
                               as_json, google(f"{company_id}-\x1b[2J\r\n"), {}),
        "huge handles": (graph([{"subscriptionId": "s" * 10_000, "clientState": f"{company_id}." + "a" * 10_000}]),
                         as_json, google(f"{company_id}-" + "x" * 10_000), {}),
        "huge company ids": (graph([{"subscriptionId": "s", "clientState": f"{HUGE_INT}.a"}]), as_json,
                             google(f"{HUGE_INT}-abc"), {}),
        "too many items": (graph([{"subscriptionId": "s", "clientState": f"{company_id}.a"}] * (limit_items + 1)),
                           as_json, {}, {}),
        "body over the cap": (b" " * (limit_bytes + 1), as_json, {}, {}),
        # The test client's payload raises if more is read than it holds: refused means unread.
        "length declared over the cap": (b"{}", as_json, {}, {"CONTENT_LENGTH": str(limit_bytes + 1)}),
        "length not a number": (b"{}", as_json, {}, {"CONTENT_LENGTH": "lots"}),
        "form encoded": (b"value=1&subscriptionId=x", "application/x-www-form-urlencoded", {}, {}),
        "broken multipart": (b'--xyz\r\nContent-Disposition: form-data; name="value"\r\n\r\nabc',
                             "multipart/form-data; boundary=xyz", {}, {}),
    }


def test_it_finds_every_webhook():
    assert {e.name for e in webhook_endpoints()} >= {"calendar_hooks:google", "calendar_hooks:microsoft"}


def test_it_refuses_garbage_at_every_webhook_with_one_log_line_and_no_effect(owner, settings, caplog):
    import logging

    from calendars.models import CalendarConnection, PushChannel
    from tests.calendars.factories import connected_calendar

    calendar = connected_calendar(owner)
    with across_tenants("test setup"):
        channel = PushChannel.objects.create(
            company=owner.company, connection=calendar.connection, calendar=calendar, provider="google",
            channel_id=f"{owner.company_id}-real", secret="real-secret", expires_at="2100-01-01T00:00:00Z",
        )
    cases = garbage_webhook_requests(owner.company_id, channel.channel_id, settings.CALENDAR_WEBHOOK_MAX_BYTES,
                                     settings.CALENDAR_WEBHOOK_MAX_ITEMS)
    client = Client(raise_request_exception=False)
    wrong = []
    for endpoint in webhook_endpoints():
        for case, (body, content_type, headers, environ) in cases.items():
            caplog.clear()
            with caplog.at_level(logging.INFO):
                status = client.post(endpoint.url(), body, content_type=content_type, headers=headers,
                                     **environ).status_code
            lines = [r for r in caplog.records if r.name.startswith("calendars")]
            if not 400 <= status < 500 or len(lines) > 1:
                wrong.append(f"{case} -> {endpoint.name}: {status}, {len(lines)} log lines")
    assert wrong == []
    with across_tenants("test setup"):
        assert PushChannel.objects.get(pk=channel.pk).notifications == 0
        assert CalendarConnection.objects.get(pk=calendar.connection_id).sync_queued_at is None
