"""Plain-text rules shared by every app: what makes a value fit on one line of a mail header.

Python's email package folds a header at more than CR and LF: every character on which `str.splitlines()` splits
(VT, FF, the file/group/record separators, NEL, U+2028, U+2029) becomes a real line break when the message is
written, so a display name like "Ivy<VT>Reply-To: x@evil.test" would add a header of its own. Other control
characters have no business in a name or a subject either.
"""

import unicodedata


def breaks_line(character: str) -> bool:
    """True for a character that ends a line anywhere in Python, or any other control character (category Cc)."""
    return len(f"a{character}a".splitlines()) > 1 or unicodedata.category(character) == "Cc"


def is_single_line(value: str) -> bool:
    return not any(breaks_line(character) for character in value)


def one_line(text: str) -> str:
    """The text with line breaks and control characters turned into spaces, and whitespace runs collapsed.

    For values that reach a header from elsewhere (a profile name, a row older than today's validation): a display
    name is cleaned, never refused, so one odd name cannot stop an invitation to everyone else.
    """
    if not is_single_line(text):
        text = "".join(" " if breaks_line(character) else character for character in text)
    return " ".join(text.split())
