"""ManageBac's JSON: null values left out of answers, and request bodies that must be objects."""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer

from apps.api.managebac.errors import InvalidPayload


class DropNullsJSONRenderer(JSONRenderer):
    """ManageBac leaves null values out rather than sending ``null``."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return super().render(drop_nulls(data), accepted_media_type, renderer_context)


class WithoutNulls(dict):
    """A body built with its null values already left out: ``drop_nulls`` passes it as it is
    (the term summaries of a year group are thousands of objects)."""


def drop_nulls(value):
    if isinstance(value, WithoutNulls):
        return value
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


def json_object(request) -> dict:
    """The request body, which must be a JSON object."""
    data = request.data
    if not isinstance(data, dict):
        raise InvalidPayload()
    return data
