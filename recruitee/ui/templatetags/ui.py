"""Template helpers for the Bootstrap-styled layout."""

from django import template
from django.forms import BoundField
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

_WIDGET_CLASSES = {"select": "form-select", "selectmultiple": "form-select", "checkbox": "form-check-input"}


@register.filter
def control(field: BoundField) -> str:
    """Render a form field's widget with Bootstrap's classes and its validity state."""
    css = _WIDGET_CLASSES.get(field.widget_type, "form-control")
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    described_by = []
    if field.errors:
        attrs["aria-invalid"] = "true"
        described_by.append(errors_id(field))  # the messages {% field_errors %} renders
    if field.help_text:
        described_by.append(f"{field.auto_id}_help")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.simple_tag
def widget_attrs(attrs: dict) -> str:
    """What Django's django/forms/widgets/attrs.html writes, which templates/ overrides with this: each attribute
    after a space, True as a bare name, False left out, names and values escaped (a value already marked safe
    kept). Through the template engine it was the dearest part of a form: a loop, two conditions and a filter per
    attribute, for every widget and every checkbox of a list."""
    return mark_safe("".join(  # noqa: S308 -- every name and value is escaped here
        f" {conditional_escape(name)}" if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items() if value is not False
    ))


def errors_id(field: BoundField) -> str:
    return f"{field.auto_id}_errors"


@register.simple_tag
def field_errors(field: BoundField) -> str:
    """A field's error messages under the id its control names in aria-describedby: a screen reader reads them with
    the field. Each message keeps Bootstrap's `invalid-feedback` look."""
    if not field.errors:
        return ""
    messages = format_html_join("", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in field.errors))
    return format_html('<div id="{}">{}</div>', errors_id(field), messages)


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


@register.filter
def has_required_fields(form) -> bool:
    """Whether a form asks for anything it cannot do without: its fields then say in words which are required."""
    return any(field.field.required for field in form.visible_fields())
