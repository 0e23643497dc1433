"""Reading ids out of query strings and form lists without trusting them.

`"²".isdigit()` is True but `int("²")` raises, and a 30-digit number overflows the database's 64-bit columns:
only short ASCII digit strings are ids.
"""

from collections.abc import Iterable

MAX_ID_DIGITS = 18  # anything longer could overflow a 64-bit integer column


def parse_id(value: str | None) -> int | None:
    if not value or not (value.isascii() and value.isdigit()) or len(value) > MAX_ID_DIGITS:
        return None
    return int(value)


def parse_ids(values: Iterable[str]) -> set[int]:
    return {number for number in map(parse_id, values) if number is not None}
