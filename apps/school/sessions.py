"""Sessions in the database, each with its user beside it (``LoginSession``): the session and the
user a request signs in as come in one query instead of two.

``SESSION_ENGINE`` names this module. The user read with the session is remembered for the
request (apps/school/memo.py) and handed to Django's own sign-in check by ``Backend.get_user``,
which does everything Django's ``ModelBackend`` does with it (an inactive user is no one);
``django.contrib.auth.get_user`` still checks the session's hash of the password.

Every signed-in request reads its session, so the read is written by hand and prepared on
PostgreSQL (apps/school/prepared.py), as a tap's row is: the ORM's ``select_related`` query cost
more to build than to run. It reads the default database, which is the primary when a replica
is set up (attendance_site/replica.py sends sessions there too).
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.utils import timezone

from apps.school.memo import recalled, remember
from apps.school.prepared import columns_of, instance, prepared_cursor


def _signed_in_key(user_id) -> tuple:
    return ("signed in", str(user_id))


@cache
def _statement() -> str:
    from apps.school.models import LoginSession

    user, user_id = get_user_model(), LoginSession._meta.get_field("user").column
    return (
        f"SELECT {columns_of(LoginSession, 's')}, {columns_of(user, 'u')}"  # noqa: S608 (names only)
        f" FROM {LoginSession._meta.db_table} s"
        f" LEFT JOIN {user._meta.db_table} u ON u.{user._meta.pk.column} = s.{user_id}"
        " WHERE s.session_key = %s AND s.expire_date > %s"
    )


class SessionStore(DatabaseStore):
    @classmethod
    def get_model_class(cls):
        from apps.school.models import LoginSession

        return LoginSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.user_id = int(data[SESSION_KEY]) if data.get(SESSION_KEY) is not None else None
        except (TypeError, ValueError):
            session.user_id = None
        return session

    def _get_session_from_db(self):
        """The unexpired session of this key with its user (None: no such session), as Django's
        database store reads it, in one statement."""
        with prepared_cursor() as cursor:
            cursor.execute(_statement(), [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        width = len(self.model._meta.concrete_fields)
        session = instance(self.model, row[:width])
        if session.user_id is not None:
            session.user = instance(get_user_model(), row[width:])
            remember(_signed_in_key(session.user_id), session.user)
        return session


class Backend(ModelBackend):
    """Django's ModelBackend, which takes the user read with the session (``SessionStore``)
    instead of reading it again."""

    def get_user(self, user_id):
        user = recalled(_signed_in_key(user_id))
        if user is None:
            return super().get_user(user_id)
        return user if self.user_can_authenticate(user) else None
