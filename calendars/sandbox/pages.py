"""Small HTML pages: consent screens, error pages, form_post responses. Every value is escaped."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from html import escape

from .model import Account
from .web import Response, html_response

STYLE = """
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#202124}
h1{font-size:1.4rem} .muted{color:#5f6368} table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;font-size:.9rem;vertical-align:top}
button{padding:.45rem .9rem;margin:.15rem;cursor:pointer} .acct{display:block;width:100%;text-align:left}
.deny{background:#fff;border:1px solid #999} code{background:#f1f3f4;padding:0 .2rem}
input,select{padding:.3rem;margin:.1rem} form.inline{display:inline}
"""


def esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def page(title: str, body: str, *, status: int = 200) -> Response:
    html = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'><title>{esc(title)}</title>"
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )
    return html_response(html, status)


def error_page(title: str, message: str, status: int = 400) -> Response:
    return page(title, f"<h1>{esc(title)}</h1><p>{esc(message)}</p>"
                       "<p class=muted>Sandbox provider: this page stands in for the real error screen.</p>",
                status=status)


def hidden(name: str, value: str) -> str:
    return f"<input type=hidden name='{esc(name)}' value='{esc(value)}'>"


def consent_page(
    *, brand: str, action: str, consent_id: str, client_id: str, scopes: Iterable[str], accounts: list[Account],
    hint: str | None = None,
) -> Response:
    ordered = sorted(accounts, key=lambda a: (a.email != (hint or "").lower(), a.email))
    buttons = "".join(
        f"<button class=acct type=submit name=account value='{esc(a.email)}'>"
        f"<strong>{esc(a.name)}</strong> <span class=muted>{esc(a.email)}</span></button>"
        for a in ordered
    )
    if not buttons:
        buttons = "<p>No sandbox account can sign in here.</p>"
    scope_items = "".join(f"<li><code>{esc(s)}</code></li>" for s in scopes)
    body = (
        f"<h1>{esc(brand)} (sandbox): choose an account</h1>"
        f"<p>The app <code>{esc(client_id)}</code> wants to:</p><ul>{scope_items}</ul>"
        f"<form method=post action='{esc(action)}'>{hidden('consent', consent_id)}{buttons}"
        "<p><button class=deny type=submit name=deny value=1>Deny</button></p></form>"
    )
    return page(f"Sign in – {brand}", body)


def form_post_page(action: str, fields: dict[str, str]) -> Response:
    """OAuth response_mode=form_post: a form that submits itself (button as fallback)."""
    nonce = secrets.token_urlsafe(12)
    inputs = "".join(hidden(k, v) for k, v in fields.items() if v is not None)
    html = (
        "<!doctype html><html><head><meta charset=utf-8><title>Continue</title></head><body>"
        f"<form method=post action='{esc(action)}'>{inputs}<button type=submit>Continue</button></form>"
        f"<script nonce='{nonce}'>document.forms[0].submit()</script></body></html>"
    )
    resp = html_response(html)
    resp.headers = [(k, v) for k, v in resp.headers if k != "Content-Security-Policy"]
    resp.headers.append(("Content-Security-Policy", f"default-src 'none'; script-src 'nonce-{nonce}'; form-action *"))
    return resp
