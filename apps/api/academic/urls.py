"""URLs of the academic dialect."""

urlpatterns: list = []
