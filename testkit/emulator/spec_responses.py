"""Checks the emulator's own answers against the response schemas of Discord's OpenAPI spec."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .validation import RouteTable

SPEC_URI = "urn:discord:openapi:v10:responses"


class ResponseChecker:
    """Validates a REST answer body against the spec's schema for its route and status."""

    def __init__(self, spec_path: Path) -> None:
        with open(spec_path, encoding="utf-8") as handle:
            self.spec: dict[str, Any] = json.load(handle)
        self.routes = RouteTable(self.spec["paths"])
        resource = Resource.from_contents(self.spec, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(SPEC_URI, resource)

    def schema_for(self, method: str, path: str, status: int) -> dict[str, Any] | None:
        """The JSON schema of a response, None when the spec has none for it."""
        template = self.routes.match(path)
        if template is None:
            return None
        operation = self.spec["paths"][template].get(method.lower(), {})
        response = operation.get("responses", {}).get(str(status), {})
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        return _absolute(schema) if schema is not None else None

    def check(self, method: str, path: str, status: int, body: Any) -> str | None:
        """A description of the first mismatch, or None when the body fits (or has no schema)."""
        schema = self.schema_for(method, path, status)
        if schema is None:
            return None
        validator = Draft202012Validator(schema, registry=self.registry)
        error = best_match(validator.iter_errors(body))
        if error is None:
            return None
        while error.context:  # oneOf/anyOf: report the closest branch's actual problem
            error = best_match(error.context) or error
            if not error.context:
                break
        where = "/".join(str(p) for p in error.absolute_path)
        return f"{method} {path} -> {status}: at {where or '(root)'}: {error.message[:300]}"


def _absolute(schema: Any) -> Any:
    """Point local ``#/...`` refs at the registered spec resource."""
    if isinstance(schema, dict):
        return {
            k: (SPEC_URI + v if k == "$ref" and v.startswith("#") else _absolute(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_absolute(v) for v in schema]
    return schema


@cache
def response_checker(spec_path: Path) -> ResponseChecker:
    """One shared checker per spec file (loading it takes a moment)."""
    return ResponseChecker(spec_path)
