import pytest

from .parsers import Parser, icaljs_parser


@pytest.fixture(scope="session")
def icaljs() -> Parser:
    return icaljs_parser()
