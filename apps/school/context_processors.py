"""Template context: the signed-in user's roles, looked up only when a template asks."""

from django.utils.functional import SimpleLazyObject

from apps.school.access import Roles


def roles(request):
    return {"roles": SimpleLazyObject(lambda: Roles.of(request.user))}
