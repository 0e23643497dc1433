"""The function through which a full sync writes a page into an empty calendar: calendars_insert_staged_events.

The sync COPYs a page into its session's staging table (calendars/sync/store.py) and moves it into the events table
with one INSERT. The combined foreign key (0009) then queues a check for every row, run at the page's commit: one
lookup of the same calendar per event, a third of what the database does for the page (measured: 0.7-1.0 s of
3.3 s per 100,000 events). The function checks once, for the page, what that key checks for each row: the calendar
exists with this company, and it locks the calendar row as each check would (FOR KEY SHARE), so that nobody can
delete it before the commit. It then inserts with the per-row checks off, where its owner may switch them off (the
setting session_replication_role, granted by `manage.py database_roles`); elsewhere they run as before. The insert
takes the company and calendar from its arguments, never from the staged rows, so every row it writes is one the
key would have admitted.

It runs as its owner, who bypasses row-level security: so it first refuses a company that is not the session's
tenant, as the policy on the events table would (the cross-tenant role may write any company's). Only the
application's roles may call it. PostgreSQL only.
"""

from django.db import migrations

FUNCTION = "calendars_insert_staged_events"
# The staging table's columns but the two the function sets itself (calendars/sync/rows.py COLUMNS, at this time).
FIELDS = (
    'sync_generation, provider_event_id, ical_uid, title, time_zone, status, organizer_email, organizer_name, '
    'series_id, start, "end", all_day, is_busy, attendees, start_date, end_date, provider_updated_at'
)

CREATE = [f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(p_company bigint, p_calendar bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    written bigint;
    previous text := current_setting('session_replication_role');
    checks_off boolean := false;
BEGIN
    -- As the policies have it: the tenant's rows, or any row for the cross-tenant role (the role the session took
    -- with SET ROLE: inside this function the current user is the owner).
    IF p_company IS NULL OR NOT (current_setting('role') = 'recruitee_crosstenant' OR p_company = ANY (
            string_to_array(nullif(current_setting('app.company_ids', true), ''), ',')::bigint[])) THEN
        RAISE EXCEPTION 'company % is not the tenant of this session', p_company
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM 1 FROM public.calendars_calendar WHERE id = p_calendar AND company_id = p_company FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'calendar % of company % does not exist', p_calendar, p_company
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    BEGIN
        -- Local to the transaction (undone by its rollback, or a savepoint's), and switched back right below.
        PERFORM set_config('session_replication_role', 'replica', true);
        checks_off := true;
    EXCEPTION WHEN insufficient_privilege THEN
        NULL;  -- the owner may not: the key checks every row, as for any insert
    END;
    INSERT INTO public.calendars_event (company_id, calendar_id, {FIELDS})
        SELECT p_company, p_calendar, {FIELDS} FROM pg_temp.calendars_event_stage;
    GET DIAGNOSTICS written = ROW_COUNT;
    IF checks_off THEN
        PERFORM set_config('session_replication_role', previous, true);
    END IF;
    RETURN written;
END
$$""",
    f"REVOKE ALL ON FUNCTION {FUNCTION}(bigint, bigint) FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION {FUNCTION}(bigint, bigint) TO recruitee_app, recruitee_crosstenant",
]
DROP = f"DROP FUNCTION IF EXISTS {FUNCTION}(bigint, bigint)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)  # no parameters: the % in RAISE are the function's own


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("calendars", "0010_tenant_wall"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
