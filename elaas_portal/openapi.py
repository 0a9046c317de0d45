"""The OpenAPI 3.0 document of the portal's JSON APIs, served at /api/schema.

Written by hand as data: each app describes its own API (`maintenance.openapi`,
`compliance.openapi`), this module adds the probes and the document itself and serves the whole.
`tests/fuzz/` loads it with schemathesis and checks every /api/ URL is in it.
"""

import json

from django.conf import settings
from django.http import HttpResponse

from compliance import openapi as compliance_api
from core.jsonapi import json_read_only
from maintenance import openapi as policy_api

MEDIA_TYPE = "application/vnd.oai.openapi+json"

_PROBES = {
    "/healthz/": {
        "get": {
            "operationId": "healthz",
            "summary": "Liveness: the process answers (nothing else is touched).",
            "tags": ["probes"],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {"text/plain": {"schema": {"type": "string", "enum": ["ok"]}}},
                }
            },
        }
    },
    "/readyz/": {
        "get": {
            "operationId": "readyz",
            "summary": "Readiness: the database and, with REDIS_URL, Redis answer.",
            "tags": ["probes"],
            "responses": {
                "200": {
                    "description": "Ready.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}
                    },
                },
                "503": {
                    "description": "Not ready: `down` names the services that do not answer.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}
                    },
                },
            },
        }
    },
    "/api/schema": {
        "get": {
            "operationId": "openapi",
            "summary": "This document.",
            "tags": ["meta"],
            "responses": {
                "200": {
                    "description": "The OpenAPI document.",
                    "content": {MEDIA_TYPE: {"schema": {"type": "object"}}},
                }
            },
        }
    },
}

_SCHEMAS = {
    "Readiness": {
        "type": "object",
        "required": ["ready", "down", "checks"],
        "properties": {
            "ready": {"type": "boolean"},
            "down": {"type": "array", "items": {"type": "string"}},
            "checks": {
                "type": "object",
                "additionalProperties": {"type": "string", "enum": ["ok", "down"]},
            },
        },
    },
}


def document() -> dict:
    """The whole document; the session cookie's name is the deployment's."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "New e-LAAS onboarding portal",
            "version": "1",
            "description": (
                "The access policy's decisions, the compliance figures and the probes. A bad or "
                "missing parameter is answered 400 with `{error, param}`, never 500."
            ),
        },
        "paths": {**policy_api.PATHS, **compliance_api.PATHS, **_PROBES},
        "components": {
            "schemas": {**policy_api.SCHEMAS, **compliance_api.SCHEMAS, **_SCHEMAS},
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": settings.SESSION_COOKIE_NAME,
                    "description": "The session of an officer who used the second factor.",
                }
            },
        },
    }


@json_read_only
def schema(request):
    body = json.dumps(document(), ensure_ascii=False, indent=1)
    return HttpResponse(body, content_type=f"{MEDIA_TYPE}; charset=utf-8")
