"""The decision API as an OpenAPI 3.0 fragment: data, assembled and served by `elaas_portal`."""

from .policy import ACTIONS, ENTITY_TYPES

_NULLABLE_TEXT = {"type": "string", "nullable": True}
_NULLABLE_INSTANT = {"type": "string", "format": "date-time", "nullable": True}

SCHEMAS = {
    "Decision": {
        "type": "object",
        "description": "The policy's answer, as `manage.py policy_decision` prints it.",
        "required": [
            "allowed",
            "reason",
            "reason_en",
            "circular",
            "circular_id",
            "clause",
            "valid_from",
            "valid_until",
            "at",
            "entity_type",
            "identity_verified",
            "action",
            "org",
        ],
        "properties": {
            "allowed": {"type": "boolean"},
            "reason": {"type": "string", "description": "Why, in Thai."},
            "reason_en": {"type": "string", "description": "Why, in English."},
            "circular": {
                **_NULLABLE_TEXT,
                "description": "The deciding letter's number as written; null without a rule.",
            },
            "circular_id": {"type": "integer", "nullable": True},
            "clause": _NULLABLE_TEXT,
            "valid_from": {
                **_NULLABLE_INSTANT,
                "description": "Since when this answer holds (Bangkok time); null: always.",
            },
            "valid_until": {
                **_NULLABLE_INSTANT,
                "description": "When the answer next changes (exclusive); null: never.",
            },
            "at": {"type": "string", "format": "date-time"},
            "entity_type": {"type": "string", "enum": list(ENTITY_TYPES)},
            "identity_verified": {"type": "boolean", "nullable": True},
            "action": {"type": "string", "enum": list(ACTIONS)},
            "org": {**_NULLABLE_TEXT, "description": "The DLA code asked about, if any."},
        },
    },
    "ParameterError": {
        "type": "object",
        "required": ["error", "param"],
        "properties": {
            "error": {"type": "string", "description": "What is wrong and what is expected."},
            "param": {"type": "string", "description": "The parameter at fault."},
        },
    },
}

PATHS = {
    "/api/policy/decision": {
        "get": {
            "operationId": "policyDecision",
            "summary": "May an LAO or a unit do this at that instant, and which circular says so?",
            "tags": ["policy"],
            "parameters": [
                {
                    "name": "action",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "enum": list(ACTIONS)},
                },
                {
                    "name": "entity_type",
                    "in": "query",
                    "description": "Required unless `org` is given.",
                    "schema": {"type": "string", "enum": list(ENTITY_TYPES)},
                },
                {
                    "name": "identity_verified",
                    "in": "query",
                    "description": "Required for an LAO unless `org` is given.",
                    "schema": {"type": "string", "enum": ["true", "false", "yes", "no", "1", "0"]},
                },
                {
                    "name": "at",
                    "in": "query",
                    "description": (
                        "ISO 8601 in Thai or Arabic digits; without an offset Bangkok time; "
                        "a Buddhist-era year is accepted; default now."
                    ),
                    "schema": {"type": "string", "format": "date-time"},
                },
                {
                    "name": "org",
                    "in": "query",
                    "description": (
                        "A 7-digit DLA code: replaces `entity_type` and `identity_verified`."
                    ),
                    "schema": {"type": "string", "pattern": "^[0-9๐-๙]{7}$"},
                },
            ],
            "responses": {
                "200": {
                    "description": "The decision.",
                    "headers": {
                        "Cache-Control": {
                            "description": (
                                "`public, max-age=N`: N seconds, at most 300, never past the "
                                "answer's next rule boundary; `no-cache` while the demo clock "
                                "is set."
                            ),
                            "schema": {"type": "string"},
                        },
                        "ETag": {
                            "description": "A strong tag of the body, for If-None-Match.",
                            "schema": {"type": "string"},
                        },
                    },
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Decision"}}
                    },
                },
                "304": {"description": "Not modified: If-None-Match named the answer's ETag."},
                "400": {
                    "description": "A bad or missing parameter.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ParameterError"}
                        }
                    },
                },
            },
        }
    }
}
