from django.http import HttpRequest

from .selectors import member_companies


def company(request: HttpRequest) -> dict:
    """The current company and membership, and the companies to switch to, for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        # Only members see the company in the layout; a public page (invitation link) names it itself if valid.
        "company": getattr(request, "company", None) if membership else None,
        "membership": membership,
        "my_companies": member_companies(user),
    }
