"""Validators shared by several apps."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    """Accept only IANA zone names that this machine's zone database knows (e.g. "Europe/Berlin")."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone. Use a name like “Europe/Berlin”."),
            code="invalid_time_zone",
            params={"value": value},
        )


def validate_no_line_breaks(value: str) -> None:
    """Header-bound text (names, subjects) must be one line: a CR or LF there could inject mail headers."""
    if "\r" in value or "\n" in value:
        raise ValidationError(_("Line breaks are not allowed here."), code="line_break")
