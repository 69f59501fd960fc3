"""The office's photo upload (issue 18 point 4): a .zip or JPEG/PNG files named by student
number or sourcedId, saved by ``save_photos`` (the function ``manage.py import_photos`` uses),
the page listing what was matched, unmatched and refused; for the school's admins only."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from apps.school.models import Student, StudentPhoto
from apps.school.photos import MAX_FILE_BYTES

URL = reverse("roster:photos")


def image_bytes(fmt="JPEG", colour=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 450), colour).save(out, fmt)
    return out.getvalue()


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def upload(client, *files: tuple[str, bytes], **extra):
    return client.post(URL, {"photos": [SimpleUploadedFile(name, data) for name, data in files], **extra})


def photo_owners() -> set[int]:
    return set(StudentPhoto.objects.values_list("student_id", flat=True))


def test_a_zip_saves_the_matched_photos_and_lists_the_rest(client, world, admin):
    s0, s1, s2 = world.students
    Student.objects.filter(pk=s1.pk).update(sourced_id="stu-0042")
    client.force_login(admin)
    archive = zipped(
        {
            f"7A/{s0.student_number}.jpg": image_bytes(),
            "STU-0042.PNG": image_bytes("PNG"),
            "999999.jpg": image_bytes(),
            f"{s2.student_number}.jpeg": b"a text file renamed",
            "notes.txt": b"hello",
            "__MACOSX/._junk.jpg": b"junk",
        }
    )
    response = upload(client, ("class-photos.zip", archive))
    assert response.status_code == 200
    page = response.content.decode()
    assert photo_owners() == {s0.pk, s1.pk}
    report = response.context["report"]
    assert [name for name, _ in report.matched] == [f"{s0.student_number}.jpg", "STU-0042.PNG"]
    assert report.unmatched == ["999999.jpg"]
    assert dict(report.refused) == {
        f"{s2.student_number}.jpeg": "not a JPEG or PNG image",
        "notes.txt": "not a .jpg, .jpeg or .png file",
    }
    assert "999999.jpg" in page and "notes.txt: not a .jpg, .jpeg or .png file" in page
    assert s0.full_name in page and "2 of 4 students have a photo." in page
    assert "._junk.jpg" not in page

    # The photo shows on the student's report, from the photo view (no public address).
    report_page = client.get(reverse("reports:student_report", args=[s0.pk])).content.decode()
    address = reverse("student_photo", args=[s0.pk])
    assert f'src="{address}"' in report_page
    served = client.get(address)
    assert served.status_code == 200 and served["Cache-Control"] == "private, max-age=3600"
    assert 'class="student-photo"' not in client.get(reverse("reports:student_report", args=[s2.pk])).content.decode()


def test_several_files_at_once_replace_a_photo_before(client, world, admin):
    s0, s1, _ = world.students
    client.force_login(admin)
    upload(client, (f"{s0.student_number}.jpg", image_bytes(colour=(255, 0, 0))))
    before = bytes(StudentPhoto.objects.get(student=s0).thumbnail)
    response = upload(
        client,
        (f"{s0.student_number}.JPG", image_bytes(colour=(0, 0, 255))),
        (f"{s1.student_number}.png", image_bytes("PNG")),
    )
    assert response.status_code == 200
    assert len(response.context["report"].matched) == 2
    assert photo_owners() == {s0.pk, s1.pk}
    assert bytes(StudentPhoto.objects.get(student=s0).thumbnail) != before
    with Image.open(io.BytesIO(bytes(StudentPhoto.objects.get(student=s0).thumbnail))) as small:
        assert small.format == "JPEG" and max(small.size) == 160 and small.getpixel((80, 60))[2] > 200


def test_bad_files_are_refused_and_change_nothing(client, world, admin):
    s0 = world.students[0]
    client.force_login(admin)
    # Nothing chosen: the form says so (400), and no photo is saved.
    response = client.post(URL, {})
    assert response.status_code == 400
    assert "Choose the photos" in response.content.decode()
    # A .zip that is not one, a .zip whose file is damaged, a file too large, a GIF.
    good = zipped({f"{s0.student_number}.jpg": image_bytes()})
    damaged = bytearray(good)
    start = damaged.index(b"PK\x03\x04") + 30 + len(f"{s0.student_number}.jpg")
    damaged[start + 50 : start + 60] = b"\x00" * 10
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    response = upload(
        client,
        ("photos.zip", b"this is not a zip"),
        ("damaged.zip", bytes(damaged)),
        ("huge.zip", zipped({f"{world.students[1].student_number}.jpg": b"\0" * (MAX_FILE_BYTES + 1)})),
        (f"{world.students[2].student_number}.jpg", gif.getvalue()),
    )
    assert response.status_code == 200
    refused = dict(response.context["report"].refused)
    assert refused["photos.zip"] == "not a .zip file that can be read"
    assert refused["damaged.zip"] == "not a .zip file that can be read"
    assert refused[f"{world.students[1].student_number}.jpg"] == "larger than 10 MB"
    assert refused[f"{world.students[2].student_number}.jpg"] == "not a JPEG or PNG image"
    assert response.context["report"].matched == []
    assert photo_owners() == set()


def test_another_schools_admin_cannot_upload_for_this_school(client, world, other_school_admin):
    s0 = world.students[0]
    client.force_login(other_school_admin)
    # Naming this school: a 404, as every office page answers for a school not theirs.
    assert client.get(URL, {"school": world.school.pk}).status_code == 404
    response = upload(client, (f"{s0.student_number}.jpg", image_bytes()), school=world.school.pk)
    assert response.status_code == 404
    # Their own school's upload never reaches this school's students, even by their numbers.
    response = upload(client, (f"{s0.student_number}.jpg", image_bytes()))
    assert response.status_code == 200
    assert response.context["report"].unmatched == [f"{s0.student_number}.jpg"]
    far = world.far_students[0]
    upload(client, (f"{far.student_number}.jpg", image_bytes()))
    assert photo_owners() == {far.pk}


@pytest.mark.parametrize("who", ["teacher", "other_teacher", "parent"])
def test_teachers_and_parents_cannot_upload(client, world, request, who):
    s0 = world.students[0]
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert upload(client, (f"{s0.student_number}.jpg", image_bytes())).status_code == 404
    assert photo_owners() == set()


def test_anonymous_is_sent_to_sign_in(client, world):
    response = upload(client, (f"{world.students[0].student_number}.jpg", image_bytes()))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert photo_owners() == set()


def test_more_files_than_a_request_may_carry_is_a_400_not_a_500(client, world, admin):
    """Django's DATA_UPLOAD_MAX_NUMBER_FILES (100): more files go in a .zip, as the form says."""
    client.force_login(admin)
    files = [(f"{i}.jpg", b"x") for i in range(101)]
    assert upload(client, *files).status_code == 400
    assert photo_owners() == set()


def test_the_page_costs_a_few_queries_and_an_upload_a_few_per_photo(
    client, world, admin, django_assert_max_num_queries
):
    """Each matched photo is saved on its own (about 5 statements: save_photos replaces the
    student's photo one by one); the page itself does not grow with the school."""
    client.force_login(admin)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200
    one = zipped({f"{s.student_number}.jpg": image_bytes() for s in world.students[:1]})
    three = zipped({f"{s.student_number}.jpg": image_bytes() for s in world.students[:3]})
    with django_assert_max_num_queries(14):
        assert upload(client, ("one.zip", one)).status_code == 200
    with django_assert_max_num_queries(24):
        assert upload(client, ("three.zip", three)).status_code == 200
    assert len(photo_owners()) == 3
