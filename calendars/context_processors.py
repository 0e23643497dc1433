from django.http import HttpRequest

from .models import CalendarConnection


def reconnect_banner(request: HttpRequest) -> dict:
    """The member's calendars that need reconnecting, for the banner every page of the company shows."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"reconnect_needed": []}
    return {"reconnect_needed": list(CalendarConnection.objects.filter(
        company=membership.company, member=membership, status=CalendarConnection.Status.RECONNECT_NEEDED
    ))}
