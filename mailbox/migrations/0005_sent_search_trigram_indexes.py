from django.db import migrations

from recruitee.migration_operations import CreateTrigramExtension, trigram_index


class Migration(migrations.Migration):
    """Trigram indexes for the Sent tab's search, which looks for each word anywhere in the subject or the
    recipients (`mailbox.selectors.sent_messages`). Each index is on exactly the expression Django's lookup writes:
    `subject__icontains` is `UPPER("subject"::text) LIKE UPPER('%word%')` and `recipients_search__contains` is
    `"recipients_search"::text LIKE '%word%'` (recruitee/migration_operations.py: why GIN, its pending list, and
    CONCURRENTLY, which needs a migration outside a transaction)."""

    atomic = False

    dependencies = [
        ("mailbox", "0004_message_without_interview"),
    ]

    operations = [
        CreateTrigramExtension(),
        trigram_index("mailbox_subject_trgm", "mailbox_message", "UPPER(subject::text)"),
        trigram_index("mailbox_recipients_trgm", "mailbox_message", "recipients_search"),
    ]
