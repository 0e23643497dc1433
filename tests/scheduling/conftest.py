import pytest

from .home_data import live_in, noon_zone
from .parsers import Parser, icaljs_parser


@pytest.fixture(scope="session")
def icaljs() -> Parser:
    return icaljs_parser()


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Runs what a commit queues (tasks, sends) when used as `with capture(execute=True):`."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def zone(teammate, interviewer, owner) -> str:
    """Everyone lives where it is around noon now, so "in an hour" is today and "in a day" tomorrow (home pages)."""
    name = noon_zone()
    for member in (teammate, interviewer, owner):
        live_in(member, name)
    return name
