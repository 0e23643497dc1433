"""Walk every URL pattern the project serves, fill its arguments with one company's objects, and request it.

`tests/test_tenant_isolation.py` uses this to prove that nobody outside a company reaches its data, and
`tests/test_bad_input.py` to throw garbage at every view. Both take the URL patterns from the resolver, so a new view
is probed the day it is added. A new URL argument (`interview_id`, `message_id`, ...) makes the probe fail until
`FACTORIES` below learns how to create such an object (or `PLAIN_VALUES` says why it names none); that is on purpose.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlsplit

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpResponse, QueryDict
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from calendars.models import Calendar, CalendarConnection
from recruitee.accounts.models import User
from recruitee.ops.models import WorkerPing
from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.middleware import PUBLIC_ATTRIBUTE
from recruitee.tenancy.models import Company, Invitation, Membership, Role
from recruitee.tenancy.services import invitation_token

# Everything the resolver knows is probed except these trees, each for a stated reason.
EXCLUDED_NAMESPACES = {
    "admin": "Django admin: staff-only (is_staff), its own permission system and login; no company URL lives there.",
}
EXCLUDED_URLCONFS = {
    "allauth.urls": "allauth's own account pages (login, sign-up, password reset, email confirmation) are global, "
                    "hold no company data and are allauth's to test; our sign-up fields are tested in "
                    "tests/test_bad_input.py.",
}
EXCLUDED_VIEW_MODULES = {
    "django.views.static": "static and media file serving (DEBUG only): files, not views.",
    "django.contrib.staticfiles.views": "static file serving (DEBUG only): files, not views.",
}

# Non-company views that anonymous visitors may open, and why. Every other one must send them to the login page.
PUBLIC_NON_COMPANY_VIEWS: dict[str, str] = {
    "calendar_hooks:google": "Google's push notifications come without a session; the channel id and token headers "
                             "authenticate them (calendars/push.py).",
    "calendar_hooks:microsoft": "Microsoft Graph's change notifications come without a session; subscription id and "
                                "clientState authenticate them (calendars/push.py).",
}

# URL arguments that name no company's object (a fixed choice), with the value to use. Everything else is an object
# of the company under test and comes from FACTORIES.
PLAIN_VALUES: dict[str, str] = {
    "company_slug": "",  # filled with the company under test
    "provider": "google",  # calendars:connect; a provider every company may connect to, not an object
}

# The probes press every button, "disconnect" and "sync now" included. Calendar providers then answer from a closed
# local port, so no test reaches Google or Microsoft with made-up tokens.
UNREACHABLE_PROVIDERS = {
    "GOOGLE_AUTH_URI": "https://127.0.0.1:9/google/auth",
    "GOOGLE_TOKEN_URI": "https://127.0.0.1:9/google/token",
    "GOOGLE_REVOKE_URI": "https://127.0.0.1:9/google/revoke",
    "GOOGLE_API_ENDPOINT": "https://127.0.0.1:9/google/calendar/v3/",
    "MICROSOFT_GRAPH_URL": "https://127.0.0.1:9/graph/v1.0",
}

MISSING_BY_CONVERTER = {
    "int": "987654321",
    "str": "no-such-thing",
    "slug": "no-such-thing",
    "path": "no-such-thing",
    "uuid": "00000000-0000-4000-8000-000000000000",
}

_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_CSRF_TOKEN = re.compile(rb"[A-Za-z0-9]{64}")


class ProbeSetupError(AssertionError):
    """The probe cannot build a URL for a pattern: it must be taught, never silently skip it."""


@dataclass(frozen=True)
class Endpoint:
    route: str  # "<slug:company_slug>/candidates/<int:candidate_id>/"
    name: str  # "recruiting:candidate-detail", or the route for unnamed patterns
    callback: Callable = field(compare=False)
    resolver: URLResolver = field(compare=False, repr=False)

    @property
    def converters(self) -> dict[str, str]:
        return {m["name"]: m["converter"] or "str" for m in _PARAMETER.finditer(self.route)}

    @property
    def is_company(self) -> bool:
        return "company_slug" in self.converters

    @property
    def is_public(self) -> bool:
        return bool(getattr(self.callback, PUBLIC_ATTRIBUTE, False))

    @property
    def object_kwargs(self) -> list[str]:
        return [name for name in self.converters if name not in PLAIN_VALUES]

    def url(self, **values: str) -> str:
        missing = set(self.converters) - set(values)
        if missing:
            raise ProbeSetupError(f"{self.name}: no value for {sorted(missing)}")
        path = "/" + _PARAMETER.sub(lambda m: quote(str(values[m["name"]]), safe=":-_.~"), self.route)
        match = self.resolver.resolve(path)
        if match.route != self.route or match.func != self.callback:
            raise ProbeSetupError(f"{self.name}: {path} resolves to {match.route!r}, another pattern")
        return path

    def missing_values(self) -> dict[str, str]:
        """Values that name nothing, for the object arguments."""
        return {name: MISSING_BY_CONVERTER[self.converters[name]] for name in self.object_kwargs}

    def __str__(self) -> str:
        return f"/{self.route} ({self.name})"


def project_endpoints(resolver: URLResolver | None = None) -> list[Endpoint]:
    """Every URL pattern of the project, leaves only, minus the excluded trees, in resolver order."""
    root = resolver or get_resolver()
    found: list[Endpoint] = []

    def walk(node: URLResolver, prefix: str, namespace: str) -> None:
        for entry in node.url_patterns:
            if isinstance(entry, URLResolver):
                urlconf = getattr(entry.urlconf_name, "__name__", entry.urlconf_name)
                excluded_urlconf = isinstance(urlconf, str) and urlconf in EXCLUDED_URLCONFS
                if entry.namespace in EXCLUDED_NAMESPACES or excluded_urlconf:
                    continue
                _require_route(entry, prefix)
                child_ns = ":".join(filter(None, [namespace, entry.namespace]))
                walk(entry, prefix + str(entry.pattern), child_ns)
            elif isinstance(entry, URLPattern):
                module = getattr(entry.callback, "__module__", "")
                if any(module == m or module.startswith(m + ".") for m in EXCLUDED_VIEW_MODULES):
                    continue
                _require_route(entry, prefix)
                route = prefix + str(entry.pattern)
                name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or route)
                found.append(Endpoint(route=route, name=name, callback=entry.callback, resolver=root))

    walk(root, "", "")
    return found


def _require_route(entry, prefix: str) -> None:
    if not isinstance(entry.pattern, RoutePattern):
        raise ProbeSetupError(
            f"/{prefix}{entry.pattern} is a regex pattern; the probe builds URLs from path() routes only. "
            "Use path(), or exclude it in tests/probe.py with a reason."
        )


# --- the objects a URL can name -------------------------------------------------------------------------------

_serial = itertools.count(1)


def _candidate(objects: CompanyObjects) -> str:
    with across_tenants("test setup"):
        job = Job.objects.get(pk=objects.value("job_id"))
        candidate = Candidate.objects.create(
            company=objects.company, full_name="Wile E. Coyote", email="wile.coyote@acme-candidates.test",
            phone="+1 480 555 0199", time_zone="America/Phoenix", job=job, created_by=objects.actor,
        )
    objects.secrets |= {candidate.full_name, candidate.email}
    return str(candidate.pk)


def _job(objects: CompanyObjects) -> str:
    with across_tenants("test setup"):
        job = Job.objects.create(company=objects.company, title="Secret Rocket Engineer", department="Skunkworks")
    objects.secrets.add(job.title)
    return str(job.pk)


def _membership(objects: CompanyObjects) -> str:
    n = next(_serial)
    user = User.objects.create_user(email=f"colleague-{n}@acme-staff.test", full_name="Colleen Colleague")
    with across_tenants("test setup"):
        membership = Membership.objects.create(company=objects.company, user=user, role=Role.RECRUITER)
    objects.secrets.add(user.email)
    return str(membership.pk)


def _invitation(objects: CompanyObjects, prefix: str = "invitee") -> Invitation:
    with across_tenants("test setup"):
        invitation = Invitation.objects.create(
            company=objects.company, email=f"{prefix}-{next(_serial)}@acme-hires.test", role=Role.RECRUITER,
            invited_by=objects.actor,
        )
    return invitation


def _invitation_id(objects: CompanyObjects) -> str:
    invitation = _invitation(objects)
    objects.secrets.add(invitation.email)
    return str(invitation.pk)


def _token(objects: CompanyObjects) -> str:
    invitation = _invitation(objects, prefix="token-holder")
    # Whoever holds the link may see what it invites to: the company and the invited address. Nothing else.
    objects.shown_with_token |= {invitation.email, objects.company.name}
    objects.secrets.add(invitation.email)
    return invitation_token(invitation)


def _ping(objects: CompanyObjects) -> str:
    with across_tenants("test setup"):
        ping = WorkerPing.objects.create(company=objects.company, requested_by=objects.actor)
    return str(ping.pk)


def _connection(objects: CompanyObjects) -> str:
    n = next(_serial)
    with across_tenants("test setup"):
        member = Membership.objects.get(company=objects.company, user=objects.actor)
        connection = CalendarConnection.objects.create(
            company=objects.company, member=member, provider="google", account_id=f"acme-account-{n}",
            account_email=f"road.calendar-{n}@acme-staff.test", account_name="Acme Launch Calendars",
            access_token="access-secret", refresh_token="refresh-secret",
        )
        calendar = Calendar.objects.create(
            company=objects.company, connection=connection, provider_calendar_id=f"acme-cal-{n}",
            name="Acme Launch Schedule", is_primary=True, is_selected=True,
        )
    objects.secrets |= {connection.account_email, calendar.name}
    return str(connection.pk)


def _message(objects: CompanyObjects) -> str:
    from mailbox.models import Message

    candidate_id = objects.value("candidate_id")
    with across_tenants("test setup"):
        sender = Membership.objects.get(company=objects.company, user=objects.actor)
        message = Message.objects.create(
            company=objects.company, sender=sender, audience=Message.Audience.CANDIDATE,
            from_email="jobs@acme-mail.test", from_name="Acme Recruiting",
            to=[{"name": "Wile E. Coyote", "email": "wile.coyote@acme-candidates.test"}],
            subject="Acme offer: one million anvils", text_body="Confidential: the anvil budget is 1,000,000.",
            html_body="<p>Confidential: the anvil budget is 1,000,000.</p>", candidate_id=candidate_id,
        )
    objects.secrets |= {message.subject, "the anvil budget is 1,000,000"}
    return str(message.pk)


def _attachment(objects: CompanyObjects) -> str:
    from mailbox.models import Attachment, Message

    with across_tenants("test setup"):
        message = Message.objects.get(pk=objects.value("message_id"))  # the URL names both: same message
        attachment = Attachment.objects.create(
            company=objects.company, message=message, filename="acme-anvil-offer.txt", content_type="text/plain",
            size=26, content=b"Anvil offer: 1,000,000 ACME",
        )
    objects.secrets |= {attachment.filename, "Anvil offer: 1,000,000 ACME"}
    return str(attachment.pk)


def _caught_mail(objects: CompanyObjects) -> str:
    """A file in the local mail catcher (DEBUG only) holding one of the company's messages."""
    from mailbox.catcher import catcher_dir
    from mailbox.models import Message

    with across_tenants("test setup"):
        message = Message.objects.get(pk=objects.value("message_id"))
    name = f"20260101T000000.{next(_serial):06d}-ac3e0001"
    catcher_dir().mkdir(parents=True, exist_ok=True)
    (catcher_dir() / f"{name}.eml").write_bytes(
        f"Message-ID: {message.message_id}\r\nSubject: {message.subject}\r\nFrom: jobs@acme-mail.test\r\n"
        f"To: wile.coyote@acme-candidates.test\r\n\r\n{message.text_body}\r\n".encode()
    )
    return name


def _interview(objects: CompanyObjects) -> str:
    from datetime import UTC, datetime, timedelta

    from recruitee.tenancy.services import audit_record
    from scheduling.models import Interview, Participant

    candidate_id = objects.value("candidate_id")
    with across_tenants("test setup"):
        organizer = Membership.objects.get(company=objects.company, user=objects.actor)
        start = datetime(2030, 6, 12, 12, 0, tzinfo=UTC)
        interview = Interview.objects.create(
            company=objects.company, candidate_id=candidate_id, organizer=organizer, created_by=objects.actor,
            title="Anvil launch debrief", start=start, end=start + timedelta(hours=1), time_zone="Europe/Berlin",
            location="Acme Mesa Bunker 7",
        )
        Participant.objects.create(
            company=objects.company, interview=interview, role=Participant.Role.CANDIDATE, name="Wile E. Coyote",
            email="wile.coyote@acme-candidates.test", time_zone="America/Phoenix", by_email=True,
        )
        audit_record(company=objects.company, actor=objects.actor, action="interview.scheduled", target=interview,
                     summary="Scheduled the anvil launch debrief", detail="Scheduled the anvil launch debrief")
    objects.secrets |= {interview.title, interview.location, interview.ical_uid}
    return str(interview.pk)


def _draft_query(objects: CompanyObjects) -> dict[str, str]:
    """An open scheduling draft of the actor's, so step 2 shows its form (without one it only redirects)."""
    from scheduling.drafts import draft_save_step1
    from scheduling.views import STEP1_FIELDS

    data = QueryDict(mutable=True)
    data.update({"kind": "interview", "date": "2030-06-12", "start_time": "14:00", "duration": "60",
                 "time_zone": "Europe/Berlin", "invite_candidate": "on", "location": "Acme Mesa Bunker 7"})
    with across_tenants("test setup"):
        owner = Membership.objects.get(company=objects.company, user=objects.actor)
        candidate = Candidate.objects.get(pk=objects.value("candidate_id"))
        draft = draft_save_step1(owner=owner, candidate=candidate, data=data, fields=STEP1_FIELDS, draft=None)
    return {"draft": draft.key}


def _booking_token(objects: CompanyObjects) -> str:
    """An open scheduling link (/book/<token>/) of the company, for a panel whose one member has a calendar, so its
    page lists times. Opened already: visiting it must change nothing the probes watch."""

    from django.utils import timezone

    from scheduling.models import SchedulingRequest, SchedulingRequestMember
    from scheduling.self_scheduling import default_window, new_token, token_hash

    n = next(_serial)
    token = new_token(objects.company.pk)
    # The organizer's name and address are the link's contact: shown to its holder, so not among the secrets.
    user = User.objects.create_user(email=f"rhonda-{n}@acme-staff.test", full_name="Rhonda Recruiter")
    first, last = default_window(today=timezone.localdate())
    now = timezone.now()
    with across_tenants("test setup"):
        organizer = Membership.objects.create(company=objects.company, user=user, role=Role.RECRUITER)
        connection = CalendarConnection.objects.create(
            company=objects.company, member=organizer, provider="google", account_id=f"acme-booking-{n}",
            account_email=f"rhonda.calendar-{n}@acme-staff.test", account_name="Acme Booking Calendars",
            access_token="access-secret", refresh_token="refresh-secret",
        )
        Calendar.objects.create(company=objects.company, connection=connection, provider_calendar_id=f"acme-book-{n}",
                                name="Acme Interview Rota", is_primary=True, is_selected=True)
        request = SchedulingRequest.objects.create(
            company=objects.company, candidate_id=objects.value("candidate_id"), organizer=organizer,
            created_by=objects.actor, title="Anvil aptitude interview", duration_minutes=60, first_day=first,
            last_day=last, time_zone="Europe/Berlin", location="Acme Mesa Bunker 9", note="Bring goggles.",
            token_hash=token_hash(token), status=SchedulingRequest.Status.OPENED, sent_at=now, opened_at=now,
        )
        SchedulingRequestMember.objects.create(company=objects.company, request=request, member=organizer,
                                               role=SchedulingRequestMember.Role.PANEL)
    shown = {objects.company.name, request.title, request.location, request.note}
    objects.shown_with_token |= shown
    objects.secrets |= shown | {connection.account_email, "Acme Interview Rota", "Acme Booking Calendars"}
    return token


def _scheduling_request(objects: CompanyObjects) -> str:
    """A scheduling link the company sent (the recruiter's withdraw and resend pages take its id)."""
    import secrets

    from django.utils import timezone

    from scheduling.models import SchedulingRequest, SchedulingRequestMember
    from scheduling.self_scheduling import default_window, token_hash

    first, last = default_window(today=timezone.localdate())
    with across_tenants("test setup"):
        organizer = Membership.objects.get(company=objects.company, user=objects.actor)
        scheduling_request = SchedulingRequest.objects.create(
            company=objects.company, candidate_id=objects.value("candidate_id"), organizer=organizer,
            created_by=objects.actor, title="Anvil follow-up interview", duration_minutes=60, first_day=first,
            last_day=last, time_zone="Europe/Berlin", location="Acme Mesa Bunker 12",
            token_hash=token_hash(secrets.token_urlsafe(32)), sent_at=timezone.now(),
        )
        SchedulingRequestMember.objects.create(company=objects.company, request=scheduling_request, member=organizer,
                                               role=SchedulingRequestMember.Role.PANEL)
    objects.secrets |= {scheduling_request.title, scheduling_request.location}
    return str(scheduling_request.pk)


# URL arguments whose meaning depends on the view, (endpoint name prefix, argument) -> factory: the booking pages'
# <token> is a scheduling link's, the invitation page's an invitation's. The value is kept as "<prefix><argument>".
ENDPOINT_FACTORIES: dict[tuple[str, str], Callable[[CompanyObjects], str]] = {
    ("booking:", "token"): _booking_token,
}


# Query parameters without which a view shows only a redirect, not its form: endpoint name -> a factory of them.
QUERY_FACTORIES: dict[str, Callable[[CompanyObjects], dict[str, str]]] = {
    "scheduling:schedule-invite": _draft_query,
}


# URL argument name -> creates one object of that kind in the company and returns the URL value.
FACTORIES: dict[str, Callable[[CompanyObjects], str]] = {
    "candidate_id": _candidate,
    "job_id": _job,
    "membership_id": _membership,
    "invitation_id": _invitation_id,
    "token": _token,
    "ping_id": _ping,
    "connection_id": _connection,
    "message_id": _message,
    "attachment_id": _attachment,
    "catcher_name": _caught_mail,
    "interview_id": _interview,
    "request_id": _scheduling_request,
}


class CompanyObjects:
    """One object of each kind a URL names, created in `company` on first use, and the texts that identify them."""

    def __init__(self, company: Company, *, actor: User):
        self.company = company
        self.actor = actor
        self._values: dict[str, str] = {**PLAIN_VALUES, "company_slug": company.slug}
        # Texts of this company that nobody outside it may ever see.
        self.secrets: set[str] = {company.name, actor.email}
        self.shown_with_token: set[str] = set()

    def value(self, name: str) -> str:
        if name not in self._values:
            factory = FACTORIES.get(name)
            if factory is None:
                raise ProbeSetupError(
                    f"A URL takes <{name}>, which tests/probe.py does not know. Add a factory to FACTORIES that "
                    f"creates a {self.company.slug} object for it and returns its URL value, so the new view is "
                    "probed for cross-tenant access."
                )
            self._values[name] = factory(self)
        return self._values[name]

    def values_for(self, endpoint: Endpoint) -> dict[str, str]:
        return {name: self._value_for(endpoint, name) for name in endpoint.converters}

    def _value_for(self, endpoint: Endpoint, name: str) -> str:
        for (prefix, argument), factory in ENDPOINT_FACTORIES.items():
            if argument == name and endpoint.name.startswith(prefix):
                key = f"{prefix}{name}"
                if key not in self._values:
                    self._values[key] = factory(self)
                return self._values[key]
        return self.value(name)

    def query_for(self, endpoint: Endpoint) -> dict[str, str]:
        """The query parameters the view needs to show its form (QUERY_FACTORIES), fresh for each call."""
        factory = QUERY_FACTORIES.get(endpoint.name)
        return factory(self) if factory else {}

    def url_for(self, endpoint: Endpoint) -> str:
        query = self.query_for(endpoint)
        return endpoint.url(**self.values_for(endpoint)) + (f"?{urlencode(query)}" if query else "")


def uninstrumented_templates(monkeypatch) -> None:
    """Render templates without the test runner's recording hook. These tests never read `response.templates`, and
    recording each of the ~600 options of every time zone select doubles their run time."""
    from django.template.base import Template
    from django.test.utils import _TestState

    original = getattr(getattr(_TestState, "saved_data", None), "template_render", None)
    if original is not None:
        monkeypatch.setattr(Template, "_render", original)


# --- forms as a browser submits them -------------------------------------------------------------------------


@dataclass
class PageForm:
    """One form of a page: where it goes and what a browser would send for it unchanged."""

    url: str  # the action, resolved against the page
    method: str
    form_id: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # name -> "date", "time", "datetime-local", "select", ...
    options: dict[str, list[str]] = field(default_factory=dict)  # select name -> its option values

    def named(self, *kinds: str) -> list[str]:
        return [name for name, kind in self.kinds.items() if kind in kinds]


@dataclass
class HtmxGet:
    url: str
    include: str  # "#schedule-form": the form whose fields the request carries
    params: str  # hx-params: "not csrfmiddlewaretoken" and the like


class _FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self.htmx_gets: list[HtmxGet] = []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._select_chosen: list[str] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if "hx-get" in a:
            self.htmx_gets.append(HtmxGet(urljoin(self.page_url, a["hx-get"]), a.get("hx-include", ""),
                                          a.get("hx-params", "")))
        if tag == "form":
            self._form = PageForm(urljoin(self.page_url, a.get("action") or self.page_url),
                                  (a.get("method") or "get").lower(), a.get("id", ""))
            self.forms.append(self._form)
            return
        form, name = self._form, a.get("name")
        if form is None or not name:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            form.kinds.setdefault(name, kind)
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            form.fields.setdefault(name, []).append(a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            form.kinds[name], form.options[name] = "select", []
            self._select, self._select_chosen = name, []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            form.options[self._select].append(value)
            if "selected" in a:
                self._select_chosen.append(value)
        elif tag == "textarea":
            form.kinds[name] = "textarea"
            form.fields[name] = [""]
            self._textarea = name

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select and self._form is not None:
            chosen = self._select_chosen or self._form.options[self._select][:1]
            self._form.fields[self._select] = chosen
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def page_forms(response: HttpResponse, page_url: str) -> tuple[list[PageForm], list[HtmxGet]]:
    """The page's forms with what a browser would send for each, and its htmx GET requests."""
    parser = _FormParser(page_url)
    parser.feed(response.content.decode(errors="replace"))
    return parser.forms, parser.htmx_gets


DATE_LIKE_FIELDS = (forms.DateField, forms.DateTimeField, forms.TimeField)
DATE_LIKE_INPUTS = ("date", "time", "datetime-local")


def date_like_form_fields() -> set[str]:
    """"module.Form.field" for every date, datetime and time field of every form the project defines."""
    found = set()
    pending = [forms.BaseForm]
    project = tuple(f"{app}." for app in ("recruitee", "calendars", "mailbox", "scheduling"))
    while pending:
        form_class = pending.pop()
        pending.extend(form_class.__subclasses__())
        if not form_class.__module__.startswith(project):
            continue
        for name, form_field in getattr(form_class, "base_fields", {}).items():
            if isinstance(form_field, DATE_LIKE_FIELDS):
                found.add(f"{form_class.__module__}.{form_class.__qualname__}.{name}")
    return found


# --- requests and checks -------------------------------------------------------------------------------------

# What a form would accept: if a view wrongly let the request through, this payload would really write.
WRITE_PAYLOAD = {
    "full_name": "Pwned By Globex", "name": "Pwned By Globex", "title": "Pwned By Globex",
    "company_name": "Pwned By Globex", "email": "pwned@globex.test", "phone": "+1 312 555 0100",
    "time_zone": "UTC", "stage": "hired", "status": "closed", "role": "admin", "notes": "pwned",
    "department": "Pwned", "location": "Pwned", "slug": "pwned-by-globex",
}


def send(client: Client, method: str, url: str) -> HttpResponse:
    if method == "get":
        return client.get(url)
    return client.post(url, WRITE_PAYLOAD)


def visible_text(response: HttpResponse) -> str:
    return html.unescape(response.content.decode(errors="replace"))


def normalized(response: HttpResponse) -> bytes:
    """The body without the per-request CSRF token, to compare two answers byte by byte."""
    return _CSRF_TOKEN.sub(b"<csrf>", response.content)


def leaked(response: HttpResponse, secrets: Iterable[str]) -> list[str]:
    text = visible_text(response) + "\n" + "\n".join(f"{k}: {v}" for k, v in response.items())
    return sorted(s for s in secrets if s and s in text)


def company_snapshot(company: Company) -> dict:
    """Every row that belongs to `company` (any model with a `company` foreign key), plus its members' accounts."""
    snapshot: dict[str, list] = {"company": list(Company.objects.filter(pk=company.pk).values())}
    with across_tenants("test setup"):
        for model in _company_owned_models():
            rows = model._base_manager.filter(company=company).order_by("pk").values()
            snapshot[model._meta.label] = list(rows)
        snapshot["users"] = list(
            User.objects.filter(memberships__company=company).order_by("pk").values(
                "pk", "email", "full_name", "time_zone", "password", "is_active"
            )
        )
    return snapshot


def _company_owned_models() -> list[type[models.Model]]:
    owned = []
    for model in apps.get_models():
        try:
            field_ = model._meta.get_field("company")
        except FieldDoesNotExist:  # not tenant-owned
            continue
        if isinstance(field_, models.ForeignKey) and field_.related_model is Company:
            owned.append(model)
    return owned


def snapshot_diff(before: dict, after: dict) -> list[str]:
    changes = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            changes.append(f"{key}: {len(before.get(key, []))} rows before, {len(after.get(key, []))} after; "
                           f"changed rows: {[r for r in after.get(key, []) if r not in before.get(key, [])][:3]}")
    return changes


@dataclass
class ProbeReport:
    failures: list[str] = field(default_factory=list)
    requests: int = 0

    def fail(self, endpoint: Endpoint, method: str, url: str, problem: str) -> None:
        self.failures.append(f"{method.upper()} {url} [{endpoint.name}]: {problem}")


def probe_as_outsider(
    client: Client, endpoints: list[Endpoint], victim: CompanyObjects, *, own_slug: str,
    unknown_slug: str = "no-such-company",
) -> ProbeReport:
    """Request every URL with the victim's ids as a signed-in member of another company (`own_slug`).

    Under the victim's slug, the answer must be the very 404 an unknown company gets. Under the outsider's own slug,
    the victim's ids must get the very answer that ids of nothing get. No victim text may appear, and no victim row
    may change.
    """
    report = ProbeReport()
    for endpoint in endpoints:  # create the victim's objects before the snapshot
        victim.values_for(endpoint)
    before = company_snapshot(victim.company)
    # Company pages first, then the rest: a page that queues a flash message must not colour later comparisons.
    ordered = sorted(endpoints, key=lambda e: not e.is_company)
    for endpoint in ordered:
        values = victim.values_for(endpoint)
        for method in ("get", "post"):
            if endpoint.is_company:
                _probe_victim_slug(client, endpoint, method, values, victim, unknown_slug, report)
                if endpoint.object_kwargs:
                    _probe_own_slug(client, endpoint, method, values, victim, own_slug, report)
            else:
                _probe_non_company(client, endpoint, method, values, victim, report)
    changes = snapshot_diff(before, company_snapshot(victim.company))
    if changes:
        report.failures.append(f"{victim.company.slug}'s data changed during the probe: {changes}")
    return report


def _probe_victim_slug(client, endpoint, method, values, victim, unknown_slug, report) -> None:
    url = endpoint.url(**values)
    response = send(client, method, url)
    report.requests += 1
    if endpoint.is_public:
        # A public page (the invitation link) opens for whoever holds a valid token, but shows only what it is about.
        if response.status_code >= 500:
            report.fail(endpoint, method, url, f"status {response.status_code}")
        if secrets := leaked(response, victim.secrets - victim.shown_with_token):
            report.fail(endpoint, method, url, f"public page shows other data of {victim.company.slug}: {secrets}")
        return
    reference_url = endpoint.url(**{**values, "company_slug": unknown_slug})
    reference = send(client, method, reference_url)
    report.requests += 1
    if response.status_code != 404:
        report.fail(endpoint, method, url, f"status {response.status_code}, expected 404")
    elif normalized(response) != normalized(reference):
        report.fail(endpoint, method, url, f"the 404 differs from the one for {reference_url}")
    if secrets := leaked(response, victim.secrets):
        report.fail(endpoint, method, url, f"shows {secrets}")


def _probe_own_slug(client, endpoint, method, values, victim, own_slug, report) -> None:
    url = endpoint.url(**{**values, "company_slug": own_slug})
    reference_url = endpoint.url(**{**endpoint.missing_values(), "company_slug": own_slug})
    response = send(client, method, url)
    reference = send(client, method, reference_url)
    report.requests += 2
    # 405 where the method is not allowed at all (e.g. GET on a POST-only action), for real and missing ids alike.
    if response.status_code not in (404, 405):
        report.fail(endpoint, method, url, f"status {response.status_code}, expected 404")
    elif response.status_code != reference.status_code or normalized(response) != normalized(reference):
        report.fail(endpoint, method, url, f"answer differs from the one for an id of nothing ({reference_url})")
    if secrets := leaked(response, victim.secrets):
        report.fail(endpoint, method, url, f"shows {secrets}")


def _probe_non_company(client, endpoint, method, values, victim, report) -> None:
    url = endpoint.url(**values)
    response = send(client, method, url)
    report.requests += 1
    if endpoint.is_public and endpoint.object_kwargs:
        # A link's public page (the candidate's booking pages) opens for whoever holds the token, and shows only what
        # the link is about; a token of nothing gets a 404.
        reference_url = endpoint.url(**endpoint.missing_values())
        reference = send(client, method, reference_url)
        report.requests += 1
        if response.status_code >= 500:
            report.fail(endpoint, method, url, f"status {response.status_code}")
        if reference.status_code not in (404, 405):
            report.fail(endpoint, method, reference_url, f"status {reference.status_code}, expected 404")
        if secrets := leaked(response, victim.secrets - victim.shown_with_token):
            report.fail(endpoint, method, url, f"public page shows other data of {victim.company.slug}: {secrets}")
        if secrets := leaked(reference, victim.secrets):
            report.fail(endpoint, method, reference_url, f"shows {secrets}")
        return
    if endpoint.object_kwargs:
        reference_url = endpoint.url(**endpoint.missing_values())
        reference = send(client, method, reference_url)
        report.requests += 1
        if response.status_code not in (404, 405) or response.status_code != reference.status_code:
            report.fail(endpoint, method, url, f"status {response.status_code}, expected the 404 of {reference_url}")
    elif response.status_code >= 500:
        report.fail(endpoint, method, url, f"status {response.status_code}")
    if secrets := leaked(response, victim.secrets):
        report.fail(endpoint, method, url, f"shows {secrets}")


def probe_logged_out(client: Client, endpoints: list[Endpoint], victim: CompanyObjects,
                     *, unknown_slug: str = "no-such-company") -> ProbeReport:
    """Anonymous visitors are sent to the login page everywhere, except on public pages that show only their subject."""
    report = ProbeReport()
    for endpoint in endpoints:  # create the victim's objects before the snapshot
        victim.values_for(endpoint)
    before = company_snapshot(victim.company)
    login_url = resolve_url(settings.LOGIN_URL)
    for endpoint in endpoints:
        values = victim.values_for(endpoint)
        for method in ("get", "post"):
            url = endpoint.url(**values)
            response = send(client, method, url)
            report.requests += 1
            if endpoint.is_public:
                if response.status_code >= 500:
                    report.fail(endpoint, method, url, f"status {response.status_code}")
                if secrets := leaked(response, victim.secrets - victim.shown_with_token):
                    report.fail(endpoint, method, url, f"public page shows other data: {secrets}")
                continue
            if endpoint.name in PUBLIC_NON_COMPANY_VIEWS:
                if response.status_code >= 500:
                    report.fail(endpoint, method, url, f"status {response.status_code}")
                if secrets := leaked(response, victim.secrets):
                    report.fail(endpoint, method, url, f"shows {secrets}")
                continue
            answers = [(url, response)]
            if endpoint.is_company:
                # An unknown company gets the same redirect: the login wall tells nothing about which slugs exist.
                unknown_url = endpoint.url(**{**values, "company_slug": unknown_slug})
                answers.append((unknown_url, send(client, method, unknown_url)))
                report.requests += 1
            for each, answer in answers:
                location = answer.get("Location", "")
                parts = urlsplit(location)
                if answer.status_code != 302 or parts.path != login_url or parse_qs(parts.query).get("next") != [each]:
                    report.fail(endpoint, method, each,
                                f"status {answer.status_code} to {location!r}, expected a redirect to {login_url}")
                if secrets := leaked(answer, victim.secrets):
                    report.fail(endpoint, method, each, f"shows {secrets}")
    changes = snapshot_diff(before, company_snapshot(victim.company))
    if changes:
        report.failures.append(f"{victim.company.slug}'s data changed: {changes}")
    return report


@pytest.fixture
def probe_settings(settings, tmp_path, monkeypatch):
    """What every probe test needs: providers that cannot be reached, a private mail catcher, fast templates."""
    for name, value in UNREACHABLE_PROVIDERS.items():
        setattr(settings, name, value)
    settings.MAILBOX_CATCHER_DIR = tmp_path / "mail-catcher"
    # The probes send hundreds of requests from one client address; the booking pages' limits are tested on their own.
    settings.BOOKING_RATE_PER_CLIENT = settings.BOOKING_RATE_PER_TOKEN_GET = settings.BOOKING_RATE_PER_TOKEN_POST = 0
    uninstrumented_templates(monkeypatch)
