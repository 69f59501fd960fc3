"""The four dialects at their vendors' paths, the OpenAPI schema and docs, and the API clients page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("office/api-clients/", include("apps.api.web_urls")),
    path("v2/", include(("apps.api.managebac.urls", "managebac"), namespace="managebac_v2")),
    path("v2p1/", include(("apps.api.managebac.urls", "managebac"), namespace="managebac_v2p1")),
    path("v1/", include(("apps.api.sections.urls", "sections"), namespace="sections")),
    path("academic/", include(("apps.api.academic.urls", "academic"), namespace="academic")),
    path("", include(("apps.api.powerschool.urls", "powerschool"), namespace="powerschool")),
]
