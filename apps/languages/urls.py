from django.urls import path

from apps.languages import views

app_name = "languages"
urlpatterns = [path("language/", views.choose, name="choose")]
