"""URLs of the sections dialect."""

urlpatterns: list = []
