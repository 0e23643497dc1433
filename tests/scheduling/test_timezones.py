from datetime import UTC, date, datetime, time

import pytest
from django import forms

from recruitee.zones import TimeZoneError, TimeZoneField, ZoneSelect, time_zone_choices, zone_for
from scheduling.timezones import NonexistentLocalTime, is_ambiguous, local_datetime


@pytest.mark.parametrize("name", ["", "Europe", "Mars/Olympus_Mons", "../../etc/passwd", "localtime", "europe/berlin"])
def test_it_refuses_what_is_not_an_iana_zone(name: str) -> None:
    with pytest.raises(TimeZoneError, match="not a known time zone"):
        zone_for(name)


def test_it_knows_iana_zones() -> None:
    assert str(zone_for("America/New_York")) == "America/New_York"


def test_it_places_wall_clock_times_either_side_of_the_spring_change() -> None:
    before = local_datetime(date(2027, 3, 26), time(10, 0), "Europe/Berlin")
    after = local_datetime(date(2027, 3, 29), time(10, 0), "Europe/Berlin")
    assert before.astimezone(UTC) == datetime(2027, 3, 26, 9, 0, tzinfo=UTC)
    assert after.astimezone(UTC) == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)


def test_it_refuses_a_time_the_clocks_skip_with_the_reason() -> None:
    with pytest.raises(NonexistentLocalTime, match="02:30 on 2027-03-28 does not exist in Europe/Berlin"):
        local_datetime(date(2027, 3, 28), time(2, 30), "Europe/Berlin")
    assert not is_ambiguous(date(2027, 3, 28), time(2, 30), "Europe/Berlin")


def test_it_takes_the_first_of_a_time_that_happens_twice() -> None:
    assert is_ambiguous(date(2027, 10, 31), time(2, 30), "Europe/Berlin")
    assert not is_ambiguous(date(2027, 10, 31), time(3, 30), "Europe/Berlin")
    first = local_datetime(date(2027, 10, 31), time(2, 30, fold=1), "Europe/Berlin")
    assert first.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_the_zone_select_marks_only_the_chosen_zone_and_escapes_every_option():
    widget = ZoneSelect(choices=[("Europe/Berlin", "Europe/Berlin"), ("America/New_York", "America/New York"),
                                 ('Odd/"Zone"<', "Odd <zone>")])
    berlin = widget.render("time_zone", "Europe/Berlin")
    new_york = widget.render("time_zone", "America/New_York")  # the cached options must not keep Berlin's mark
    assert berlin.count(" selected") == 1 and '<option value="Europe/Berlin" selected>' in berlin
    assert new_york.count(" selected") == 1 and '<option value="America/New_York" selected>' in new_york
    assert "&lt;zone&gt;" in berlin and "&quot;Zone&quot;&lt;" in berlin and "<zone>" not in berlin
    unknown = widget.render("time_zone", "Mars/Olympus")
    assert " selected" not in unknown


def test_the_zone_field_offers_every_zone_takes_a_known_one_and_refuses_the_rest():
    class Form(forms.Form):
        zone = TimeZoneField()
        kept = TimeZoneField(choices=[("Europe/Berlin", "Berlin")])

    html = str(Form(initial={"zone": "Asia/Tokyo"})["zone"])
    assert html.count("<option ") == len(time_zone_choices())
    assert '<option value="Asia/Tokyo" selected>' in html and html.count(" selected") == 1
    assert Form({"zone": "America/Sao_Paulo", "kept": "Europe/Berlin"}).is_valid()
    refused = Form({"zone": "Mars/Olympus_Mons", "kept": "America/Sao_Paulo"})
    assert not refused.is_valid() and set(refused.errors) == {"zone", "kept"}
