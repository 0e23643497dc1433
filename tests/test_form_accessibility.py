"""Forms say what is wrong where a screen reader reads it: each error is tied to its field (aria-describedby, next to
the help text), and which fields are required is said in words, not left to a colour or an asterisk."""

import re

import pytest

pytestmark = pytest.mark.django_db


def control(html: str, name: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)[^>]*\sname="{name}"[^>]*>', html)
    assert match, f"no control named {name}"
    return match.group(0)


def test_an_error_is_tied_to_its_field_together_with_the_help_text(owner_client, acme):
    response = owner_client.post("/acme/candidates/new/", {"full_name": "", "email": "not-an-address",
                                                           "time_zone": "Mars/Olympus_Mons"})
    html = response.content.decode()
    assert response.status_code in (200, 400)

    name = control(html, "full_name")
    assert 'aria-invalid="true"' in name and 'aria-describedby="id_full_name_errors"' in name
    errors = re.search(r'<div id="id_full_name_errors">(.*?)</div></div>', html, re.S)
    assert errors and "This field is required." in errors.group(1)

    zone = control(html, "time_zone")  # an error and a help text: both are read with the field
    assert 'aria-describedby="id_time_zone_errors id_time_zone_help"' in zone
    assert 'id="id_time_zone_help"' in html and 'id="id_time_zone_errors"' in html

    assert "aria-describedby" not in control(html, "phone")  # a valid field without help points at nothing


def test_required_fields_are_named_in_words(owner_client, acme):
    html = owner_client.get("/acme/candidates/new/").content.decode()
    assert "All fields are required unless marked “(optional)”." in html
    assert re.search(r'<label class="form-label" for="id_phone">[^<]*<span[^>]*>\(optional\)</span></label>', html)
    assert "required" in control(html, "full_name")  # and the browser knows it too


def test_the_sign_in_form_ties_its_error_to_the_field(client, owner):
    html = client.post("/accounts/login/", {"login": "not-an-address", "password": ""}).content.decode()
    password = control(html, "password")
    assert 'aria-invalid="true"' in password
    described = re.search(r'aria-describedby="([^"]+)"', password).group(1)
    assert all(f'id="{each}"' in html for each in described.split())
