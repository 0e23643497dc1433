"""Fetch-and-authorize helpers. Every view that takes an id goes through one of these.

They return the same 404 for "missing" and "not yours", so a URL never tells whether another company's object exists.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Invitation, Membership


def require_admin(membership: Membership) -> None:
    if not membership.is_admin:
        raise PermissionDenied(_("Only admins can do this."))


def require_recruiter(membership: Membership) -> None:
    if not membership.can_recruit:
        raise PermissionDenied(_("Only admins and recruiters can do this."))


def get_membership_for_member(member: Membership, membership_id: int) -> Membership:
    try:
        return Membership.objects.select_related("user").get(company=member.company, pk=membership_id)
    except Membership.DoesNotExist:
        raise Http404 from None


def get_invitation_for_member(member: Membership, invitation_id: int) -> Invitation:
    try:
        return Invitation.objects.get(company=member.company, pk=invitation_id)
    except Invitation.DoesNotExist:
        raise Http404 from None
