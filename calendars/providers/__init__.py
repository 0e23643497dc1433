"""The registry of calendar provider adapters: a provider's name (as stored on a connection) to its adapter.

Adding a provider is one adapter module implementing `base.CalendarProvider` and one line here.
"""

from .base import CalendarProvider, UnknownProvider
from .google import GoogleProvider
from .microsoft import MicrosoftProvider

PROVIDERS: dict[str, type[CalendarProvider]] = {
    GoogleProvider.name: GoogleProvider,
    MicrosoftProvider.name: MicrosoftProvider,
}


def get_provider(name: str) -> CalendarProvider:
    try:
        adapter = PROVIDERS[name]
    except KeyError:
        raise UnknownProvider(f"There is no calendar provider called {name!r}.") from None
    return adapter()
