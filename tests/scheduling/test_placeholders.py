import pytest

from scheduling.placeholders import (
    PLACEHOLDERS,
    UnknownPlaceholder,
    find_unknown,
    render_html,
    render_subject,
    render_text,
    sample_values,
)

HOSTILE_NAME = "<img src=x onerror=alert(1)>"


def test_it_has_a_description_and_a_sample_for_every_placeholder() -> None:
    required = {
        "candidate_name", "candidate_first_name", "candidate_email", "job_title", "company_name", "event_title",
        "event_type", "event_date", "event_time", "event_end_time", "event_duration", "time_zone", "location",
        "video_link", "interviewers", "organizer_name", "organizer_email", "note",
    }
    assert required <= PLACEHOLDERS.keys()
    for name, placeholder in PLACEHOLDERS.items():
        assert placeholder.name == name and name.isidentifier() and name.islower()
        assert placeholder.description and placeholder.sample


def test_it_renders_a_preview_from_the_samples() -> None:
    preview = render_text("{candidate_name} / {event_date} {event_time}", sample_values())
    assert preview == "Alex Morgan / Monday, 29 March 2027 10:00"


def test_it_lists_unknown_placeholders_once_in_order() -> None:
    template = "Hi {candiate_name}, {candidate_name} {salary} {candiate_name} {job_title}"
    assert find_unknown(template) == ["candiate_name", "salary"]
    assert find_unknown("Hi {candidate_name}") == []


@pytest.mark.parametrize(
    "field",
    ["candidate.user.password", "0", "", "a[b]", "x!r", "candidate_name!r", "candidate_name:>10", "% debug %",
     " candidate_name ", "__class__", "candidate_name.__class__"],
)
def test_it_refuses_everything_but_a_registered_bare_name(field: str) -> None:
    template = "Hello {" + field + "}"
    assert find_unknown(template) == [field]
    with pytest.raises(UnknownPlaceholder, match="Unknown placeholder"):
        render_text(template, {"candidate_name": "Wile"})


@pytest.mark.parametrize("render", [render_text, render_subject, render_html])
def test_it_raises_unknown_placeholder_when_rendering(render) -> None:
    with pytest.raises(UnknownPlaceholder) as raised:
        render("{candidate.user.password} and {foo}", {})
    assert raised.value.names == ["candidate.user.password", "foo"]
    assert str(raised.value) == "Unknown placeholders: {candidate.user.password}, {foo}"
    assert str(UnknownPlaceholder(["salary"])) == "Unknown placeholder: {salary}"


def test_it_turns_doubled_braces_into_literal_braces() -> None:
    assert render_text("{{candidate_name}} is {candidate_name}", {"candidate_name": "Wile"}) == (
        "{candidate_name} is Wile"
    )
    assert render_text("{{{candidate_name}}}", {"candidate_name": "Wile"}) == "{Wile}"
    assert find_unknown("{{literal}} {{ and }}") == []


def test_it_leaves_a_lone_brace_as_text_but_reads_any_pair_as_a_placeholder() -> None:
    assert render_text("smile :} or :{ or {", {}) == "smile :} or :{ or {"
    assert find_unknown("office hours {Mon-Fri}") == ["Mon-Fri"]


def test_it_gives_template_tags_and_variables_no_meaning() -> None:
    assert find_unknown("{% debug %}") == ["% debug %"]
    assert render_text("{{ request }} {{ settings.SECRET_KEY }}", {}) == "{ request } { settings.SECRET_KEY }"
    assert render_html("{{ request }}", {}) == "<p>{ request }</p>"
    assert find_unknown("{{% debug %}}") == []
    assert render_text("{{% debug %}}", {}) == "{% debug %}"


def test_it_inserts_values_as_they_are_in_text() -> None:
    values = {"candidate_name": HOSTILE_NAME, "note": "Bring ID & a pen.\nGate 3 <left>."}
    assert render_text("Hi {candidate_name}!\n{note}", values) == (
        f"Hi {HOSTILE_NAME}!\nBring ID & a pen.\nGate 3 <left>."
    )


def test_it_never_expands_placeholders_inside_values() -> None:
    values = {"candidate_name": "{organizer_email}", "organizer_email": "jordan@acme.test"}
    assert render_text("{candidate_name}", values) == "{organizer_email}"
    assert render_html("{candidate_name}", values) == "<p>{organizer_email}</p>"


def test_it_renders_a_registered_placeholder_without_a_value_as_nothing() -> None:
    assert render_text("Link: {video_link}.", {}) == "Link: ."


def test_it_escapes_values_in_html() -> None:
    html = render_html("Hi {candidate_name}, {note}", {"candidate_name": HOSTILE_NAME, "note": "Tom & \"Jerry\"'s"})
    assert html == "<p>Hi &lt;img src=x onerror=alert(1)&gt;, Tom &amp; &quot;Jerry&quot;&#x27;s</p>"
    assert "<img" not in html


def test_it_escapes_the_recruiters_own_text_in_html() -> None:
    template = '<script>alert(1)</script> <a href="javascript:alert(1)">x</a> {job_title}'
    html = render_html(template, {"job_title": "Dev"})
    assert "<script" not in html and "<a href=\"javascript" not in html
    assert html.startswith("<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;a href=&quot;javascript:alert(1)&quot;&gt;")


def test_it_keeps_a_hostile_candidate_name_inert_everywhere() -> None:
    values = {"candidate_name": HOSTILE_NAME}
    assert render_subject("Interview with {candidate_name}", values) == f"Interview with {HOSTILE_NAME}"
    assert "&lt;img src=x onerror=alert(1)&gt;" in render_html("{candidate_name}", values)
    assert "<img" not in render_html("{candidate_name}", values)


def test_it_makes_the_subject_one_line() -> None:
    subject = render_subject("Interview {event_date}\r\nBcc: victim@example.com", {"event_date": "Mon\n29\tMar"})
    assert subject == "Interview Mon 29 Mar Bcc: victim@example.com"
    assert render_subject("  {candidate_name}  ", {"candidate_name": "Wile\u2028E.\x85Coyote"}) == "Wile E. Coyote"


def test_it_keeps_line_breaks_in_text_bodies() -> None:
    assert render_text("Hi {candidate_name},\r\n\r\n{note}", {"candidate_name": "Wile", "note": "a\nb"}) == (
        "Hi Wile,\r\n\r\na\nb"
    )


def test_it_turns_blank_lines_into_paragraphs_and_line_breaks_into_br() -> None:
    html = render_html("Hi {candidate_name},\r\n\r\n\r\nLine one\nLine two\n \nBye", {"candidate_name": "Wile"})
    assert html == "<p>Hi Wile,</p>\n<p>Line one<br>\nLine two</p>\n<p>Bye</p>"
    assert render_html("", {}) == ""


def test_it_links_http_urls_from_values_and_from_text() -> None:
    html = render_html(
        "Join {video_link} or https://meet.test/{candidate_first_name}?a=1&b=2.",
        {"video_link": "https://meet.example.com/abc-defg-hij", "candidate_first_name": "wile"},
    )
    assert html == (
        '<p>Join <a href="https://meet.example.com/abc-defg-hij" rel="noopener noreferrer">'
        "https://meet.example.com/abc-defg-hij</a> or "
        '<a href="https://meet.test/wile?a=1&amp;b=2" rel="noopener noreferrer">https://meet.test/wile?a=1&amp;b=2</a>.'
        "</p>"
    )


@pytest.mark.parametrize(
    "value",
    ["javascript:alert(1)", "JaVaScRiPt:alert(document.cookie)", "data:text/html,<script>alert(1)</script>",
     "vbscript:msgbox(1)", "//evil.example.com/x"],
)
def test_it_never_links_anything_but_http_urls(value: str) -> None:
    html = render_html("{video_link}", {"video_link": value})
    assert "<a " not in html and "<script" not in html


def test_it_keeps_quotes_and_brackets_out_of_link_addresses() -> None:
    html = render_html("{video_link}", {"video_link": 'https://x.test/"onmouseover="alert(1)'})
    assert html == (
        '<p><a href="https://x.test/" rel="noopener noreferrer">https://x.test/</a>'
        "&quot;onmouseover=&quot;alert(1)</p>"
    )
    html = render_html("{video_link}", {"video_link": "https://x.test/<script>"})
    assert '<a href="https://x.test/" rel="noopener noreferrer">https://x.test/</a>&lt;script&gt;' in html


def test_it_leaves_sentence_punctuation_out_of_links() -> None:
    html = render_html("(see https://x.test/a), https://en.wikipedia.org/wiki/Foo_(bar)!", {})
    assert '<a href="https://x.test/a" ' in html
    assert '<a href="https://en.wikipedia.org/wiki/Foo_(bar)" ' in html
    assert render_html("https:// is not a link", {}) == "<p>https:// is not a link</p>"
