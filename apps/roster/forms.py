"""The upload forms: a roster export (one .zip, or its .csv files chosen together), and students'
photos (a .zip, or JPEG and PNG files)."""

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


MAX_PHOTO_UPLOAD_BYTES = 200 * 1024 * 1024


class PhotoFilesField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError(_("Choose the photos: a .zip, or JPEG or PNG files."), code="required")
        files = [super(PhotoFilesField, self).clean(file, initial) for file in files]
        if sum(file.size for file in files) > MAX_PHOTO_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("These files come to more than %(mb)d MB: upload them in parts.")
                % {"mb": MAX_PHOTO_UPLOAD_BYTES // (1024 * 1024)},
                code="too_large",
            )
        return files


class PhotoUploadForm(forms.Form):
    photos = PhotoFilesField(
        label=_("Photos"),
        help_text=_(
            "A .zip of JPEG or PNG files, or up to 100 of the files chosen together, each named by the "
            "student's number or sourcedId (for example 10234.jpg)."
        ),
        widget=MultipleFileInput(attrs={"accept": ".zip,.jpg,.jpeg,.png,application/zip,image/jpeg,image/png"}),
    )
