from .base import CalendarProvider
from .google import GoogleProvider
from .microsoft import MicrosoftProvider

PROVIDERS: dict[str, type] = {"google": GoogleProvider, "microsoft": MicrosoftProvider}


def get_provider(name: str) -> CalendarProvider:
    return PROVIDERS[name]()
