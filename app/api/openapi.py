"""OpenAPI 3.1 description of the pull API."""

_FIGURES = {
    "required": {"type": "integer"}, "completed": {"type": "integer"}, "completed_on_time": {"type": "integer"},
    "overdue": {"type": "integer"}, "completion_rate": {"type": "number"}, "on_time_rate": {"type": "number"},
    "average_score": {"type": ["number", "null"]},
}
_ERROR = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Xiaobao Academy HR API", "version": "1.0.0",
             "description": "Completion data for HR systems. Every call needs 'Authorization: Bearer <token>'; "
                            "tokens are created by HR users under /hr/api-tokens and see the same part of the "
                            "bank as their owner."},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": {
        "/completions": {"get": {
            "summary": "Requirement records (one per employee, course and period) with their status",
            "parameters": [
                {"name": "period", "in": "query", "schema": {"type": "string", "pattern": "^(once|[0-9]{4})$"},
                 "description": "A year, e.g. 2026, or 'once'"},
                {"name": "course", "in": "query", "schema": {"type": "string"}, "description": "Course id (folder name)"},
                {"name": "org", "in": "query", "schema": {"type": "string"}, "description": "Org unit code: its subtree"},
                {"name": "updated_since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                {"name": "cursor", "in": "query", "schema": {"type": "string"},
                 "description": "next_cursor of the last page"},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 500}},
            ],
            "responses": {
                "200": {"description": "A page", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["items", "next_cursor"],
                    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Completion"}},
                                   "next_cursor": {"type": ["string", "null"]}}}}}},
                "400": _ERROR, "401": _ERROR, "404": _ERROR, "429": _ERROR,
            },
        }},
        "/org-units/{code}/summary": {"get": {
            "summary": "Figures of an org unit's subtree and of each child unit",
            "parameters": [
                {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "period", "in": "query", "schema": {"type": "string", "pattern": "^(once|[0-9]{4})$"}},
            ],
            "responses": {
                "200": {"description": "Summary", "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"org_unit": {"type": "string"}, "name": {"type": "string"},
                                   "period": {"type": "string"}, **_FIGURES,
                                   "children": {"type": "array", "items": {"type": "object", "properties": {
                                       "org_unit": {"type": "string"}, "name": {"type": "string"}, **_FIGURES}}}}}}}},
                "400": _ERROR, "401": _ERROR, "404": _ERROR, "429": _ERROR,
            },
        }},
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"}}},
            "Completion": {"type": "object", "properties": {
                "id": {"type": "integer"},
                "employee_no": {"type": ["string", "null"],
                                "description": "null for an account without an employee number (staff made by hand)"},
                "name": {"type": "string"},
                "org_unit": {"type": ["string", "null"]}, "position": {"type": "string"}, "course": {"type": "string"},
                "period": {"type": "string"}, "window_start": {"type": "string", "format": "date"},
                "due_date": {"type": "string", "format": "date"},
                "status": {"enum": ["not_started", "in_progress", "completed_on_time", "completed_late", "overdue"]},
                "active": {"type": "boolean"},
                "completed_at": {"type": ["string", "null"], "format": "date-time",
                                 "description": "ISO 8601 in the bank's time zone, with its offset (+08:00)"},
                "completed_on": {"type": ["string", "null"], "format": "date",
                                 "description": "the business day of completed_at: what 'on time' compares"},
                "score": {"type": ["number", "null"]}, "updated_at": {"type": ["string", "null"], "format": "date-time"},
            }},
        },
    },
}
