"""Show the HTML of an email without letting it do anything: sanitized by nh3, then served to a sandboxed frame.

Two independent layers. nh3 keeps formatting tags and a short list of harmless CSS properties and drops scripts,
event handlers, forms and `javascript:` links. The frame document has its own CSP (no scripts, no network: remote
images, fonts and trackers stay blocked) and the page embeds it with `sandbox=""`, so even a sanitizer bug would
run nothing.
"""

from __future__ import annotations

import copy

import nh3
from django.http import HttpResponse
from django.utils.html import escape

_ATTRIBUTES = copy.deepcopy(nh3.ALLOWED_ATTRIBUTES)
for _tag in ("p", "div", "span", "table", "td", "th", "tr", "a", "h1", "h2", "h3", "h4", "ul", "ol", "li",
             "blockquote", "img", "strong", "em", "b", "i", "u", "small", "pre", "code", "hr", "font"):
    _ATTRIBUTES.setdefault(_tag, set()).add("style")
_ATTRIBUTES.setdefault("td", set()).update({"align", "valign", "width", "colspan", "rowspan"})
_ATTRIBUTES.setdefault("table", set()).update({"width", "cellpadding", "cellspacing", "border", "align"})

_STYLE_PROPERTIES = {
    "color", "background", "background-color", "font", "font-family", "font-size", "font-style", "font-weight",
    "line-height", "text-align", "text-decoration", "margin", "margin-top", "margin-bottom", "margin-left",
    "margin-right", "padding", "padding-top", "padding-bottom", "padding-left", "padding-right", "border",
    "border-radius", "border-collapse", "display", "width", "max-width", "vertical-align", "white-space",
}

FRAME_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; form-action 'none'; "
    "base-uri 'none'; frame-ancestors 'self'; sandbox"
)

_FRAME_STYLE = (
    "body{margin:0;padding:16px 20px;font:15px/1.55 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
    "color:#1f2328;background:#fff;overflow-wrap:anywhere}img{max-width:100%;height:auto}"
)


def sanitize_email_html(html: str) -> str:
    return nh3.clean(
        html,
        attributes=_ATTRIBUTES,
        clean_content_tags={"script", "style", "title", "head", "template", "noscript", "iframe", "object"},
        url_schemes={"http", "https", "mailto", "tel"},
        filter_style_properties=_STYLE_PROPERTIES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def html_frame_response(html: str, *, title: str) -> HttpResponse:
    """A standalone document for `<iframe sandbox="" src=...>`: sanitized body, its own CSP, frameable by us only."""
    document = (
        "<!doctype html><html><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>{_FRAME_STYLE}</style></head>"
        f"<body>{sanitize_email_html(html)}</body></html>"
    )
    response = HttpResponse(document, content_type="text/html; charset=utf-8")
    # Set here, so django-csp leaves it alone: this document may be framed by our pages (the site's CSP says no).
    response["Content-Security-Policy"] = FRAME_CSP
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
