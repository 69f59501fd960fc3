"""Every problem in one pass: a refused export lists all of them, file by file and line by line,
up to 200 and then how many more, and saves nothing; bad input is never a crash."""

from __future__ import annotations

import csv
import io
import random

import pytest
from django.core.management import CommandError, call_command

from apps.roster.report import RosterError
from apps.roster.services import import_roster
from tests.roster.csvs import EXPORTS, append_rows, copy_export, snapshot

TEN = [
    "orgs.csv line 3: type 'academy' is not a OneRoster org type",
    "academicSessions.csv line 3: endDate '2026-13-01' is not a date (YYYY-MM-DD)",
    "academicSessions.csv line 4: endDate 2026-01-10 is before startDate 2026-02-01",
    "classes.csv line 2: classType 'lab' is not a OneRoster class type",
    "classes.csv line 3: term 'T-NOPE' is not in academicSessions.csv or the database",
    "users.csv line 2: role 'wizard' is not a OneRoster role",
    "users.csv line 3: email 'not-an-email' is not an email address",
    "users.csv line 4: enabledUser 'maybe' is not true or false",
    "enrollments.csv line 2: user 'NOBODY' is not a student of Tenby School",
    "enrollments.csv line 3: beginDate '2026-02-30' is not a date (YYYY-MM-DD)",
]


@pytest.mark.django_db
def test_an_export_with_ten_problems_lists_all_ten_at_once():
    before = snapshot()

    with pytest.raises(RosterError) as refused:
        import_roster(EXPORTS / "ten-problems")

    assert refused.value.errors == TEN
    assert snapshot() == before
    with pytest.raises(RosterError) as again:  # and again: still refused, still nothing saved
        import_roster(EXPORTS / "ten-problems", dry_run=True)
    assert again.value.errors == TEN and snapshot() == before


@pytest.mark.django_db
def test_the_command_prints_every_problem():
    with pytest.raises(CommandError) as refused:
        call_command("import_oneroster", str(EXPORTS / "ten-problems"), stdout=io.StringIO())

    lines = str(refused.value).splitlines()
    assert lines[0].endswith("ten-problems: refused, nothing was saved.")
    assert [line.strip() for line in lines[1:]] == TEN


@pytest.mark.django_db
def test_more_than_200_problems_are_listed_up_to_200_then_counted(tmp_path):
    export = copy_export("ten-problems", tmp_path)
    append_rows(
        export,
        "users",
        *(
            {"sourcedId": f"W{n}", "enabledUser": "true", "role": "warlock", "givenName": "W", "familyName": f"{n}"}
            for n in range(250)
        ),
    )

    with pytest.raises(RosterError) as refused:
        import_roster(export)

    errors = refused.value.errors
    assert len(errors) == 201
    assert errors[:6] == TEN[:6]  # in file order, whatever order they were found in
    assert errors[-1] == "… and 60 more problems (260 in all)"


@pytest.mark.django_db
def test_a_row_that_refers_to_a_refused_row_is_not_one_more_problem(tmp_path):
    export = copy_export("upper-case", tmp_path)
    path = export / "classes.csv"
    path.write_bytes(path.read_bytes().replace(b",Scheduled,", b",Lab,"))  # two enrollments name it

    with pytest.raises(RosterError) as refused:
        import_roster(export)

    assert refused.value.errors == ["classes.csv line 2: classType 'Lab' is not a OneRoster class type"]


VALUES = ["", "x", "0", "-1", "2026-02-30", "9999-12-31", "tobedeleted", "inactive", "TEACHER", "ext:odd", "1-4"]
VALUES += ["3-1", "HS1", "U1", "T1", "LN", "S-N1", "a,b", "{x:1}", "2026-01-01", "true", "homeroom", "department"]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(40))
def test_a_damaged_export_is_imported_or_refused_never_a_crash(seed, tmp_path):
    """Random cells of the project's exports changed to values that break rules or refer to
    other rows: every outcome is an import or a refusal that saved nothing."""
    rng = random.Random(seed)
    name = rng.choice(sorted(p.name for p in EXPORTS.iterdir() if p.is_dir()))
    export = copy_export(name, tmp_path)
    files = sorted(f for f in export.iterdir() if f.name not in ("manifest.csv",) and f.stat().st_size)
    for _ in range(rng.randint(1, 6)):
        file = rng.choice(files)
        with file.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
        if len(rows) > 1:
            row, column = rng.randrange(1, len(rows)), rng.randrange(len(rows[0]))
            if column < len(rows[row]):
                rows[row][column] = rng.choice(VALUES)
        with file.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    before = snapshot()

    try:
        import_roster(export)
    except RosterError as refused:
        assert refused.errors and snapshot() == before
