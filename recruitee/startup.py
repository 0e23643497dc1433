"""What a web process does once, after Django is set up and before its first request."""

import gc

from django.urls import get_resolver


def settle_for_requests() -> None:
    """Load what every request needs, then take everything loaded so far out of the garbage collector's rounds.

    A web process holds a few hundred thousand objects that live as long as it does (modules, the URLconf, models,
    translations). Python's collector walks all of them at each full collection, tens of milliseconds on a small
    machine, paid by whichever request happens to be running then: the slow tail of every page (bench/pages.py).
    Frozen, they are never walked again; what requests make is collected as before."""
    get_resolver().url_patterns  # noqa: B018 -- imports every view module now, not in the first request
    gc.collect()
    gc.freeze()
