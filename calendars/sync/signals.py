"""What the sync tells the apps above calendars (which calendars must not import): `events_synced`.

Sent by the engine after each page of an incremental sync it committed, and after the last page of a full sync,
with ids only (never rows): `company_id`, `connection_id`, `provider_event_ids` (a frozenset of the provider ids the
page wrote or removed) and `complete` (True after a full sync, whose earlier pages are not announced one by one:
everything may have changed and events the provider no longer has are gone, so a listener checks all of its events).
Receivers run in the sync's thread, outside any transaction; keep them quick. A module of its own (not
calendars.signals, which imports the services and through them the sync) so the engine imports no cycle.
"""

from django.dispatch import Signal

events_synced = Signal()
