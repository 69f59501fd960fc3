"""Exports opened and read back: the same numbers as the pages."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.reports import selectors


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def read_xlsx(response) -> dict[str, list[list]]:
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def page_rows(report, with_number=False):
    """The numbers of a report as the page shows them, in the export's column order."""
    rows = []
    for row in report.rows:
        f = row.figures
        cells = [row.label + (" (archived)" if row.archived else "")]
        if with_number:
            cells.append(row.sublabel)
        cells += [f.counts.get(c.pk, 0) for c in report.codes]
        cells += [f.total, f.rate_percent, f.late, f.excused, f.unexcused]
        if report.shows_adjustments:
            cells.append(f.adjustment_total)
        rows.append(cells)
    return rows


def test_class_report_csv_and_xlsx(client, term_data, admin):
    client.force_login(admin)
    url = reverse("reports:class_report", args=[term_data.world.english.pk])
    params = {"term": term_data.term1.pk, "include_archived": "on"}
    report = client.get(url, params).context["report"]
    expected = page_rows(report, with_number=True)

    rows = read_csv(client.get(url, {**params, "format": "csv"}))
    header = rows[0]
    assert header[:2] == ["Student", "Student number"]
    assert header[-5:] == ["Marks", "Attendance rate (%)", "Late", "Excused absences", "Unexcused absences"]
    assert rows[1:4] == [[str(cell) for cell in row] for row in expected]
    first = dict(zip(header, rows[1], strict=True))
    assert {k: v for k, v in first.items() if v != "0"} == {
        "Student": "Pupil000, Y7000",
        "Student number": "Y700000",
        "Present (✓)": "1",
        "Absent (A)": "2",
        "Late (L)": "1",
        "Marks": "4",
        "Attendance rate (%)": "50.0",
        "Late": "1",
        "Excused absences": "1",
        "Unexcused absences": "1",
    }
    assert rows[3][0] == "Pupil002, Y7002 (archived)"
    assert rows[4][0] == "Total" and rows[4][-5:] == ["10", "50.0", "1", "2", "2"]

    sheets = read_xlsx(client.get(url, {**params, "format": "xlsx"}))
    (sheet,) = sheets.values()
    assert sheet[0] == header
    assert sheet[1:4] == expected  # numbers stay numbers in the workbook
    assert sheet[4][-5:] == [10, 50.0, 1, 2, 2]


def test_year_group_export_has_adjustments(client, term_data, admin):
    client.force_login(admin)
    url = reverse("reports:year_group_report", args=[term_data.world.year7.pk])
    params = {"term": term_data.term1.pk}
    report = client.get(url, params).context["report"]
    sheets = read_xlsx(client.get(url, {**params, "format": "xlsx"}))
    report_sheet, adjustments_sheet = sheets.values()
    assert report_sheet[0][-1] == "Adjustments (net)"
    assert report_sheet[1:3] == page_rows(report, with_number=True)
    assert report_sheet[1][-6:] == [6, 33.3, 0, 1, 3, 2]
    assert report_sheet[3][0] == "Total" and report_sheet[3][-6:] == [9, 55.6, 1, 1, 3, 1]
    assert adjustments_sheet == [
        ["Student", "Code", "Adjustment"],
        ["Pupil000, Y7000", "Absent (A)", 2],
        ["Pupil001, Y7001", "Present (✓)", -1],
    ]
    rows = read_csv(client.get(url, {**params, "format": "csv"}))
    assert rows[0] == [f"{report.title} — {report.term.name}"]
    assert [r[0] for r in rows if r][-3:] == ["Student", "Pupil000, Y7000", "Pupil001, Y7001"]


def test_term_reports_export_both_tables(client, term_data, admin):
    client.force_login(admin)
    url = reverse("reports:term_reports")
    by_group, by_class = client.get(url, {"term": term_data.term1.pk}).context["reports"]
    sheets = read_xlsx(client.get(url, {"term": term_data.term1.pk, "format": "xlsx"}))
    group_sheet, class_sheet = sheets.values()
    assert group_sheet[1:3] == page_rows(by_group)
    assert class_sheet[1:3] == page_rows(by_class)
    assert class_sheet[3][0] == "Total" and class_sheet[3][-5:] == [9, 66.7, 1, 2, 1]


def test_student_export(client, term_data, admin):
    client.force_login(admin)
    url = reverse("reports:student_report", args=[term_data.s0.pk])
    sheets = read_xlsx(client.get(url, {"term": term_data.term1.pk, "format": "xlsx"}))
    homeroom, adjustments, lessons = sheets.values()
    assert homeroom[1][0] == "Homeroom" and homeroom[1][-6:] == [6, 33.3, 0, 1, 3, 2]
    assert adjustments[1] == ["Homeroom", "Absent (A)", 2]
    assert lessons[1][0] == "7A English" and lessons[1][-5:] == [4, 50.0, 1, 1, 1]


def test_chronic_export(client, term_data, admin):
    client.force_login(admin)
    url = reverse("reports:chronic")
    rows = read_csv(client.get(url, {"term": term_data.term1.pk, "format": "csv"}))
    assert rows[0][:6] == ["Student", "Student number", "Year group", "Sessions marked", "Absent", "Absent (%)"]
    assert [r[:6] for r in rows[1:]] == [
        ["Pupil000, Y8000", "Y800000", "Year 8", "1", "1", "100.0"],
        ["Pupil000, Y7000", "Y700000", "Year 7", "4", "2", "50.0"],
    ]
    live = selectors.chronic_absence(term_data.school, term_data.term1, today=term_data.school.today())
    week_columns = rows[0][6:]
    assert len(week_columns) == len(live[0].trend)
    mon1 = week_columns.index(f"Week of {term_data.mon1.isoformat()} attendance (%)")
    assert rows[2][6 + mon1] == "33.3"


def test_unmarked_and_dashboard_exports(client, term_data, admin):
    client.force_login(admin)
    rows = read_csv(
        client.get(reverse("reports:unmarked"), {"start": term_data.mon0, "end": term_data.wed1, "format": "csv"})
    )
    assert rows[0] == ["Date", "Period", "Class", "Teachers"]
    assert len(rows) == 1 + 19
    assert ["7A English", "Tess Teacher"] == rows[1][2:]
    sheets = read_xlsx(client.get(reverse("reports:dashboard"), {"format": "xlsx"}))
    assert list(sheets) == ["Lessons today", "Homeroom today", "Rolls not taken", "Absences without excusal"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_keep_permissions(client, term_data, other_teacher, parent, fmt):
    url = reverse("reports:class_report", args=[term_data.world.english.pk])
    for user in (other_teacher, parent):
        client.force_login(user)
        assert client.get(url, {"format": fmt}).status_code == 404


def test_audit_log_export(client, term_data, admin):
    client.force_login(admin)
    url = reverse("reports:audit")
    params = {"student": "Y7000", "date": term_data.mon1.isoformat()}
    page = client.get(url, params).context["rows"]
    rows = read_csv(client.get(url, {**params, "format": "csv"}))
    assert rows[0] == ["Changed at", "Changed by", "Channel", "Student", "Date", "Class", "Period", "Before", "After"]
    assert len(rows) - 1 == len(page) == 3
    assert sorted(r[5:] for r in rows[1:]) == [
        ["7A English", "1", "", "Present (✓)"],
        ["7A English", "3", "", "Absent (A)"],
        ["Homeroom", "", "", "Absent (A)"],
    ]
    assert {r[1] for r in rows[1:]} == {"System"} and {r[4] for r in rows[1:]} == {term_data.mon1.isoformat()}
