"""Sessions in the database, each with its user beside it (``LoginSession``): the session and the
user a request signs in as come in one query instead of two.

``SESSION_ENGINE`` names this module. The user read with the session is remembered for the
request (apps/school/memo.py) and handed to Django's own sign-in check by ``Backend.get_user``,
which does everything Django's ``ModelBackend`` does with it (an inactive user is no one);
``django.contrib.auth.get_user`` still checks the session's hash of the password.
"""

from __future__ import annotations

import logging

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from apps.school.memo import recalled, remember


def _signed_in_key(user_id) -> tuple:
    return ("signed in", str(user_id))


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
        try:
            session = self.model.objects.select_related("user").get(
                session_key=self.session_key, expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as e:
            if isinstance(e, SuspiciousOperation):
                logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            self._session_key = None
            return None
        if session.user is not None:
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
