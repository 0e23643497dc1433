# English as the product has always written it: day before month, 24-hour clock.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "l, j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
