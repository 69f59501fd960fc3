"""URLs of the PowerSchool dialect, mounted at the server root (/oauth/…, /ws/…)."""

from django.urls import path

from apps.api.powerschool import views

urlpatterns = [
    path("oauth/access_token", views.access_token, name="token"),
    path("oauth/access_token/", views.access_token_slash, name="token_slash"),
    path("ws/v1/metadata", views.metadata, name="metadata"),
    path("ws/schema/table/<str:table>", views.schema_table, name="schema_table"),
    path("ws/schema/table/<str:table>/count", views.schema_table_count, name="schema_table_count"),
    path("ws/schema/table/<str:table>/metadata", views.schema_table_metadata, name="schema_table_metadata"),
    path("ws/schema/table/<str:table>/<str:id>", views.schema_table_row, name="schema_table_row"),
    path("ws/attendance/batch_daily_time", views.batch_daily_time, name="batch_daily_time"),
    path("ws/attendance/daily_time", views.daily_time, name="daily_time"),
    path("ws/attendance/meeting_interval", views.meeting_interval, name="meeting_interval"),
    # Last: any other path under /ws/ is PowerSchool's JSON 404.
    path("ws/<path:path>", views.unknown, name="unknown"),
]
