"""The office's roster page (/office/roster/): upload, preview, apply or cancel; the check and the
import run as background tasks, run here by django-tasks-db's worker for real. Tests that run the
worker run outside a test transaction, as production does (the worker closes a connection it
finds inside one)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from apps.classes.models import SchoolClass
from apps.languages.choice import save_language
from apps.roster import services
from apps.roster.models import RosterUpload
from apps.roster.services import import_roster
from apps.school.models import Administrator, School, Student
from tests import factories as f
from tests.roster.conftest import zipped
from tests.roster.csvs import EXPORTS, snapshot

ROSTER = "/office/roster/"


def upload(client, *files: tuple[str, bytes], school: School | None = None):
    data = {"export": [SimpleUploadedFile(name, content) for name, content in files]}
    if school is not None:
        data["school"] = str(school.pk)
    return client.post(ROSTER, data)


@pytest.mark.django_db(transaction=True)
def test_the_office_uploads_a_zip_reads_the_preview_and_applies_it(client, world, admin, worker):
    client.force_login(admin)
    assert client.get(ROSTER).status_code == 200

    response = upload(client, ("hillside.zip", zipped(EXPORTS / "upper-case", inside="export/")))

    sent = RosterUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("roster:upload", args=[sent.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Checking the export" in page and "Waiting for the background worker" in page
    # The page follows the task: htmx asks for its state again; without JavaScript, a Reload link.
    assert 'hx-trigger="every 2s"' in page and f'href="{response["Location"]}">Reload</a>' in page
    state = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert state.strip().startswith('<div id="upload-state"') and "<html" not in state

    worker()

    sent.refresh_from_db()
    assert sent.status == "ready" and sent.step == "done"
    page = client.get(response["Location"]).content.decode()
    assert "What it would change" in page and "hx-trigger" not in page  # done: no more asking
    assert '<th scope="row">Students</th><td>2 new</td>' in page
    assert "Apply the roster" in page
    assert not Student.objects.filter(sourced_id="U1").exists()  # a preview saves nothing

    response = client.post(reverse("roster:upload_apply", args=[sent.pk]))
    assert response.status_code == 302
    assert "Applying the export" in client.get(response["Location"]).content.decode()
    worker()

    sent.refresh_from_db()
    assert (sent.status, sent.applied_by, bytes(sent.export)) == ("applied", admin, b"")
    assert Student.objects.filter(school=world.school, sourced_id__in=["U1", "U2"]).count() == 2
    world.school.refresh_from_db()
    assert world.school.sourced_id == "HS1"  # the school had none: the export's only school is it
    page = client.get(response["Location"]).content.decode()
    assert "Applied" in page and '<th scope="row">Enrollments</th><td>2 new</td>' in page
    # Applied once: a second POST does not apply it again.
    response = client.post(reverse("roster:upload_apply", args=[sent.pk]), follow=True)
    assert "cannot be applied: it is applied" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_csv_files_chosen_together_are_one_upload(client, world, admin, worker):
    client.force_login(admin)
    files = [(file.name, file.read_bytes()) for file in sorted((EXPORTS / "terms-only").iterdir())]

    response = upload(client, *files)

    sent = RosterUpload.objects.get()
    assert response.status_code == 302 and sent.filename == "7 CSV files"
    worker()
    sent.refresh_from_db()
    assert sent.status == "ready"
    page = client.get(reverse("roster:upload", args=[sent.pk])).content.decode()
    assert "Warnings (3)" in page and "periods &#x27;3-1&#x27; of class" in page
    assert "orgs.csv line 2: Northfield School is this export&#x27;s さくら高等学校 (sourcedId or0001)" in page


@pytest.mark.django_db(transaction=True)
def test_a_refused_export_lists_its_problems_and_saves_nothing(client, world, admin, worker, tmp_path):
    client.force_login(admin)
    broken = tmp_path / "broken"
    broken.mkdir()
    for file in (EXPORTS / "upper-case").iterdir():
        (broken / file.name).write_bytes(file.read_bytes().replace(b",Scheduled,", b",Lab,"))
    before = snapshot()

    upload(client, ("broken.zip", zipped(broken)))
    worker()

    sent = RosterUpload.objects.get()
    assert sent.status == "refused" and bytes(sent.export) == b""
    assert sent.problems == ["classes.csv line 2: classType 'Lab' is not a OneRoster class type"]
    page = client.get(reverse("roster:upload", args=[sent.pk])).content.decode()
    assert "Refused: nothing was saved" in page and "classType &#x27;Lab&#x27;" in page
    assert "Apply the roster" not in page
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_the_problems_are_in_the_language_of_the_admin_who_uploaded(client, world, admin, worker, tmp_path):
    save_language(user=admin, language="fr", channel="web")
    client.force_login(admin)
    broken = tmp_path / "broken"
    broken.mkdir()
    for file in (EXPORTS / "upper-case").iterdir():
        (broken / file.name).write_bytes(file.read_bytes().replace(b",Scheduled,", b",Lab,"))

    upload(client, ("broken.zip", zipped(broken)))
    assert translation.get_language() == "en-gb"  # the worker starts in the default language
    worker()

    sent = RosterUpload.objects.get()
    problem = "classes.csv ligne 2\xa0: classType 'Lab' n'est pas un(e) type de classe OneRoster"
    assert sent.status == "refused" and sent.problems == [problem]
    page = client.get(reverse("roster:upload", args=[sent.pk])).content.decode()
    assert "classType &#x27;Lab&#x27; n&#x27;est pas un(e) type de classe OneRoster" in page


@pytest.mark.django_db(transaction=True)
def test_cancel_drops_an_upload(client, world, admin, worker):
    client.force_login(admin)
    upload(client, ("hillside.zip", zipped(EXPORTS / "upper-case")))
    worker()
    sent = RosterUpload.objects.get()

    response = client.post(reverse("roster:upload_cancel", args=[sent.pk]), follow=True)

    sent.refresh_from_db()
    assert (sent.status, bytes(sent.export)) == ("cancelled", b"")
    assert "is cancelled: nothing of it was saved" in response.content.decode()
    assert client.post(reverse("roster:upload_apply", args=[sent.pk])).status_code == 302
    sent.refresh_from_db()
    assert sent.status == "cancelled" and not Student.objects.filter(sourced_id="U1").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("files", "error"),
    [
        ([], "Choose the export: a .zip, or its .csv files."),
        ([("roster.zip", b"not a zip")], "roster.zip is not a .zip file."),
        ([("users.csv", b"a"), ("notes.txt", b"b")], "Upload one .zip, or .csv files only (not notes.txt)."),
        ([("users.csv", b"a"), ("Users.csv", b"b")], "users.csv is chosen twice."),
    ],
)
def test_an_upload_that_is_not_an_export_is_refused_at_once(client, world, admin, files, error):
    client.force_login(admin)

    response = upload(client, *files)

    assert response.status_code == 400
    assert error.replace("'", "&#x27;") in response.content.decode()
    assert not RosterUpload.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_for_one_school_and_leaves_the_others_rows_out(client, worker):
    import_roster(EXPORTS / "district-2026")  # the operator's first import of the district
    north, south = School.objects.get(number=501), School.objects.get(number=502)
    office = f.make_user("north.office")
    Administrator.objects.create(school=north, first_name="Nell", last_name="Office", user=office)
    south_before = sorted(SchoolClass.objects.filter(school=south).values_list())
    client.force_login(office)

    upload(client, ("district-2027.zip", zipped(EXPORTS / "district-2027")))
    worker()
    sent = RosterUpload.objects.get()
    assert sent.status == "ready"
    assert (
        "orgs.csv line 4: Lakeview South is not Lakeview North: its rows are left out of this upload"
        in (sent.preview["warnings"])
    )
    client.post(reverse("roster:upload_apply", args=[sent.pk]))
    worker()

    sent.refresh_from_db()
    assert sent.status == "applied"
    assert SchoolClass.objects.filter(school=north, sourced_id="LN-8A-MATH-28").exists()
    assert sorted(SchoolClass.objects.filter(school=south).values_list()) == south_before
    assert Student.objects.get(sourced_id="S-S1").year_group.name == "Year 7 South"  # not moved


@pytest.mark.django_db
def test_an_admin_of_two_schools_picks_the_school(client, world):
    two = f.make_user("two.schools")
    for school in (world.school, world.other_school):
        Administrator.objects.create(school=school, first_name="Tia", last_name="Two", user=two)
    client.force_login(two)
    page = client.get(f"{ROSTER}?school={world.other_school.pk}").content.decode()
    assert "Load Southbank Academy" in page

    upload(client, ("hillside.zip", zipped(EXPORTS / "upper-case")), school=world.other_school)

    assert RosterUpload.objects.get().school == world.other_school


@pytest.mark.django_db(transaction=True)
def test_nobody_but_the_schools_admins_reaches_its_uploads(client, world, worker):
    theirs = services.upload_create(
        actor=world.admin.user, school=world.school, files=[("hillside.zip", zipped(EXPORTS / "upper-case"))]
    )
    worker()
    detail = reverse("roster:upload", args=[theirs.pk])
    apply = reverse("roster:upload_apply", args=[theirs.pk])
    cancel = reverse("roster:upload_cancel", args=[theirs.pk])
    for who in ("teacher", "other_teacher", "parent", "other_parent"):
        client.force_login(getattr(world, who).user)
        assert client.get(ROSTER).status_code == 404, who
        assert upload(client, ("x.zip", zipped(EXPORTS / "upper-case"))).status_code == 404, who
        assert client.get(detail).status_code == 404, who
        assert client.post(apply).status_code == 404, who
        assert client.post(cancel).status_code == 404, who
    client.force_login(world.other_school_admin.user)
    assert client.get(f"{ROSTER}?school={world.school.pk}").status_code == 404
    assert client.get(detail).status_code == 404
    assert client.post(apply).status_code == 404 and client.post(cancel).status_code == 404
    page = client.get(ROSTER).content.decode()
    assert "hillside.zip" not in page and "Northfield" not in page
    client.logout()
    assert client.get(ROSTER).status_code == 302 and client.get(detail).status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == "ready" and RosterUpload.objects.count() == 1


@pytest.mark.django_db
def test_the_roster_page_costs_the_same_queries_with_many_uploads(client, world, admin, django_assert_max_num_queries):
    client.force_login(admin)
    for count in (1, 10):
        RosterUpload.objects.bulk_create(
            RosterUpload(
                school=world.school, filename=f"r{n}.zip", export=b"", uploaded_by=admin, uploaded_at=timezone.now()
            )
            for n in range(count)
        )
        with django_assert_max_num_queries(12):
            assert client.get(ROSTER).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_progress_is_saved_as_the_tasks_go(client, world, admin, worker):
    """Outside a test's transaction, as in production: the check records its steps as it goes
    and ends at "done"; the upload page reads them."""
    sent = services.upload_create(
        actor=admin, school=world.school, files=[("hillside.zip", zipped(EXPORTS / "upper-case"))]
    )
    steps = []
    progress = services.UploadProgress(sent.pk)
    for step in ("schools", "users", "enrollments"):
        progress(step, 0, 0)
        steps.append(RosterUpload.objects.get(pk=sent.pk).step)
    assert steps == ["schools", "users", "enrollments"]
    client.force_login(admin)
    assert "Step 6 of 6: enrollments" in client.get(reverse("roster:upload", args=[sent.pk])).content.decode()

    worker()

    sent.refresh_from_db()
    assert (sent.status, sent.step) == ("ready", "done")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_imports_progress_is_seen_while_its_transaction_is_open(world, admin):
    """The import holds one transaction; on PostgreSQL its progress is committed beside it, so
    the page (another connection) sees it before the import ends."""
    from django.db import DEFAULT_DB_ALIAS, connections, transaction

    sent = services.upload_create(
        actor=admin, school=world.school, files=[("hillside.zip", zipped(EXPORTS / "upper-case"))]
    )
    progress = services.UploadProgress(sent.pk)
    reader = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with transaction.atomic():
            progress("enrollments", 2000, 500000)
            with reader.cursor() as cursor:
                cursor.execute("SELECT step, done, total FROM roster_rosterupload WHERE id = %s", [sent.pk])
                assert cursor.fetchone() == ("enrollments", 2000, 500000)
            transaction.set_rollback(True)
    finally:
        progress.close()
        reader.close()
    sent.refresh_from_db()
    assert sent.step == "enrollments"  # committed, whatever the import's transaction does
