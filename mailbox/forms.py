from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from recruitee.validators import validate_no_line_breaks

from .addresses import Address
from .services import AttachmentData, guess_content_type, safe_filename

MAX_CC = 10


def size(number: int) -> str:
    """10485760 -> "10 MB" (filesizeformat says "10.0 MB", in German "10,0 MB")."""
    return str(filesizeformat(number)).replace(".0\xa0", "\xa0").replace(",0\xa0", "\xa0")


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

    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200, validators=[validate_no_line_breaks])
    body = forms.CharField(label=pgettext_lazy("text of an email", "Message"), max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 12}))
    attachments = MultipleFileField(label=gettext_lazy("Attachments"), required=False)

    cc = forms.CharField(
        label="Cc", required=False, max_length=2000, validators=[validate_no_line_breaks],
        help_text=gettext_lazy("Anyone else who should get a copy, e.g. the hiring manager. Separate addresses with "
                               "commas."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit, count = size(settings.MAILBOX_ATTACHMENTS_MAX_BYTES), settings.MAILBOX_ATTACHMENTS_MAX_COUNT
        self.fields["attachments"].help_text = ngettext(
            "Up to %(count)s file, %(limit)s in all.", "Up to %(count)s files, %(limit)s in all.", count,
        ) % {"count": count, "limit": limit}

    def clean_cc(self) -> list[Address]:
        raw = self.cleaned_data["cc"]
        addresses = []
        for item in (part.strip() for part in raw.replace(";", ",").split(",")):
            if not item:
                continue
            try:
                validate_email(item)
            except ValidationError:
                raise ValidationError(_("“%(item)s” is not an email address.") % {"item": item},
                                      code="invalid") from None
            if item.lower() not in {a.email.lower() for a in addresses}:
                addresses.append(Address(email=item))
        if len(addresses) > MAX_CC:
            raise ValidationError(ngettext("At most %(count)s address.", "At most %(count)s addresses.", MAX_CC)
                                  % {"count": MAX_CC}, code="too_many")
        return addresses

    def clean_attachments(self) -> list[AttachmentData]:
        files = self.cleaned_data["attachments"]
        if len(files) > settings.MAILBOX_ATTACHMENTS_MAX_COUNT:
            count = settings.MAILBOX_ATTACHMENTS_MAX_COUNT
            raise ValidationError(ngettext("At most %(count)s file per message.",
                                           "At most %(count)s files per message.", count) % {"count": count})
        if sum(f.size for f in files) > settings.MAILBOX_ATTACHMENTS_MAX_BYTES:
            raise ValidationError(
                _("The files add up to more than %(size)s.") % {"size": size(settings.MAILBOX_ATTACHMENTS_MAX_BYTES)}
            )
        attachments = []
        for upload in files:
            name = safe_filename(upload.name or "")
            attachments.append(AttachmentData(filename=name, content_type=guess_content_type(name),
                                              content=upload.read()))
        return attachments
