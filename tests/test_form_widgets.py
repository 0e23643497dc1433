"""Form widgets render through the project's templates (FORM_RENDERER), where templates/django/forms/widgets/
attrs.html writes the attributes in Python (recruitee.ui's widget_attrs): the markup must be Django's own, to the
byte, for every kind of attribute and widget."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe


class EveryKind(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={
        "placeholder": 'Say "<hello>" & wave', "required": True, "disabled": False, "data-count": 3,
        "data-markup": mark_safe("<b>kept</b>"),
    }))
    day = forms.DateField(widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    people = forms.MultipleChoiceField(choices=[(1, "Ada & <Grace>"), (2, "Alan")],
                                       widget=forms.CheckboxSelectMultiple)
    kind = forms.ChoiceField(choices=[("call", "Call"), ("visit", "Visit")])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    agreed = forms.BooleanField()


def widgets(form: forms.Form) -> str:
    return "".join(str(field.as_widget(attrs={"class": "form-control", "aria-describedby": "x_help"}))
                   for field in form)


@pytest.mark.parametrize("data", [
    None,
    {"text": 'typed "<b>" & more', "day": "2030-06-12", "people": ["1"], "kind": "visit", "note": "a < b",
     "agreed": "on"},
])
def test_widgets_render_exactly_as_djangos_own_templates(data):
    ours = widgets(EveryKind(data, renderer=get_default_renderer()))
    assert ours == widgets(EveryKind(data, renderer=DjangoTemplates()))
    assert 'placeholder="Say &quot;&lt;hello&gt;&quot; &amp; wave"' in ours and " required" in ours
    assert "disabled" not in ours and 'data-markup="<b>kept</b>"' in ours
