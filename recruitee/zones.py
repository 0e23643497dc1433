"""Time-zone names, in one place with one rule: a zone is a real IANA name that this machine's zone database knows.

People choose zones from a list (members, candidates, companies, interviews); providers and old rows send names
we must display without failing. Both go through here.
"""

from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

UTC_ZONE = ZoneInfo("UTC")

# In the zone database but not a place anyone lives: "localtime" is whatever zone the server runs in, "posixrules"
# a template file, "Factory" a placeholder whose abbreviation is "-00".
NOT_A_PLACE = frozenset({"localtime", "posixrules", "Factory"})


class TimeZoneError(ValueError):
    """Not an IANA zone name this machine knows."""


@cache
def known_zone_names() -> frozenset[str]:
    # Walks the zone database on disk: once per process is enough.
    return frozenset(available_timezones()) - NOT_A_PLACE


def is_known_zone(name: str) -> bool:
    return name in known_zone_names()


def zone_for(name: str) -> ZoneInfo:
    """The zone called `name` ("Europe/Berlin"), or TimeZoneError.

    Checked against the list first: ZoneInfo itself would also open names like "Europe" that are folders, or
    "localtime".
    """
    if not is_known_zone(name):
        raise TimeZoneError(f"“{name}” is not a known time zone. Use a name like “Europe/Berlin”.")
    return ZoneInfo(name)


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The zone called `name`, or UTC when the name is empty or unknown: a display must never fail on a name."""
    try:
        return zone_for(name) if name else UTC_ZONE
    except (TimeZoneError, ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(known_zone_names())]


class ZoneSelect(forms.Select):
    """The same markup as Django's select, written here: through the form templates, ~600 options cost a page
    ~15 ms (an include and its context per option)."""

    every_zone = False  # set by TimeZoneField when its choices are every known zone (time_zone_choices)

    def render(self, name, value, attrs=None, renderer=None):
        # Every zone: the options made once per process, without walking Django's choices (normalising ~600 of them
        # cost ~1.5 ms each time: several times a page).
        options = _every_zone_html() if self.every_zone else _options_html(tuple(self.choices))
        for chosen in self.format_value(value):
            opening = f'<option value="{conditional_escape(chosen)}">'
            options = options.replace(opening, opening[:-1] + " selected>", 1)
        return format_html("<select{}>{}</select>", flatatt({**self.build_attrs(self.attrs, attrs), "name": name}),
                           mark_safe(options))  # noqa: S308 -- every value and label is escaped in _options_html


@cache
def _every_zone_html() -> str:
    return _options_html(tuple(time_zone_choices()))


@lru_cache(maxsize=8)
def _options_html(choices: tuple[tuple[str, str], ...]) -> str:
    # The same ~600 options on every page with a zone field: escaped and joined once per process (several ms a
    # page otherwise); only "selected" differs per page.
    return "".join(f'<option value="{conditional_escape(key)}">{conditional_escape(label)}</option>'
                   for key, label in choices)


class TimeZoneField(forms.ChoiceField):
    """A select of every known zone; the value is the IANA name."""

    widget = ZoneSelect

    def __init__(self, **kwargs):
        self.every_zone = "choices" not in kwargs
        kwargs.setdefault("choices", time_zone_choices)
        kwargs.setdefault("initial", "UTC")
        super().__init__(**kwargs)
        self.widget.every_zone = self.every_zone

    def valid_value(self, value) -> bool:
        # A set lookup, rather than walking (and normalising) every zone's choice.
        return is_known_zone(str(value)) if self.every_zone else super().valid_value(value)
