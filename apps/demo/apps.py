from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo school: built through the same services as a real one (``manage.py seed_demo``)."""

    name = "apps.demo"
