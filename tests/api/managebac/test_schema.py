"""The OpenAPI document covers every ManageBac endpoint with the shapes we really send, and the
docs page loads only local static files."""

from __future__ import annotations

import re

import jsonschema
import pytest
from drf_spectacular.validation import validate_schema

from apps.api.managebac.urls import urlpatterns
from apps.school.models import Term


@pytest.fixture
def schema(db, client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    document = response.json()
    validate_schema(document)  # raises on an invalid OpenAPI 3 document
    return document


def openapi_path(route: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_schema_lists_every_managebac_path_under_both_prefixes(schema):
    routes = {openapi_path(str(p.pattern)): p.callback.cls for p in urlpatterns if p.name != "unknown"}
    assert len(routes) == 20
    for prefix in ("v2", "v2p1"):
        for route, view in routes.items():
            operations = schema["paths"][f"/{prefix}/{route}"]
            methods = {m for m in view.http_method_names if m != "options"}
            assert methods <= set(operations), route
            for method in methods:
                operation = operations[method]
                assert operation["tags"][0].startswith("ManageBac")
                assert "401" in operation["responses"]
                assert {"auth_token_header": []} in operation["security"]
    assert not [path for path in schema["paths"] if "(?P" in path or path.endswith("{path}")]
    schemes = schema["components"]["securitySchemes"]
    assert schemes["auth_token_header"] == {"type": "apiKey", "in": "header", "name": "auth-token"}


def test_write_operations_document_their_bodies(schema):
    put = schema["paths"]["/v2/classes/{class_id}/attendance"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ManageBacSetClassAttendanceIn"
    }
    item = schema["components"]["schemas"]["ManageBacAttendanceItemIn"]
    assert set(item["properties"]) == {"student_id", "date", "period", "status", "notes"}
    homeroom = inline(schema["components"]["schemas"]["ManageBacHomeroomAttendanceIn"], schema["components"]["schemas"])
    assert homeroom["properties"]["status"]["allOf"][0]["enum"] == [
        0,
        1,
        2,
        3,
        4,
        5,
        10,
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
    ]
    post = schema["paths"]["/v2p1/students/{student_id}/excusals"]["post"]
    assert "201" in post["responses"] and "422" in post["responses"]


def inline(node, components: dict):
    """The schema with every $ref replaced by what it points at."""
    if isinstance(node, dict):
        if "$ref" in node:
            return inline(components[node["$ref"].rsplit("/", 1)[-1]], components)
        return {k: inline(v, components) for k, v in node.items()}
    if isinstance(node, list):
        return [inline(v, components) for v in node]
    return node


def test_answers_match_the_documented_response_schemas(schema, world, taken_roll, admin, api_as):
    components = schema["components"]["schemas"]
    term = Term.objects.filter(school=world.school).order_by("start_date").first()
    api = api_as(admin)
    english, year7, s0 = world.english.pk, world.year7.pk, world.students[0].pk
    for route, path in [
        ("classes", "classes"),
        ("classes/{class_id}", f"classes/{english}"),
        ("classes/{class_id}/attendance/term/{term_id}", f"classes/{english}/attendance/term/{term.pk}"),
        ("classes/{class_id}/attendance/date/{date}", f"classes/{english}/attendance/date/{taken_roll}"),
        ("classes/{class_id}/timetable", f"classes/{english}/timetable"),
        ("students", "students"),
        ("year-groups", "year-groups"),
        ("school/academic-years", "school/academic-years"),
        (
            "year-groups/{year_group_id}/homeroom/attendance/date/{date}",
            f"year-groups/{year7}/homeroom/attendance/date/{taken_roll}",
        ),
        ("students/{student_id}/excusals", f"students/{s0}/excusals"),
    ]:
        documented = schema["paths"][f"/v2p1/{route}"]["get"]["responses"]["200"]["content"]["application/json"]
        jsonschema.validate(api.get(path).json(), inline(documented["schema"], components))
    error = schema["paths"]["/v2p1/classes/{class_id}"]["get"]["responses"]["404"]["content"]["application/json"]
    jsonschema.validate(api.get("classes/999999").json(), inline(error["schema"], components))


def test_docs_page_uses_only_local_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"""['"](https?://[^'"]+)['"]""", html)
    assert urls, "the page should load its scripts"
    assert all(url.startswith("/static/") for url in urls), urls
    assert "swagger-ui" in html
