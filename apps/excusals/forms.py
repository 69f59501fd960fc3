"""Forms of the parents' excusal pages and the office's date picker."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.excusals.models import MAX_EXCUSAL_DAYS
from apps.school.dates import DayField
from apps.school.models import Student
from apps.school.text import lazy_interpolate, sentence_of

MAX_REASON_LENGTH = 1000

# Where each of the excusal service's error keys belongs on the page, and the words that
# turn its API-style message ("must be …") into a sentence a parent reads beside that field.
SERVICE_FIELDS = {
    "end_date": ("end_date", "The last day "),
    "duration": ("end_date", "An excusal "),
    "base": ("start_date", ""),
    "parent_id": ("child", ""),
    "start_date": ("start_date", "The first day "),
    "comment": ("comment", "The reason "),
}


def service_errors_to_form(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Put the excusal service's refusals beside the fields they are about; the form keeps its values."""
    for key, messages in errors.items():
        field, prefix = SERVICE_FIELDS.get(key, (None, ""))
        if field is not None and field not in form.fields:
            field = None
        for message in messages:
            if key == "parent_id":
                text = gettext("You are not listed as a parent of this child, so you cannot send an excusal for them.")
            elif prefix:
                text = sentence_of(message, prefix + message)
            else:
                text = sentence_of(message, message[:1].upper() + message[1:])
            form.add_error(field, text if text.endswith(".") else text + ".")


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Student) -> str:
        return obj.full_name


class ExcusalForm(forms.Form):
    child = ChildChoiceField(
        queryset=Student.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label=_("Who is the excusal for?"),
        error_messages={"invalid_choice": _("Choose one of your own children.")},
    )
    start_date = DayField(label=_("First day away"))
    end_date = DayField(
        label=_("Last day away"),
        required=False,
        help_text=lazy_interpolate(
            _("Leave it empty for a single day. One excusal covers 1 to %(most)s days in a row, weekends included."),
            {"most": MAX_EXCUSAL_DAYS},
        ),
    )
    comment = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: “Fever, at home with us.” The school sees this."),
        error_messages={"required": _("Please tell the school why.")},
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children

    def clean(self):
        cleaned = super().clean()
        start: date | None = cleaned.get("start_date")
        if start is not None and cleaned.get("end_date") is None and "end_date" not in self.errors:
            cleaned["end_date"] = start
        return cleaned


class ExcusalChangeForm(forms.Form):
    end_date = DayField(
        label=_("Last day away"),
        help_text=lazy_interpolate(
            _("At most %(most)s days from the first day, weekends included."), {"most": MAX_EXCUSAL_DAYS}
        ),
    )
    comment = forms.CharField(
        label=_("Reason"), required=False, max_length=MAX_REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class OfficeDateForm(forms.Form):
    date = DayField(label=_("Date"))
