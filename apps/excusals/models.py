"""Parents' excusals of their children's absences."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.school.constraints import same_school
from apps.school.models import Parent, School, SchoolOwned, Student

MAX_EXCUSAL_DAYS = 12


class Excusal(SchoolOwned):
    # PROTECT throughout: an excusal is never removed by a cascade (deleting its school, student
    # or the parent who sent it is refused while it exists); it is withdrawn through its service.
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="excusals")
    parent = models.ForeignKey(Parent, on_delete=models.PROTECT, related_name="excusals")
    start_date = models.DateField(_("First day away"))
    end_date = models.DateField(_("Last day away"))
    comment = models.TextField(_("Reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="excusal_dates_ordered"),
            same_school("excusal", "student", "school.Student"),
            same_school("excusal", "parent", "school.Parent"),
        ]
        indexes = [
            models.Index(fields=["student", "start_date", "end_date"], name="excusal_student_dates_idx"),
            models.Index(fields=["school", "start_date", "end_date"], name="excusal_school_dates_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.start_date}–{self.end_date}"

    @property
    def duration(self) -> int:
        """Inclusive calendar days."""
        return (self.end_date - self.start_date).days + 1
