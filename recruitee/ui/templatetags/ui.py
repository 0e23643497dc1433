"""Template helpers for the Bootstrap-styled layout."""

from django import template
from django.forms import BoundField
from django.utils.html import format_html

register = template.Library()

_WIDGET_CLASSES = {"select": "form-select", "selectmultiple": "form-select", "checkbox": "form-check-input"}


@register.filter
def control(field: BoundField) -> str:
    """Render a form field's widget with Bootstrap's classes and its validity state."""
    css = _WIDGET_CLASSES.get(field.widget_type, "form-control")
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    return field.as_widget(attrs=attrs)


_BADGES = {
    "open": "success", "closed": "secondary",
    "applied": "secondary", "screening": "info", "interview": "primary", "offer": "warning",
    "hired": "success", "rejected": "dark",
    "admin": "danger", "recruiter": "primary", "interviewer": "secondary",
}


@register.simple_tag
def badge(value: str, label: str) -> str:
    return format_html('<span class="badge text-bg-{}">{}</span>', _BADGES.get(value, "secondary"), label)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced: keeps search and filters across pages."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
