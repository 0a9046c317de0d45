"""The compliance API as an OpenAPI 3.0 fragment: data, assembled and served by `elaas_portal`."""

from onboarding.positions import PositionState

from .states import LaoState

STATES = [state.value for state in LaoState]
POSITION_STATES = [state.value for state in PositionState]

_COUNT = {"type": "integer", "minimum": 0}
_FIGURES = {
    "laos": {
        "type": "object",
        "description": (
            "LAOs by state, and their total. in_progress: some of the required positions are "
            "verified, not all."
        ),
        "required": ["total", *STATES],
        "properties": {name: _COUNT for name in ("total", *STATES)},
    },
    "units": {
        "type": "object",
        "required": ["total", "logged_in"],
        "properties": {"total": _COUNT, "logged_in": _COUNT},
    },
    "share_verified": {
        "type": "number",
        "minimum": 0,
        "maximum": 100,
        "description": "Per cent of the LAOs verified, one decimal.",
    },
}
_CODE = {"type": "string", "pattern": "^[0-9๐-๙]{1,10}$"}

SCHEMAS = {
    "ComplianceRow": {
        "type": "object",
        "required": ["code", "name_th", *_FIGURES],
        "properties": {"code": {"type": "string"}, "name_th": {"type": "string"}, **_FIGURES},
    },
    "LaoRow": {
        "description": "One LAO of a district: its figures, its state and its positions.",
        "allOf": [
            {"$ref": "#/components/schemas/ComplianceRow"},
            {
                "type": "object",
                "required": ["state", "positions", "positions_verified", "positions_required"],
                "properties": {
                    "state": {"type": "string", "enum": STATES},
                    "positions": {
                        "type": "array",
                        "description": "Each required group of positions and where it stands.",
                        "items": {
                            "type": "object",
                            "required": ["positions", "state"],
                            "properties": {
                                "positions": {"type": "array", "items": {"type": "string"}},
                                "state": {"type": "string", "enum": POSITION_STATES},
                            },
                        },
                    },
                    "positions_verified": _COUNT,
                    "positions_required": _COUNT,
                },
            },
        ],
    },
    "Compliance": {
        "type": "object",
        "required": ["scope", "as_of", *_FIGURES],
        "properties": {
            "scope": {"type": "string", "description": "country, province:48 or district:4801"},
            "as_of": {"type": "string", "format": "date-time"},
            **_FIGURES,
            "provinces": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/ComplianceRow"},
                "description": "The country's provinces (country scope).",
            },
            "districts": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/ComplianceRow"},
                "description": "The province's districts, or the district itself.",
            },
            "laos_list": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/LaoRow"},
                "description": "The district's LAOs (district scope).",
            },
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}},
    },
}


def _error(description: str, schema: str = "Error") -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


PATHS = {
    "/api/compliance": {
        "get": {
            "operationId": "compliance",
            "summary": "The dashboard's numbers for a scope the officer may see.",
            "description": (
                "For officers whose session used the second factor. Without a parameter: the "
                "officer's own scope."
            ),
            "tags": ["compliance"],
            "security": [{"session": []}],
            "parameters": [
                {
                    "name": "province",
                    "in": "query",
                    "description": "A province code, e.g. 48.",
                    "schema": _CODE,
                },
                {
                    "name": "district",
                    "in": "query",
                    "description": "A district code, e.g. 4801.",
                    "schema": _CODE,
                },
            ],
            "responses": {
                "200": {
                    "description": "The figures.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Compliance"}}
                    },
                },
                # ParameterError: {error, param}, as the decision API's (maintenance.openapi).
                "400": _error("A code that is not digits.", "ParameterError"),
                "401": _error("Not logged in."),
                "403": _error("Not an officer, or the second factor not used in this session."),
                "404": _error("The scope is outside the officer's area, or does not exist."),
            },
        }
    }
}
