"""The upload form: one .zip, or the export's .csv files chosen together."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ExportFilesField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError(gettext("Choose the export: a .zip, or its .csv files."), code="required")
        return [super(ExportFilesField, self).clean(file, initial) for file in files]


class UploadForm(forms.Form):
    export = ExportFilesField(
        label=_("Export file(s)"),
        help_text=_("A .zip of your school system's OneRoster export, or all of its .csv files chosen together."),
        widget=MultipleFileInput(attrs={"accept": ".zip,.csv,application/zip,text/csv"}),
    )
