"""Microsoft identity platform (msal) and Graph calendars against the sandbox."""

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta

import requests

from calendars.sandbox.data import CONSUMER_TENANT, SANDBOX_TENANT
from calendars.sandbox.model import MICROSOFT
from tests.sandbox_fixtures import WebhookReceiver, consent, consent_response, form_post_fields, query_of

from .conftest import GRAPH_SCOPES, MICROSOFT_REDIRECT, SAM, msal_app

WINDOW = {"startDateTime": (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT00:00:00Z"),
          "endDateTime": (datetime.now(UTC) + timedelta(days=60)).strftime("%Y-%m-%dT00:00:00Z")}


def delta_all(session, url, params=None, page_size=200):
    """Follow nextLinks to the deltaLink; returns (items, pages, deltaLink)."""
    items, pages = [], 0
    headers = {"Prefer": f"odata.maxpagesize={page_size}"}
    while True:
        response = session.get(url, params=params, headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        assert response.headers["Preference-Applied"] == f"odata.maxpagesize={page_size}"
        body = response.json()
        pages += 1
        items.extend(body["value"])
        if "@odata.deltaLink" in body:
            assert "@odata.nextLink" not in body
            return items, pages, body["@odata.deltaLink"]
        url, params = body["@odata.nextLink"], None


def _raw_code(sandbox, verifier="v" * 50, email=SAM):
    client_id, _ = sandbox.client(MICROSOFT)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    url = requests.Request("GET", sandbox.microsoft_http_url + "/common/oauth2/v2.0/authorize", params={
        "client_id": client_id, "response_type": "code", "redirect_uri": MICROSOFT_REDIRECT, "state": "st",
        "scope": "Calendars.ReadWrite User.Read offline_access openid profile", "code_challenge": challenge,
        "code_challenge_method": "S256"}).prepare().url
    return url, query_of(consent(url, email)).get("code")


def _token(sandbox, **data):
    client_id, secret = sandbox.client(MICROSOFT)
    return sandbox.requests_session().post(sandbox.microsoft_url + "/common/oauth2/v2.0/token", timeout=10,
                                           data={"client_id": client_id, "client_secret": secret, **data})


def test_it_publishes_openid_metadata_msal_can_use(sandbox):
    config = sandbox.requests_session().get(
        sandbox.microsoft_url + "/common/v2.0/.well-known/openid-configuration", timeout=10).json()
    assert config["authorization_endpoint"] == sandbox.microsoft_http_url + "/common/oauth2/v2.0/authorize"
    assert config["token_endpoint"] == sandbox.microsoft_url + "/common/oauth2/v2.0/token"
    assert config["issuer"] == sandbox.microsoft_url + "/{tenantid}/v2.0"
    assert config["end_session_endpoint"] and config["jwks_uri"]


def test_it_completes_the_msal_auth_code_flow_with_client_info(sandbox, microsoft_login):
    result = microsoft_login(SAM)
    claims = result["id_token_claims"]
    assert claims["preferred_username"] == SAM and claims["tid"] == CONSUMER_TENANT
    assert claims["aud"] == sandbox.client(MICROSOFT)[0]
    assert claims["iss"] == f"{sandbox.microsoft_url}/{CONSUMER_TENANT}/v2.0"
    assert result["token_type"] == "Bearer" and result["expires_in"] == 3599 and "ext_expires_in" in result
    assert result["scope"] == "Calendars.ReadWrite User.Read profile openid email"
    assert result["refresh_token"]
    info = json.loads(base64.urlsafe_b64decode(result["client_info"] + "=="))
    account = sandbox.state.account(MICROSOFT, SAM)
    assert info == {"uid": account.uid, "utid": CONSUMER_TENANT}


def test_it_offers_only_the_tenants_accounts(sandbox):
    app = msal_app(sandbox, tenant="organizations")
    flow = app.initiate_auth_code_flow(GRAPH_SCOPES, redirect_uri=MICROSOFT_REDIRECT)
    page = requests.get(flow["auth_uri"], timeout=10).text
    assert "interviewer@acme.test" in page and "recruiter@acme.test" in page
    assert SAM not in page
    result = app.acquire_token_by_auth_code_flow(flow, query_of(consent(flow["auth_uri"], "interviewer@acme.test")))
    assert result["id_token_claims"]["tid"] == SANDBOX_TENANT


def test_it_rotates_refresh_tokens_and_rejects_the_old_one(sandbox, microsoft_login):
    first = microsoft_login()["refresh_token"]
    second = msal_app(sandbox).acquire_token_by_refresh_token(first, scopes=GRAPH_SCOPES)
    assert "access_token" in second, second
    assert second["refresh_token"] != first
    reused = _token(sandbox, grant_type="refresh_token", refresh_token=first, scope="Calendars.ReadWrite")
    assert reused.status_code == 400
    body = reused.json()
    assert body["error"] == "invalid_grant" and body["error_codes"] == [70000]
    assert body["error_description"].startswith("AADSTS70000:")
    assert {"timestamp", "trace_id", "correlation_id"} <= set(body)
    third = msal_app(sandbox).acquire_token_by_refresh_token(second["refresh_token"], scopes=GRAPH_SCOPES)
    assert "access_token" in third, third


def test_it_rejects_pkce_mismatch_and_code_reuse_with_aadsts_codes(sandbox):
    _, code = _raw_code(sandbox)
    wrong = _token(sandbox, grant_type="authorization_code", code=code, redirect_uri=MICROSOFT_REDIRECT,
                   code_verifier="w" * 50)
    assert wrong.json()["error_codes"] == [501481]
    _, code = _raw_code(sandbox)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": MICROSOFT_REDIRECT,
            "code_verifier": "v" * 50}
    assert _token(sandbox, **data).status_code == 200
    again = _token(sandbox, **data)
    assert again.status_code == 400 and again.json()["error_codes"] == [54005]
    _, code = _raw_code(sandbox)
    moved = _token(sandbox, **{**data, "code": code, "redirect_uri": "http://localhost:9/elsewhere"})
    assert moved.json()["error"] == "invalid_grant"


def test_it_redirects_with_aadsts65004_on_deny(sandbox):
    url, _ = _raw_code(sandbox)
    params = query_of(consent(url, deny=True))
    assert params["error"] == "access_denied" and params["state"] == "st"
    assert params["error_description"].startswith("AADSTS65004")


def test_it_answers_me_and_pages_calendars(sandbox, graph):
    session = graph()
    me = session.get(sandbox.graph_url + "/me", timeout=10).json()
    assert me["mail"] == SAM and me["displayName"] == "Sam O'Connor" and me["userPrincipalName"] == SAM
    first = session.get(sandbox.graph_url + "/me/calendars", params={"$top": 2}, timeout=10).json()
    assert len(first["value"]) == 2
    rest = session.get(first["@odata.nextLink"], timeout=10).json()
    calendars = first["value"] + rest["value"]
    default = [c for c in calendars if c["isDefaultCalendar"]]
    assert len(default) == 1 and default[0]["canEdit"] is True and default[0]["owner"]["address"] == SAM
    assert any(c["canEdit"] is False for c in calendars)


def test_it_requires_a_window_for_delta(sandbox, graph):
    answer = graph().get(sandbox.graph_url + "/me/calendarView/delta", timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "ErrorInvalidParameter"


def test_it_pages_delta_and_returns_only_changes_after_the_delta_link(sandbox, graph):
    session = graph()
    items, pages, delta_link = delta_all(session, sandbox.graph_url + "/me/calendarView/delta", WINDOW)
    assert pages > 1 and len(items) > 200
    assert len({i["id"] for i in items}) == len(items)
    types = {i["type"] for i in items}
    assert {"singleInstance", "occurrence", "exception"} <= types
    sample = items[0]
    assert sample["start"]["timeZone"] == "UTC" and sample["start"]["dateTime"].endswith(".0000000")
    assert {"iCalUId", "subject", "showAs", "isAllDay", "isCancelled", "organizer", "lastModifiedDateTime",
            "originalStartTimeZone"} <= set(sample)

    occurrence = next(i for i in items if i["type"] == "occurrence")
    single = next(i for i in items if i["type"] == "singleInstance" and i["isOrganizer"] and not i["isAllDay"])
    leaving = next(i for i in items if i["type"] == "singleInstance" and i["id"] != single["id"]
                   and not i["isAllDay"])
    start = datetime.fromisoformat(occurrence["start"]["dateTime"][:19]).replace(tzinfo=UTC) + timedelta(hours=1)
    sandbox.state.move_event(MICROSOFT, SAM, occurrence["id"], start=start)
    sandbox.state.move_event(MICROSOFT, SAM, leaving["id"], start=datetime(2099, 1, 1, 9, tzinfo=UTC))
    assert session.delete(sandbox.graph_url + f"/me/events/{single['id']}", timeout=10).status_code == 204

    changes, _, next_link = delta_all(session, delta_link)
    by_id = {c["id"]: c for c in changes}
    assert set(by_id) == {occurrence["id"], single["id"], leaving["id"]}
    assert by_id[single["id"]] == {"@odata.type": "#microsoft.graph.event", "id": single["id"],
                                   "@removed": {"reason": "deleted"}}
    assert by_id[leaving["id"]]["@removed"] == {"reason": "deleted"}  # left the window
    moved = by_id[occurrence["id"]]
    assert moved["type"] == "exception" and moved["seriesMasterId"] == occurrence["seriesMasterId"]
    assert moved["start"]["dateTime"] == start.strftime("%Y-%m-%dT%H:%M:%S.0000000")
    quiet, _, _ = delta_all(session, next_link)
    assert quiet == []


def test_it_answers_410_for_invalidated_or_unknown_delta_state(sandbox, graph):
    session = graph()
    _, _, delta_link = delta_all(session, sandbox.graph_url + "/me/calendarView/delta", WINDOW, page_size=1000)
    sandbox.state.invalidate_sync_tokens(MICROSOFT, SAM)
    answer = session.get(delta_link, timeout=10)
    assert answer.status_code == 410
    assert answer.json()["error"]["code"] == "syncStateNotFound"
    bogus = session.get(sandbox.graph_url + "/me/calendarView/delta?$deltatoken=nope", timeout=10)
    assert bogus.status_code == 410


def test_it_syncs_other_calendars_and_converts_time_zones(sandbox, graph):
    session = graph()
    calendars = session.get(sandbox.graph_url + "/me/calendars", timeout=10).json()["value"]
    team = next(c for c in calendars if c["name"] == "Team")
    answer = session.get(sandbox.graph_url + f"/me/calendars/{team['id']}/calendarView/delta", params=WINDOW,
                         headers={"Prefer": 'outlook.timezone="Pacific Standard Time", odata.maxpagesize=5'},
                         timeout=10)
    assert answer.status_code == 200
    assert 'outlook.timezone="Pacific Standard Time"' in answer.headers["Preference-Applied"]
    timed = [e for e in answer.json()["value"] if not e["isAllDay"]]
    assert timed and all(e["start"]["timeZone"] == "Pacific Standard Time" for e in timed)
    assert "/me/calendars/" in answer.json()["@odata.nextLink"]


def test_it_creates_events_idempotently_and_sends_invitations(sandbox, graph):
    session = graph()
    body = {"subject": "Interview: Ada Lovelace", "transactionId": "7E163156-7762-4BEB-A1C6-729EA81755A7",
            "start": {"dateTime": "2030-03-29T09:00:00", "timeZone": "W. Europe Standard Time"},
            "end": {"dateTime": "2030-03-29T10:00:00", "timeZone": "W. Europe Standard Time"},
            "location": {"displayName": "Room Aurora"},
            "attendees": [{"emailAddress": {"address": "ada@candidates.test", "name": "Ada"}, "type": "required"},
                          {"emailAddress": {"address": "ben.cohen@acme.test"}, "type": "optional"}]}
    first = session.post(sandbox.graph_url + "/me/events", json=body, timeout=10)
    assert first.status_code == 201, first.text
    event = first.json()
    assert event["start"] == {"dateTime": "2030-03-29T08:00:00.0000000", "timeZone": "UTC"}
    assert event["originalStartTimeZone"] == "W. Europe Standard Time" and event["transactionId"]
    again = session.post(sandbox.graph_url + "/me/events", json=body, timeout=10)
    assert again.status_code == 201 and again.json()["id"] == event["id"]
    invites = sandbox.state.outbox_entries(MICROSOFT)
    assert sorted((i["attendee"], i["kind"]) for i in invites) == [("ada@candidates.test", "invite"),
                                                                  ("ben.cohen@acme.test", "invite")]
    patched = session.patch(sandbox.graph_url + f"/me/events/{event['id']}", timeout=10, json={
        "start": {"dateTime": "2030-03-29T11:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2030-03-29T12:00:00", "timeZone": "UTC"}})
    assert patched.status_code == 200 and patched.json()["start"]["dateTime"].startswith("2030-03-29T11:00")
    assert session.delete(sandbox.graph_url + f"/me/events/{event['id']}", timeout=10).status_code == 204
    kinds = sorted(i["kind"] for i in sandbox.state.outbox_entries(MICROSOFT))
    assert kinds == ["cancel", "cancel", "invite", "invite", "update", "update"]
    missing = session.get(sandbox.graph_url + f"/me/events/{event['id']}", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ErrorItemNotFound"


def test_it_validates_subscriptions_and_notifies(sandbox, graph):
    session = graph()
    expires = (datetime.now(UTC) + timedelta(minutes=4000)).isoformat()
    with WebhookReceiver() as hook:
        answer = session.post(sandbox.graph_url + "/subscriptions", timeout=20, json={
            "changeType": "created,updated,deleted", "notificationUrl": hook.url, "resource": "me/events",
            "expirationDateTime": expires, "clientState": "s3cret"})
        assert answer.status_code == 201, answer.text
        sub = answer.json()
        validation = [r for r in hook.received if "validationToken" in r["query"]]
        assert len(validation) == 1
        sandbox.state.add_event(MICROSOFT, SAM, summary="Dentist", start="2030-01-01T09:00:00-05:00")
        note = hook.wait_for(1)[0]["json"]["value"][0]
        assert note["subscriptionId"] == sub["id"] and note["clientState"] == "s3cret"
        assert note["changeType"] == "created" and note["resourceData"]["@odata.type"] == "#Microsoft.Graph.Event"
        assert note["resource"].startswith("Users/") and note["tenantId"] == CONSUMER_TENANT
        later = (datetime.now(UTC) + timedelta(minutes=4200)).isoformat()
        renewed = session.patch(sandbox.graph_url + f"/subscriptions/{sub['id']}", timeout=10,
                                json={"expirationDateTime": later})
        assert renewed.status_code == 200
        assert session.delete(sandbox.graph_url + f"/subscriptions/{sub['id']}", timeout=10).status_code == 204


def test_it_refuses_subscriptions_that_fail_validation_or_live_too_long(sandbox, graph):
    session = graph()
    with WebhookReceiver(echo_validation=False) as silent:
        answer = session.post(sandbox.graph_url + "/subscriptions", timeout=20, json={
            "changeType": "created", "notificationUrl": silent.url, "resource": "me/events",
            "expirationDateTime": (datetime.now(UTC) + timedelta(hours=1)).isoformat()})
        assert answer.status_code == 400
        assert "Subscription validation request failed" in answer.json()["error"]["message"]
    too_long = session.post(sandbox.graph_url + "/subscriptions", timeout=20, json={
        "changeType": "created", "notificationUrl": "https://example.test/hook", "resource": "me/events",
        "expirationDateTime": (datetime.now(UTC) + timedelta(minutes=4231)).isoformat()})
    assert too_long.status_code == 400


def test_it_answers_401_for_missing_and_expired_tokens(sandbox, graph):
    session = graph()
    sandbox.state.expire_tokens(MICROSOFT, SAM)
    answer = session.get(sandbox.graph_url + "/me", timeout=10)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"
    bare = sandbox.requests_session().get(sandbox.graph_url + "/me", timeout=10)
    assert bare.status_code == 401 and bare.json()["error"]["message"] == "Access token is empty."


def test_it_injects_throttling_and_a_failure_on_the_third_page(sandbox, graph):
    session = graph()
    sandbox.state.inject_fault(path=r"/calendarView/delta$", status=429, retry_after=3)
    throttled = session.get(sandbox.graph_url + "/me/calendarView/delta", params=WINDOW, timeout=10)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3"
    assert throttled.json()["error"]["code"] == "TooManyRequests"
    sandbox.state.inject_fault(path=r"/calendarView/delta$", status=500, nth=3)
    headers = {"Prefer": "odata.maxpagesize=20"}
    url, params = sandbox.graph_url + "/me/calendarView/delta", WINDOW
    statuses = []
    for _ in range(4):
        response = session.get(url, params=params, headers=headers, timeout=10)
        statuses.append(response.status_code)
        if response.status_code == 200:
            url, params = response.json()["@odata.nextLink"], None
    assert statuses == [200, 200, 500, 200]  # the retried third page succeeds


def test_it_supports_response_mode_form_post(sandbox):
    app = msal_app(sandbox)
    flow = app.initiate_auth_code_flow(GRAPH_SCOPES, redirect_uri=MICROSOFT_REDIRECT, response_mode="form_post")
    action, fields = form_post_fields(consent_response(flow["auth_uri"], SAM))
    assert action == MICROSOFT_REDIRECT and fields["state"] == flow["state"]
    result = app.acquire_token_by_auth_code_flow(flow, fields)
    assert result["id_token_claims"]["preferred_username"] == SAM


def test_it_leaves_an_event_untouched_when_a_patch_is_rejected(sandbox, graph):
    session = graph()
    created = session.post(sandbox.graph_url + "/me/events", timeout=10, json={
        "subject": "Keep me", "start": {"dateTime": "2030-01-01T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2030-01-01T11:00:00", "timeZone": "UTC"}}).json()
    rejected = session.patch(sandbox.graph_url + f"/me/events/{created['id']}", timeout=10, json={
        "subject": "Changed", "start": {"dateTime": "2030-01-01T10:00:00", "timeZone": "Nowhere/Else"}})
    assert rejected.status_code == 400
    assert session.get(sandbox.graph_url + f"/me/events/{created['id']}", timeout=10).json()["subject"] == "Keep me"
