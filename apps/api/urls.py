"""The four dialects at their vendors' paths, the API client pages, and the OpenAPI schema."""

from django.urls import include, path

urlpatterns = [
    path("v2/", include(("apps.api.managebac.urls", "managebac"), namespace="managebac_v2")),
    path("v2p1/", include(("apps.api.managebac.urls", "managebac"), namespace="managebac_v2p1")),
    path("v1/", include(("apps.api.sections.urls", "sections"), namespace="sections")),
    path("academic/", include(("apps.api.academic.urls", "academic"), namespace="academic")),
    path("", include(("apps.api.powerschool.urls", "powerschool"), namespace="powerschool")),
]
