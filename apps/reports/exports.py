"""Reports as CSV and XLSX: the same tables, built from the same report objects as the pages."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from apps.reports.selectors import AuditRow, ChronicRow, Figures, Meeting, Report

FORMATS = {"csv", "xlsx"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A text cell starting with one of these is a formula (or a DDE call) to a spreadsheet program:
# a name such as =HYPERLINK(…) must stay text (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell as CSV writes it: text that a spreadsheet would run gets a leading quote, which
    makes it text; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def _figure_cells(report: Report, figures: Figures) -> list[Any]:
    cells: list[Any] = [figures.counts.get(c.pk, 0) for c in report.codes]
    cells += [figures.total, figures.rate_percent, figures.late, figures.excused, figures.unexcused]
    if report.shows_adjustments:
        cells.append(figures.adjustment_total)
    return cells


def report_table(report: Report, *, with_number: bool = False) -> Table:
    """One row per group (student, class or year group), then the totals: the page's numbers."""
    headers = [report.group_label or gettext("Group")]
    if with_number:
        headers.append(gettext("Student number"))
    headers += [f"{c.label} ({c.abbreviation})" for c in report.codes]
    headers += [
        gettext("Marks"),
        gettext("Attendance rate (%)"),
        gettext("Late"),
        gettext("Excused absences"),
        gettext("Unexcused absences"),
    ]
    if report.shows_adjustments:
        headers.append(gettext("Adjustments (net)"))
    rows = []
    for row in report.rows:
        cells: list[Any] = [gettext("%(label)s (archived)") % {"label": row.label} if row.archived else row.label]
        if with_number:
            cells.append(row.sublabel)
        rows.append(cells + _figure_cells(report, row.figures))
    if len(report.rows) != 1:
        rows.append([gettext("Total")] + ([""] if with_number else []) + _figure_cells(report, report.totals))
    return Table(title=f"{report.title} — {report.term.name}", headers=headers, rows=rows)


def adjustments_table(report: Report) -> Table:
    """Each adjustment behind a report's numbers, per row and code."""
    by_code = {c.pk: c for c in report.codes}
    rows = [
        [
            row.label,
            f"{by_code[code_id].label} ({by_code[code_id].abbreviation})" if code_id in by_code else code_id,
            value,
        ]
        for row in report.rows
        for code_id, value in sorted(row.figures.adjustments.items())
    ]
    return Table(
        title=gettext("Adjustments"),
        headers=[report.group_label or gettext("Group"), gettext("Code"), gettext("Adjustment")],
        rows=rows,
    )


def unmarked_table(meetings: list[Meeting], period_offset: int, homerooms=(), on=None) -> Table:
    """The rolls not taken; office Today's also lists its untaken homerooms (``on`` that day) first."""
    return Table(
        title=gettext("Rolls not taken"),
        headers=[gettext("Date"), gettext("Period"), gettext("Class"), gettext("Teachers")],
        rows=[
            [on.isoformat(), gettext("Homeroom"), h.year_group.name, ", ".join(t.full_name for t in h.advisors)]
            for h in homerooms
        ]
        + [
            [
                m.date.isoformat(),
                m.period.number + period_offset,
                m.school_class.name,
                ", ".join(t.full_name for t in m.teachers),
            ]
            for m in meetings
        ],
    )


def chronic_table(rows: list[ChronicRow]) -> Table:
    weeks = rows[0].trend if rows else []
    return Table(
        title=gettext("Chronic absence"),
        headers=[
            gettext("Student"),
            gettext("Student number"),
            gettext("Year group"),
            gettext("Sessions marked"),
            gettext("Absent"),
            gettext("Absent (%)"),
        ]
        + [gettext("Week of %(week)s attendance (%%)") % {"week": p.week.isoformat()} for p in weeks],
        rows=[
            [
                f"{r.student.last_name}, {r.student.first_name}",
                r.student.student_number,
                r.student.year_group.name if r.student.year_group else "",
                r.total,
                r.absent,
                r.absence_percent,
            ]
            + [None if p.rate is None else round(p.rate * 100, 1) for p in r.trend]
            for r in rows
        ],
    )


def audit_table(rows: list[AuditRow], period_offset: int, tz) -> Table:
    """One row a change. A change other than a mark says what changed in the "Class" column
    (an excusal, a term adjustment, a code, the settings, an API client) and its fields before
    and after in words."""

    def code(value):
        return "" if value is None else f"{value.label} ({value.abbreviation})"

    def where(r: AuditRow) -> str:
        if not r.is_mark:
            return r.what
        if r.school_class:
            return r.school_class.name
        return {"daily": gettext("Homeroom"), "time": gettext("Time entry")}.get(r.entry.mark_kind, "")

    return Table(
        title=gettext("Audit log"),
        headers=[
            gettext("Changed at"),
            gettext("Changed by"),
            gettext("Channel"),
            gettext("Student"),
            gettext("Date"),
            gettext("Class"),
            gettext("Period"),
            gettext("Before"),
            gettext("After"),
        ],
        rows=[
            [
                r.entry.changed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
                (r.entry.changed_by.get_full_name() or r.entry.changed_by.get_username())
                if r.entry.changed_by
                else gettext("System"),
                r.entry.get_channel_display(),
                r.student.full_name if r.student else "",
                r.entry.key.get("date", ""),
                where(r),
                "" if r.period is None else r.period.number + period_offset,
                code(r.before) if r.is_mark else r.before_text,
                code(r.after) if r.is_mark else r.after_text,
            ]
            for r in rows
        ],
    )


def counts_table(title: str, counts) -> Table:
    return Table(
        title=title,
        headers=[gettext("Code"), gettext("Marks")],
        rows=[[f"{c.label} ({c.abbreviation})", n] for c, n in counts],
    )


def export_response(tables: list[Table], *, filename: str, fmt: str) -> HttpResponse:
    """Several tables in one file: one sheet each in XLSX, one after another in CSV."""
    name = slugify(filename) or "report"
    if fmt == "xlsx":
        response = HttpResponse(workbook_bytes(tables), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(csv_text(tables), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def csv_text(tables: list[Table]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for i, table in enumerate(tables):
        if len(tables) > 1:
            if i:
                writer.writerow([])
            writer.writerow([csv_cell(table.title)])
        writer.writerow([csv_cell(cell) for cell in table.headers])
        writer.writerows([[csv_cell(cell) for cell in row] for row in table.rows])
    return out.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel forbids []:*?/\ in sheet names and keeps at most 31 characters.
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:28]} {n}"
        n += 1
    used.add(candidate)
    return candidate


def workbook_bytes(tables: list[Table]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(row)
        # openpyxl stores text starting with "=" as a formula: every text cell is a string.
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        sheet.freeze_panes = "B2"
        for index, header in enumerate(table.headers, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(str(header)) + 2))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
