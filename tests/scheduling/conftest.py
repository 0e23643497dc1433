import pytest

from .parsers import Parser, icaljs_parser


@pytest.fixture(scope="session")
def icaljs() -> Parser:
    return icaljs_parser()


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Runs what a commit queues (tasks, sends) when used as `with capture(execute=True):`."""
    return django_capture_on_commit_callbacks
