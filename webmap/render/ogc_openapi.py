"""The OpenAPI 3.0 definition of the OGC API – Features endpoints (served at ``/ogc/api``)."""

from __future__ import annotations

from webmap.render.ogc import CRS84, DATETIME_PATTERN, DEFAULT_LIMIT, GEOJSON, HTML, JSON, MAX_OFFSET_DIGITS, CollectionInfo


def _response(media: list[str], description: str) -> dict:
    return {"description": description, "content": {m: {"schema": {"type": "object"} if m != HTML else {"type": "string"}} for m in media}}


def get(summary: str, params: list, media: list[str]) -> dict:
    return {"get": {"summary": summary, "parameters": params, "responses": {"200": _response(media, summary), **ERRORS}}}


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


def openapi(base: str, collections: dict[str, CollectionInfo], max_limit: int) -> dict:
    """The API definition. Ward-level collections have their own items path, with ``province``."""
    f_param = {"name": "f", "in": "query", "required": False, "schema": {"type": "string", "enum": ["json", "html"]}, "style": "form"}
    collection = {"name": "collectionId", "in": "path", "required": True, "schema": {"type": "string", "enum": list(collections)}}
    provinces = [c.id for c in collections.values() if not c.parent_set]
    province_collection = {**collection, "schema": {"type": "string", "enum": provinces}}
    query_params = [
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

    def limited(params: list[dict], page: int) -> list[dict]:
        """The limit as accepted (up to the server's maximum), saying that a page holds at most ``page`` items."""
        text = f"at most {page} features per page: a larger limit gives {page} (OGC API - Features 1.0, 7.15.3)"
        return [{**p, "description": text} if p["name"] == "limit" else p for p in params]

    ward_paths = {
        f"/collections/{c.id}/items": get(
            f"features of {c.id}, optionally of one province",
            [
                *limited(query_params, min(c.max_limit or max_limit, max_limit)),
                {
                    "name": "province",
                    "in": "query",
                    "required": False,
                    "description": f"code of a unit of set {c.parent_set}: only its units",
                    "schema": {"type": "string", "enum": list(c.provinces)},
                },
            ],
            [GEOJSON, HTML],
        )
        for c in collections.values()
        if c.parent_set
    }

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "urbanmap OGC API – Features",
            "version": "1.0.0",
            "description": "Boundaries of Việt Nam (63 and 34 provinces, 3,321 wards and communes) with urban-issue indicators and their sources.",
            "license": {
                "name": "Boundaries: Natural Earth (public domain) and vietnamese-provinces-database (MIT); values: see each source"
            },
        },
        "servers": [{"url": base}],
        "paths": {
            "/": get("landing page", [f_param], [JSON, HTML]),
            "/conformance": get("conformance classes", [f_param], [JSON, HTML]),
            "/api": get("this API definition", [], ["application/vnd.oai.openapi+json;version=3.0"]),
            "/collections": get("the collections", [f_param], [JSON, HTML]),
            "/collections/{collectionId}": get("one collection", [collection, f_param], [JSON, HTML]),
            "/collections/{collectionId}/items": get("features of a collection", [province_collection, *query_params], [GEOJSON, HTML]),
            **ward_paths,
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
