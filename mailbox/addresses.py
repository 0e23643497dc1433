"""Email addresses as the outbox stores them: a name and an address, never a header string built by hand."""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address as HeaderAddress
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from recruitee.text import one_line
from recruitee.validators import validate_no_line_breaks


@dataclass(frozen=True)
class Address:
    email: str
    name: str = ""

    def __post_init__(self) -> None:
        # A display name comes from a profile, a candidate or an old row: cleaned, never refused (see one_line).
        object.__setattr__(self, "name", one_line(self.name))

    def header(self) -> str:
        """`Name <address>`, the name quoted where RFC 5322 wants it (Django encodes non-ASCII when sending)."""
        if not self.name:
            return self.email
        try:
            return str(HeaderAddress(display_name=self.name, addr_spec=self.email))
        except (ValueError, IndexError):  # an address the header parser does not take as addr-spec
            return formataddr((self.name, self.email))

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email}

    @classmethod
    def from_json(cls, value: dict) -> Address:
        return cls(email=value.get("email", ""), name=value.get("name", ""))

    def __str__(self) -> str:
        return self.header()


def validate_address(address: Address) -> None:
    """CR or LF anywhere would let a value add headers of its own; the address itself must be valid."""
    validate_no_line_breaks(address.name)
    validate_no_line_breaks(address.email)
    validate_email(address.email)


def validate_address_list(value: object) -> None:
    """Model-level check of a JSON recipient list: [{"name": ..., "email": ...}, ...]."""
    if not isinstance(value, list):
        raise ValidationError("Expected a list of recipients.", code="invalid")
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("email"), str) or \
                not isinstance(item.get("name", ""), str):
            raise ValidationError("Each recipient needs an address and a name.", code="invalid")
        validate_address(Address.from_json(item))


def product_address() -> str:
    """The address part of DEFAULT_FROM_EMAIL: every message leaves from it, whoever writes it."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL


def sending_domain() -> str:
    configured = getattr(settings, "MAILBOX_MESSAGE_ID_DOMAIN", "")
    if configured:
        return configured
    try:
        return HeaderAddress(addr_spec=product_address()).domain or "localhost"
    except (ValueError, IndexError):
        return "localhost"
