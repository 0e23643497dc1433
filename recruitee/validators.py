"""Validators shared by several apps."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .text import is_single_line
from .zones import is_known_zone


def validate_time_zone(value: str) -> None:
    """Accept only IANA zone names that this machine's zone database knows (e.g. "Europe/Berlin")."""
    if not is_known_zone(value):
        raise ValidationError(
            _("“%(value)s” is not a known time zone. Use a name like “Europe/Berlin”."),
            code="invalid_time_zone",
            params={"value": value},
        )


def validate_no_line_breaks(value: str) -> None:
    """Single-line text a person types (names, subjects, titles) may reach a mail header, where any line break,
    not only CR and LF, could inject headers (see recruitee.text): refuse them and every other control character."""
    if not is_single_line(value):
        raise ValidationError(_("Line breaks and control characters are not allowed here."), code="line_break")
