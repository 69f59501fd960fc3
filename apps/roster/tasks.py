"""The roster's background tasks (Django's Tasks API, run by ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from apps.roster import services


@task()
def check_upload_task(upload_id: int) -> str:
    return services.check_upload(upload_id)


@task()
def apply_upload_task(upload_id: int) -> str:
    return services.apply_upload(upload_id)
