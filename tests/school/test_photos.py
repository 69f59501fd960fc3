"""Student photos (issue 18 point 4): thumbnails made with Pillow, ``manage.py import_photos``
from a folder or .zip, and the photo view that shows a child's photo only to the staff who may
see the student and to the student's parents."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image

from apps.classes.models import Cover
from apps.school.models import Student, StudentPhoto
from apps.school.photos import PhotoRefused, thumbnail


def image_bytes(fmt="JPEG", size=(1200, 900), colour=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def give_photo(student) -> None:
    StudentPhoto.objects.create(school=student.school, student=student, thumbnail=thumbnail(image_bytes()))


def test_a_thumbnail_is_a_small_jpeg_and_anything_else_is_refused():
    for fmt in ("JPEG", "PNG"):
        with Image.open(io.BytesIO(thumbnail(image_bytes(fmt)))) as small:
            assert (small.format, small.size) == ("JPEG", (160, 120))
    for bad in (b"not an image", image_bytes("GIF"), image_bytes("JPEG")[:200]):
        with pytest.raises(PhotoRefused):
            thumbnail(bad)


def _run(path, *args) -> str:
    out = io.StringIO()
    call_command("import_photos", str(path), *args, stdout=out)
    return out.getvalue()


def test_import_photos_from_a_folder_reports_matched_unmatched_and_refused(world, tmp_path):
    s0, s1, _ = world.students
    Student.objects.filter(pk=s1.pk).update(sourced_id="stu-0042")
    (tmp_path / f"{s0.student_number}.jpg").write_bytes(image_bytes())
    (tmp_path / "STU-0042.PNG").write_bytes(image_bytes("PNG"))
    (tmp_path / "999999.jpg").write_bytes(image_bytes())
    (tmp_path / f"{world.students[2].student_number}.jpg").write_bytes(b"a text file renamed")
    (tmp_path / "notes.txt").write_text("hello")

    output = _run(tmp_path, "--school", str(world.school.number))

    assert "Matched 2:" in output and "Unmatched 1" in output and "999999.jpg" in output
    assert "Refused 2:" in output and "not a JPEG or PNG image" in output and "notes.txt" in output
    assert set(StudentPhoto.objects.values_list("student_id", flat=True)) == {s0.pk, s1.pk}
    assert StudentPhoto.objects.get(student=s0).school == world.school


def test_import_photos_from_a_zip_replaces_a_photo_and_touches_no_other_school(world, tmp_path):
    s0 = world.students[0]
    give_photo(s0)
    far = world.far_students[0]
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"class/{s0.student_number}.jpeg", image_bytes(colour=(0, 0, 255)))
        z.writestr(f"{far.student_number}x.jpg", image_bytes())  # no such student here
        z.writestr("__MACOSX/._junk.jpg", b"junk")
    output = _run(archive, "--school", str(world.school.number))
    assert "Matched 1:" in output
    assert StudentPhoto.objects.count() == 1
    with Image.open(io.BytesIO(bytes(StudentPhoto.objects.get(student=s0).thumbnail))) as img:
        assert img.getpixel((80, 60))[2] > 200  # the new, blue one
    assert not StudentPhoto.objects.filter(student=far).exists()


def test_import_photos_refuses_a_bad_path_or_an_unnamed_school(world, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        _run(tmp_path / "missing", "--school", str(world.school.number))
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(CommandError, match="neither a folder nor a .zip"):
        _run(tmp_path / "file.txt", "--school", str(world.school.number))
    with pytest.raises(CommandError, match="--school"):
        _run(tmp_path)  # two schools: which one?
    with pytest.raises(CommandError, match="No such school"):
        _run(tmp_path, "--school", "987654")
    assert not StudentPhoto.objects.exists()


def _get(client, user, student):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("student_photo", args=[student.pk]))


def test_a_photo_is_served_only_to_the_students_staff_and_parents(client, world):
    child = world.students[0]
    give_photo(child)
    give_photo(world.far_students[0])
    for user in (world.teacher.user, world.admin.user, world.parent.user):
        response = _get(client, user, child)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, max-age=3600"
        assert response.content.startswith(b"\xff\xd8")
    # Anyone else: a 404, the same as for a student with no photo or no student at all.
    for user in (world.other_teacher.user, world.other_parent.user, world.other_school_admin.user):
        assert _get(client, user, child).status_code == 404, user
    assert _get(client, world.admin.user, world.far_students[0]).status_code == 404
    assert _get(client, world.admin.user, world.students[1]).status_code == 404  # no photo
    assert client.get("/students/999999/photo/").status_code == 404
    anonymous = _get(client, None, child)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client.post(reverse("student_photo", args=[child.pk])).status_code in (302, 405)


def test_a_cover_teacher_sees_the_photos_of_the_class_they_cover_today_only(client, world):
    child = world.students[0]
    give_photo(child)
    today = world.school.today()
    cover = Cover.objects.create(
        school=world.school,
        school_class=world.english,
        teacher=world.other_teacher,
        start_date=today + timedelta(days=7),
        end_date=today + timedelta(days=7),
    )
    assert _get(client, world.other_teacher.user, child).status_code == 404
    Cover.objects.filter(pk=cover.pk).update(start_date=today, end_date=today)
    assert _get(client, world.other_teacher.user, child).status_code == 200


def test_the_roll_and_the_family_page_show_the_photo(client, world):
    child, other = world.students[0], world.students[1]
    give_photo(child)
    photo = reverse("student_photo", args=[child.pk])
    day = world.school.today()
    client.force_login(world.teacher.user)
    roll = client.get(reverse("classes:roll", args=[world.english.pk, day.isoformat(), 1])).content.decode()
    assert f'<img class="avatar" src="{photo}" alt="" width="40" height="40">' in roll
    assert reverse("student_photo", args=[other.pk]) not in roll  # no photo: initials
    homeroom = client.get(reverse("homeroom:roll", args=[world.year7.pk, day.isoformat()])).content.decode()
    assert f'src="{photo}"' in homeroom
    client.force_login(world.parent.user)
    family = client.get(reverse("excusals:family")).content.decode()
    assert f'<img class="child-photo" src="{photo}"' in family
    client.force_login(world.other_parent.user)
    assert photo not in client.get(reverse("excusals:family")).content.decode()
