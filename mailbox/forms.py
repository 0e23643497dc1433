from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.defaultfilters import filesizeformat

from recruitee.validators import validate_no_line_breaks

from .addresses import Address
from .services import AttachmentData, guess_content_type, safe_filename

MAX_CC = 10


def size(number: int) -> str:
    """10485760 -> "10 MB" (filesizeformat says "10.0 MB")."""
    return str(filesizeformat(number)).replace(".0\xa0", "\xa0")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        clean_one = super().clean  # not inside the comprehension: there, super() has no instance
        return [clean_one(item, initial) for item in files if item]


class ComposeForm(forms.Form):
    """To the candidate of the page; the To and From lines are fixed, not fields."""

    subject = forms.CharField(max_length=200, validators=[validate_no_line_breaks])
    body = forms.CharField(label="Message", max_length=20000, widget=forms.Textarea(attrs={"rows": 12}))
    attachments = MultipleFileField(required=False)

    cc = forms.CharField(
        label="Cc", required=False, max_length=2000, validators=[validate_no_line_breaks],
        help_text="Anyone else who should get a copy, e.g. the hiring manager. Separate addresses with commas.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit, count = size(settings.MAILBOX_ATTACHMENTS_MAX_BYTES), settings.MAILBOX_ATTACHMENTS_MAX_COUNT
        self.fields["attachments"].help_text = f"Up to {count} files, {limit} in all."

    def clean_cc(self) -> list[Address]:
        raw = self.cleaned_data["cc"]
        addresses = []
        for item in (part.strip() for part in raw.replace(";", ",").split(",")):
            if not item:
                continue
            try:
                validate_email(item)
            except ValidationError:
                raise ValidationError(f"“{item}” is not an email address.", code="invalid") from None
            if item.lower() not in {a.email.lower() for a in addresses}:
                addresses.append(Address(email=item))
        if len(addresses) > MAX_CC:
            raise ValidationError(f"At most {MAX_CC} addresses.", code="too_many")
        return addresses

    def clean_attachments(self) -> list[AttachmentData]:
        files = self.cleaned_data["attachments"]
        if len(files) > settings.MAILBOX_ATTACHMENTS_MAX_COUNT:
            raise ValidationError(f"At most {settings.MAILBOX_ATTACHMENTS_MAX_COUNT} files per message.")
        if sum(f.size for f in files) > settings.MAILBOX_ATTACHMENTS_MAX_BYTES:
            raise ValidationError(
                f"The files add up to more than {size(settings.MAILBOX_ATTACHMENTS_MAX_BYTES)}."
            )
        attachments = []
        for upload in files:
            name = safe_filename(upload.name or "")
            attachments.append(AttachmentData(filename=name, content_type=guess_content_type(name),
                                              content=upload.read()))
        return attachments
