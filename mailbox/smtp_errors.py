"""What went wrong while sending, in words a recruiter understands, and whether trying again can help.

SMTP says it with the first digit: 4xx is "not now" (greylisting, a full queue), 5xx is "never" (no such mailbox,
refused). Network trouble (refused connections, resets, timeouts) is "not now" too.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Problem:
    temporary: bool
    reason: str


def _said(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join(str(text).split())
    return f"{code} {text}".strip()


def _temporary(code: int) -> bool:
    return 400 <= code < 500


def describe(error: BaseException) -> Problem:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = error.recipients or {}
        temporary = bool(answers) and all(_temporary(code) for code, _ in answers.values())
        details = "; ".join(
            f"{parseaddr(address)[1] or address}: {_said(code, text)}" for address, (code, text) in answers.items()
        )
        if temporary:
            return Problem(True, _("The receiving mail server did not accept any recipient for now (%(details)s).")
                           % {"details": details})
        return Problem(False, _("The receiving mail server refused every recipient (%(details)s).")
                       % {"details": details})
    if isinstance(error, smtplib.SMTPSenderRefused):
        said = _said(error.smtp_code, error.smtp_error)
        return Problem(_temporary(error.smtp_code), _("The mail server refused our sender %(sender)s (%(said)s).")
                       % {"sender": error.sender, "said": said})
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return Problem(False, _("The mail server did not accept our login (%(said)s). An admin needs to fix the mail "
                                "settings.") % {"said": _said(error.smtp_code, error.smtp_error)})
    if isinstance(error, smtplib.SMTPDataError):
        return Problem(_temporary(error.smtp_code),
                       _("The mail server refused the message (%(said)s).")
                       % {"said": _said(error.smtp_code, error.smtp_error)})
    if isinstance(error, smtplib.SMTPConnectError):
        return Problem(True, _("The mail server refused the connection (%(said)s).")
                       % {"said": _said(error.smtp_code, error.smtp_error)})
    if isinstance(error, smtplib.SMTPResponseException):
        return Problem(_temporary(error.smtp_code) or error.smtp_code < 400,
                       _("The mail server answered %(said)s.") % {"said": _said(error.smtp_code, error.smtp_error)})
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Problem(True, _("The mail server closed the connection before the message was accepted."))
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return Problem(False, _("The mail server does not support what our settings ask for (%(error)s).")
                       % {"error": error})
    if isinstance(error, ConnectionRefusedError):
        return Problem(True, _("The mail server could not be reached (connection refused)."))
    if isinstance(error, (TimeoutError, socket.timeout)):
        return Problem(True, _("The mail server did not answer within %(seconds)s seconds.")
                       % {"seconds": settings.EMAIL_TIMEOUT})
    if isinstance(error, ssl.SSLCertVerificationError):
        return Problem(True, _("The mail server's TLS certificate was not accepted (%(reason)s).")
                       % {"reason": error.verify_message})
    if isinstance(error, socket.gaierror):
        return Problem(True, _("The mail server's name could not be resolved."))
    if isinstance(error, OSError):
        return Problem(True, _("The connection to the mail server failed (%(error)s).")
                       % {"error": error.strerror or error})
    if isinstance(error, smtplib.SMTPException):
        return Problem(True, _("The mail server reported a problem (%(error)s).") % {"error": error})
    return Problem(False, _("The message could not be sent (%(error)s).") % {"error": type(error).__name__})
