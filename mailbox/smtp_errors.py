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
        verb = "did not accept any recipient for now" if temporary else "refused every recipient"
        return Problem(temporary, f"The receiving mail server {verb} ({details}).")
    if isinstance(error, smtplib.SMTPSenderRefused):
        said = _said(error.smtp_code, error.smtp_error)
        return Problem(_temporary(error.smtp_code), f"The mail server refused our sender {error.sender} ({said}).")
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return Problem(False, "The mail server did not accept our login "
                              f"({_said(error.smtp_code, error.smtp_error)}). An admin needs to fix the mail settings.")
    if isinstance(error, smtplib.SMTPDataError):
        return Problem(_temporary(error.smtp_code),
                       f"The mail server refused the message ({_said(error.smtp_code, error.smtp_error)}).")
    if isinstance(error, smtplib.SMTPConnectError):
        return Problem(True, f"The mail server refused the connection ({_said(error.smtp_code, error.smtp_error)}).")
    if isinstance(error, smtplib.SMTPResponseException):
        return Problem(_temporary(error.smtp_code) or error.smtp_code < 400,
                       f"The mail server answered {_said(error.smtp_code, error.smtp_error)}.")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Problem(True, "The mail server closed the connection before the message was accepted.")
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return Problem(False, f"The mail server does not support what our settings ask for ({error}).")
    if isinstance(error, ConnectionRefusedError):
        return Problem(True, "The mail server could not be reached (connection refused).")
    if isinstance(error, (TimeoutError, socket.timeout)):
        return Problem(True, f"The mail server did not answer within {settings.EMAIL_TIMEOUT} seconds.")
    if isinstance(error, ssl.SSLCertVerificationError):
        return Problem(True, f"The mail server's TLS certificate was not accepted ({error.verify_message}).")
    if isinstance(error, socket.gaierror):
        return Problem(True, "The mail server's name could not be resolved.")
    if isinstance(error, OSError):
        return Problem(True, f"The connection to the mail server failed ({error.strerror or error}).")
    if isinstance(error, smtplib.SMTPException):
        return Problem(True, f"The mail server reported a problem ({error}).")
    return Problem(False, f"The message could not be sent ({type(error).__name__}).")
