"""The OpenAPI 3.0 definition of the OGC API – Features endpoints (served at ``/ogc/api``)."""

from __future__ import annotations

from .ogc import CRS84, DATETIME_PATTERN, DEFAULT_LIMIT, GEOJSON, HTML, JSON, MAX_OFFSET_DIGITS


def _response(media: list[str], description: str) -> dict:
    return {"description": description, "content": {m: {"schema": {"type": "object"} if m != HTML else {"type": "string"}} for m in media}}


def _error(description: str) -> dict:
    """An error as it is sent: JSON (the exception schema), or the HTML error page when the client asked for HTML."""
    return {
        "description": description,
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}, HTML: {"schema": {"type": "string"}}},
    }


ERRORS = {
    "400": _error("invalid parameter, or a host not trusted"),
    "404": _error("not found"),
    "414": _error("query string too long"),
}


def openapi(base: str, collection_ids: list[str], max_limit: int) -> dict:
    f_param = {"name": "f", "in": "query", "required": False, "schema": {"type": "string", "enum": ["json", "html"]}, "style": "form"}
    collection = {"name": "collectionId", "in": "path", "required": True, "schema": {"type": "string", "enum": collection_ids}}
    item_params = [
        collection,
        f_param,
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": max_limit, "default": DEFAULT_LIMIT},
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 0, "maximum": 10**MAX_OFFSET_DIGITS - 1, "default": 0},
        },
        {
            "name": "bbox",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "schema": {  # as in the standard's ogcapi-features-1.yaml: 4 or 6 numbers
                "type": "array",
                "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
                "items": {"type": "number"},
            },
        },
        {"name": "bbox-crs", "in": "query", "required": False, "schema": {"type": "string", "enum": [CRS84]}},
        {
            "name": "datetime",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "schema": {"type": "string", "pattern": DATETIME_PATTERN},
        },
    ]

    def get(summary: str, params: list, media: list[str]) -> dict:
        return {"get": {"summary": summary, "parameters": params, "responses": {"200": _response(media, summary), **ERRORS}}}

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "urbanmap OGC API – Features",
            "version": "1.0.0",
            "description": "Province boundaries of Việt Nam (63 and 34 units) with urban-issue indicators and their sources.",
            "license": {"name": "Boundaries: Natural Earth, public domain; values: see each source"},
        },
        "servers": [{"url": base}],
        "paths": {
            "/": get("landing page", [f_param], [JSON, HTML]),
            "/conformance": get("conformance classes", [f_param], [JSON, HTML]),
            "/api": get("this API definition", [], ["application/vnd.oai.openapi+json;version=3.0"]),
            "/collections": get("the collections", [f_param], [JSON, HTML]),
            "/collections/{collectionId}": get("one collection", [collection, f_param], [JSON, HTML]),
            "/collections/{collectionId}/items": get("features of a collection", item_params, [GEOJSON, HTML]),
            "/collections/{collectionId}/items/{featureId}": get(
                "one feature",
                [collection, {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}, "example": "01"}, f_param],
                [GEOJSON, HTML],
            ),
        },
        "components": {
            "schemas": {
                "exception": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
                }
            }
        },
    }
