"""Date and time formats in the house style of each language (settings.FORMAT_MODULE_PATH).

Templates name a format instead of spelling one out, so each language shows dates its own way:

    {{ when|date:"DATETIME_FORMAT" }}        Tuesday, 1 December 2026, 10:00 · Dienstag, 1. Dezember 2026, 10:00 Uhr
    {{ when|date:"DATE_FORMAT" }}            1 December 2026 · 1. Dezember 2026
    {{ when|date:"SHORT_DATETIME_FORMAT" }}  1 Dec 2026, 10:00 · 01.12.2026, 10:00
    {{ when|date:"SHORT_DATE_FORMAT" }}      1 Dec 2026 · 01.12.2026
    {{ when|time:"TIME_FORMAT" }}            10:00 · 10:00
    {{ when|date:"MONTH_DAY_FORMAT" }}       1 December · 1. Dezember

Only these names can vary by language (Django looks up no others); what a module leaves out comes from Django's
own formats for that language.
"""
