from django.http import Http404

from recruitee.tenancy.models import Membership

from .models import CalendarConnection


def get_connection_for_member(member: Membership, connection_id: int) -> CalendarConnection:
    """A member reaches their own connections; an admin reaches every connection of the company."""
    connections = CalendarConnection.objects.filter(company=member.company).select_related("member__user")
    if not member.is_admin:
        connections = connections.filter(member=member)
    try:
        return connections.get(pk=connection_id)
    except CalendarConnection.DoesNotExist:
        raise Http404 from None
