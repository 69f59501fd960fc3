"""URLs of the powerschool dialect."""

urlpatterns: list = []
