"""URLs of the managebac dialect."""

urlpatterns: list = []
