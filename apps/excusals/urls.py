"""URLs of the parents' pages under /family/ and the office's excusal page."""

from django.urls import path

from apps.excusals import views

app_name = "excusals"
urlpatterns = [
    path("family/", views.family, name="family"),
    path("family/children/<int:student_id>/", views.child, name="child"),
    path("family/excusals/new/", views.excusal_new, name="new"),
    path("family/excusals/<int:excusal_id>/", views.excusal_detail, name="detail"),
    path("family/excusals/<int:excusal_id>/withdraw/", views.excusal_withdraw, name="withdraw"),
    path("office/excusals/", views.office, name="office"),
]
