# German as a German product writes it: "Dienstag, 1. Dezember 2026, 10:00 Uhr", "01.12.2026, 10:00".
DATE_FORMAT = "j. F Y"
DATETIME_FORMAT = r"l, j. F Y, H:i \U\h\r"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j. F"
YEAR_MONTH_FORMAT = "F Y"
