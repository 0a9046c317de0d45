"""The JSON endpoints answer every method but GET and HEAD with a JSON 405 naming the allowed
methods, through the portal's real entry point, with CSRF enforced as in production (issue 26,
finding 11: they gave the HTML CSRF page, 403)."""

import json

import pytest
from django.test import Client

JSON_ENDPOINTS = [
    "/api/policy/decision?entity_type=lao&action=verify_identity",
    "/api/compliance?province=48",
    "/api/schema",
    "/readyz/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", JSON_ENDPOINTS)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_a_json_endpoint_answers_another_method_with_a_json_405(path, method):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(path, secure=True)
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response["Allow"] == "GET, HEAD"
    assert json.loads(response.content)["allowed"] == ["GET", "HEAD"]


@pytest.mark.django_db
def test_a_json_endpoint_still_answers_get(circulars):
    response = Client().get(
        "/api/policy/decision?entity_type=lao&action=verify_identity&identity_verified=false",
        secure=True,
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
