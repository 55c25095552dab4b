"""Validates the emulator's incoming REST requests against Discord's OpenAPI spec and limits.

Bodies are checked with jsonschema (Draft 2020-12) against the operation's request schema,
resolved through a ``referencing.Registry`` that holds the whole spec; validators are built
lazily and cached per (method, route template), so loading stays a single ``json.load``.
Discord's documented limits (``limits.py``) are checked on top, spec or not, and the spec's
known gaps are patched by ``spec_overrides.py``.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from . import limits
from .spec_overrides import apply_overrides, enums_from_const_unions

SPEC_URI = "urn:discord:openapi:v10"
_BODY_METHODS = frozenset({"POST", "PATCH"})  # methods whose missing (required) body we flag
_MAX_MESSAGE = 240
_NO_TAG = object()


def default_spec_path() -> Path:
    """Where the shared copy of Discord's OpenAPI spec lives, next to the repository."""
    return Path(__file__).resolve().parents[2].parent / "shared/discord-api-spec/openapi.json"


class RouteTable:
    """Matches concrete paths to route templates, preferring literal segments over params."""

    def __init__(self, templates: Iterable[str]) -> None:
        """Build a segment trie; a node's ``"{}"`` child is its parameter branch."""
        self._root: dict[str, Any] = {}
        for template in templates:
            node = self._root
            for segment in template.strip("/").split("/"):
                node = node.setdefault("{}" if segment.startswith("{") else segment, {})
            node.setdefault("", template)  # "" never collides with a real segment

    def match(self, path: str) -> str | None:
        """The template matching ``path`` (e.g. ``/channels/1/messages``), or None."""
        return self._match(self._root, path.split("?", 1)[0].strip("/").split("/"))

    def _match(self, node: dict[str, Any], segments: list[str]) -> str | None:
        """Depth-first: the literal child first, then the parameter child (backtracking)."""
        if not segments:
            return node.get("")
        for key in (segments[0], "{}"):
            child = node.get(key)
            found = self._match(child, segments[1:]) if child and segments[0] else None
            if found is not None:
                return found
        return None


def _absolute_refs(schema: Any) -> Any:
    """Copy a spec fragment, making its document-local ``$ref``s point into the registry."""
    if isinstance(schema, list):
        return [_absolute_refs(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {
        k: SPEC_URI + v if k == "$ref" and v.startswith("#") else _absolute_refs(v)
        for k, v in schema.items()
    }


def _without_file_parts(schema: Any) -> Any:
    """Drop binary (file) properties from a multipart schema; payload_json is what we get."""
    if not isinstance(schema, dict):
        return [_without_file_parts(s) for s in schema] if isinstance(schema, list) else schema
    result = {key: _without_file_parts(value) for key, value in schema.items()}
    props = schema.get("properties", {})
    binary = {k for k, v in props.items() if isinstance(v, dict) and "contentEncoding" in v}
    if binary:
        result["properties"] = {k: v for k, v in result["properties"].items() if k not in binary}
        result["required"] = [k for k in schema.get("required", []) if k not in binary]
    return result


def _resolve(spec: dict[str, Any], schema: Any) -> Any:
    """Follow ``$ref``s (document-local or registry-absolute) to the schema they name."""
    while isinstance(schema, dict) and "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].split("#", 1)[1].strip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        schema = node
    return schema


class _FastUnions:
    """Draft 2020-12 with faster (same-result) ``oneOf``/``anyOf``/``$ref`` keywords.

    jsonschema tries every union branch; components, callbacks and command options are
    tagged unions of up to 11 object types, so a component-heavy message took ~8 ms. A branch
    is skipped only when it provably fails: its ``type`` excludes the instance, or its
    ``properties.type`` enum excludes the instance's ``type`` value.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        """Branch facts are computed once per union list and cached by its identity."""
        self._spec = spec
        self._facts: dict[int, tuple[list[Any], list[tuple[Any, Any]]]] = {}
        self._refs: dict[str, Any] = {}

    def _branch_facts(self, branches: list[Any]) -> list[tuple[Any, Any]]:
        """(allowed JSON types or None, allowed ``type`` tags or None) per branch."""
        cached = self._facts.get(id(branches))
        if cached is None:
            facts = []
            for branch in branches:
                schema = _resolve(self._spec, branch)
                schema = schema if isinstance(schema, dict) else {}
                kinds = schema.get("type")
                tag = (schema.get("properties") or {}).get("type")
                if isinstance(tag, dict):
                    tags = tag.get("enum", [tag["const"]] if "const" in tag else None)
                else:
                    tags = None
                facts.append(([kinds] if isinstance(kinds, str) else kinds, tags))
            # Holding `branches` keeps its id() from being reused by another list.
            cached = self._facts[id(branches)] = (branches, facts)
        return cached[1]

    def _candidates(self, validator: Any, branches: list[Any], instance: Any) -> Sequence[int]:
        """Indices of the branches that might accept ``instance`` (all, if none would)."""
        tag = instance.get("type", _NO_TAG) if isinstance(instance, dict) else _NO_TAG
        found = [
            index
            for index, (kinds, tags) in enumerate(self._branch_facts(branches))
            if (kinds is None or any(validator.is_type(instance, kind) for kind in kinds))
            and (tags is None or tag is _NO_TAG or tag in tags)
        ]
        return found or range(len(branches))

    def _union(self, exactly_one: bool) -> Any:
        """The oneOf (``exactly_one``) or anyOf keyword over candidate branches only."""

        def keyword(validator: Any, branches: list[Any], instance: Any, _schema: Any) -> Any:
            errors: list[ValidationError] = []
            valid = 0
            for index in self._candidates(validator, branches, instance):
                found = list(validator.descend(instance, branches[index], schema_path=index))
                errors.extend(found)
                valid += not found
                if valid and not exactly_one:
                    return
            if not valid:
                message = f"{instance!r} is not valid under any of the given schemas"
                yield ValidationError(message, context=errors)
            elif valid > 1:
                yield ValidationError(f"{instance!r} is valid under more than one schema")

        return keyword

    def _ref(self, validator: Any, ref: str, instance: Any, _schema: Any) -> Any:
        """``$ref`` resolved once through the registry, then memoised (~30% of the time)."""
        resolved = self._refs.get(ref)
        if resolved is None:
            # Safe to key by the ref alone: every ref points into the one spec document, which
            # has no $id, so a ref resolves the same wherever it appears. jsonschema keeps the
            # registry-backed resolver in `_resolver` (no public accessor).
            resolved = self._refs[ref] = validator._resolver.lookup(ref)
        yield from validator.descend(instance, resolved.contents, resolver=resolved.resolver)

    def validator_class(self) -> Any:
        """The extended Draft202012Validator class, with its per-subschema work cached."""
        keywords = {"oneOf": self._union(True), "anyOf": self._union(False), "$ref": self._ref}
        validator_class = extend(Draft202012Validator, keywords)
        validator_class.evolve = _evolve_once_per_schema(validator_class.evolve)
        validator_class.descend = _scalars_remembered(validator_class.descend)
        return validator_class


def _evolve_once_per_schema(evolve: Any) -> Any:
    """`evolve` memoised per subschema: jsonschema builds a validator object for every subschema
    it descends into (a reply with an embed and buttons: ~60 of them, a third of the time).

    Safe for the same reason as `_ref`'s memo: the spec has no `$id`, so the resolver that
    comes with a subschema resolves every ref as the registry's would.
    """
    evolved: dict[int, tuple[Any, Any]] = {}

    def once(validator: Any, **changes: Any) -> Any:
        schema = changes.get("schema")
        if schema is None or not changes.keys() <= {"schema", "_resolver"}:
            return evolve(validator, **changes)
        hit = evolved.get(id(schema))
        if hit is None:  # the schema is kept alive with its validator, so its id stays its own
            hit = evolved[id(schema)] = (schema, evolve(validator, **changes))
        return hit[1]

    return once


_REMEMBERED_SCALARS = 50_000  # valid (subschema, value) pairs kept; then the memo starts over
_REMEMBERED_LENGTH = 200  # longer strings (a page's text) seldom come again: not kept


def _scalars_remembered(descend: Any) -> Any:
    """`descend` that remembers which scalar values a subschema accepted.

    Whether a string, number, boolean or null satisfies a subschema depends on nothing else,
    and the same values come again and again (`type: 2`, `style: 1`, a button's label). Only
    successes are remembered, so every error is still found and reported as before. A
    subschema's id is safe to key by: `_evolve_once_per_schema` keeps every subschema alive.
    """
    valid: set[tuple[int, type, Any]] = set()

    def remembering(
        validator: Any,
        instance: Any,
        schema: Any,
        path: Any = None,
        schema_path: Any = None,
        resolver: Any = None,
    ) -> Any:
        short = not isinstance(instance, str) or len(instance) <= _REMEMBERED_LENGTH
        if not short or (not isinstance(instance, str | int | float) and instance is not None):
            yield from descend(validator, instance, schema, path, schema_path, resolver)
            return
        key = (id(schema), type(instance), instance)
        if key in valid:
            return
        errors = list(descend(validator, instance, schema, path, schema_path, resolver))
        if not errors:
            if len(valid) >= _REMEMBERED_SCALARS:
                valid.clear()
            valid.add(key)
        yield from errors

    return remembering


def _location(parts: Iterable[Any]) -> str:
    """``embeds[0].title`` style location of a JSON value, ``body`` for the root."""
    loc = ""
    for part in parts:
        loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
    return loc or "body"


def _describe(error: ValidationError) -> str:
    """One readable line for a schema error (the most specific one inside a union)."""
    error = best_match([error])
    loc, kind = _location(error.absolute_path), error.validator
    if kind in ("maxLength", "minLength", "maxItems", "minItems"):
        # Phrased like limits.py so duplicates collapse and Discord error codes line up.
        unit = "characters" if kind.endswith("Length") else "items"
        bound = "limit" if kind.startswith("max") else "minimum"
        return f"{loc} has {len(error.instance)} {unit}, {bound} {error.validator_value}"
    message = error.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 3] + "..."
    return f"{loc} is invalid: {message}"


def _coerce(raw: str, types: set[str]) -> Any:
    """Turn a query string value into the JSON value the schema expects; raise ValueError."""
    if "string" in types or not types:
        return raw
    if "boolean" in types:
        # Discord accepts true/false and 1/0 (discord.py sends ``wait=1``).
        if raw.lower() not in ("true", "false", "1", "0"):
            raise ValueError(raw)
        return raw.lower() in ("true", "1")
    return int(raw) if "integer" in types else float(raw) if "number" in types else raw


class RequestValidator:
    """Checks REST requests against Discord's OpenAPI spec (when present) and its limits."""

    def __init__(self, spec_path: Path | None) -> None:
        """Load the spec once (no compiling); without it only the documented limits apply."""
        self._spec: dict[str, Any] | None = None
        if spec_path is not None and Path(spec_path).is_file():
            with open(spec_path, encoding="utf-8") as handle:
                self._spec = apply_overrides(json.load(handle))
            enums_from_const_unions(self._spec)
        else:
            warnings.warn(
                f"Discord OpenAPI spec not found at {spec_path}; REST bodies are checked only "
                "against Discord's documented limits",
                stacklevel=2,
            )
        spec = self._spec or {}
        self._routes = RouteTable(list(spec.get("paths", ())) or limits.TEMPLATES)
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self._registry: Registry = Registry().with_resource(SPEC_URI, resource)
        self._validator_class = _FastUnions(spec).validator_class()
        self._bodies: dict[tuple[str, str], Any] = {}
        self._queries: dict[tuple[str, str], dict[str, tuple[set[str], Any, bool]]] = {}

    @property
    def has_spec(self) -> bool:
        """Whether the OpenAPI spec was loaded (else only limits are checked)."""
        return self._spec is not None

    def match(self, path: str) -> str | None:
        """The route template for a concrete path, or None."""
        return self._routes.match(path)

    def validate(
        self,
        method: str,
        path: str,
        body: Any,
        *,
        query: Mapping[str, str] | None = None,
        files: Sequence[tuple[str, bytes]] = (),
    ) -> list[str]:
        """Every violation of the request, as readable lines; [] when it is valid."""
        method = method.upper()
        template = self._routes.match(path)
        if template is None:
            return [f"no such route in Discord's API: {method} {path}"] if self._spec else []
        problems = self._path_params(template, path)
        if self._spec is not None:
            item = self._spec["paths"][template]
            if method.lower() not in item:
                methods = ", ".join(m.upper() for m in item if m != "parameters")
                return [f"no such route in Discord's API: {method} {template} (only {methods})"]
            problems += self._check_query(method, template, query or {})
            problems += self._check_body(method, template, item[method.lower()], body)
        limit_problems = limits.check_limits(method, template, body, files)
        # Where a documented limit and the spec disagree (content: 2,000 vs 4,000), the
        # limit's message is the useful one; report each location once.
        flagged = {problem.split(" ", 1)[0] for problem in limit_problems}
        problems = [p for p in problems if p.split(" ", 1)[0] not in flagged] + limit_problems
        return [f"{method} {template}: {problem}" for problem in dict.fromkeys(problems)]

    @staticmethod
    def _path_params(template: str, path: str) -> list[str]:
        """Snowflake path parameters (``*_id``) must be decimal numbers."""
        segments = path.split("?", 1)[0].strip("/").split("/")
        return [
            f"{name.strip('{}')} {value!r} is not a snowflake"
            for name, value in zip(template.strip("/").split("/"), segments, strict=False)
            if name.endswith("_id}") and not value.isdigit()
        ]

    def _check_body(
        self, method: str, template: str, operation: dict[str, Any], body: Any
    ) -> list[str]:
        """Schema-validate the JSON body (or multipart payload_json)."""
        request_body = operation.get("requestBody")
        if body is None:
            needed = request_body and request_body.get("required") and method in _BODY_METHODS
            return ["body is required"] if needed else []
        if request_body is None:
            return []  # Discord ignores bodies on bodiless routes; so do we.
        key = (method, template)
        if key not in self._bodies:
            content = request_body.get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                schema = _without_file_parts(content.get("multipart/form-data", {}).get("schema"))
            self._bodies[key] = None if schema is None else self._validator(schema)
        validator = self._bodies[key]
        return [] if validator is None else [_describe(e) for e in validator.iter_errors(body)]

    def _validator(self, schema: Any) -> Any:
        """A validator whose refs resolve into the registry holding the whole spec."""
        return self._validator_class(_absolute_refs(schema), registry=self._registry)

    def _check_query(self, method: str, template: str, query: Mapping[str, str]) -> list[str]:
        """Known names, coercible types, schema constraints and required parameters."""
        params = self._query_params(method, template)
        required = [name for name, (_, _, needed) in params.items() if needed]
        out = [f"query parameter {name!r} is required" for name in required if name not in query]
        for name, raw in query.items():
            if name not in params:
                out.append(f"query parameter {name!r} is not accepted by this route")
                continue
            types, validator, _ = params[name]
            if "array" in types:
                continue  # comma-joined or repeated; Discord is lenient here and so are we
            try:
                value = _coerce(str(raw), types)
            except ValueError:
                out.append(f"query parameter {name}={raw!r} is not {'/'.join(sorted(types))}")
                continue
            out += [
                f"query parameter {name}={raw!r} is invalid: {error.message}"
                for error in validator.iter_errors(value)
            ]
        return out

    def _query_params(self, method: str, template: str) -> dict[str, tuple[set[str], Any, bool]]:
        """Cached ``name -> (JSON types, validator, required)`` of an operation's query."""
        key = (method, template)
        if key not in self._queries:
            item = (self._spec or {})["paths"][template]
            declared = item.get("parameters", []) + item[method.lower()].get("parameters", [])
            self._queries[key] = {
                p["name"]: (
                    self._types(p["schema"]),
                    self._validator(p["schema"]),
                    bool(p.get("required")),
                )
                for p in declared
                if p.get("in") == "query"
            }
        return self._queries[key]

    def _types(self, schema: dict[str, Any]) -> set[str]:
        """The JSON types a (possibly $ref'd) parameter schema allows."""
        kinds = _resolve(self._spec or {}, schema).get("type", [])
        return {kinds} if isinstance(kinds, str) else set(kinds)


_PREFIX = re.compile(r"^[A-Z]+ \S+: ")
_LOCATION = re.compile(r"^(?:\[\d+\]|[A-Za-z_]\w*)(?:\.[A-Za-z_@]\w*|\[\d+\])*$")
_QUERY = re.compile(r"^query parameter '?(\w+)")
_CODES = (
    ("characters, limit", "BASE_TYPE_MAX_LENGTH"),
    ("items, limit", "BASE_TYPE_MAX_LENGTH"),
    ("characters, minimum", "BASE_TYPE_MIN_LENGTH"),
    ("items, minimum", "BASE_TYPE_MIN_LENGTH"),
    ("is required", "BASE_TYPE_REQUIRED"),
)


def _error_path(text: str) -> list[str]:
    """The error-tree path of a violation: its leading location token, if it has one."""
    query = _QUERY.match(text)
    if query:
        return [query.group(1)]
    token = text.split(" ", 1)[0]
    if token == "body" or not _LOCATION.match(token):
        return []
    return [part for part in re.split(r"[.\[\]]+", token) if part]


def discord_error_body(violations: list[str]) -> dict[str, Any]:
    """Discord's error JSON for rejected bodies: 50035 with an ``errors`` tree.

    A request whose only fault is being an empty message gets Discord's 50006 instead.
    """
    texts = [_PREFIX.sub("", v, count=1) for v in violations]
    if texts and all(limits.EMPTY_MESSAGE in text for text in texts):
        return {"code": 50006, "message": limits.EMPTY_MESSAGE}
    errors: dict[str, Any] = {}
    for text in texts:
        node = errors
        for part in _error_path(text):
            node = node.setdefault(part, {})
        code = next((c for marker, c in _CODES if marker in text), "BASE_TYPE_INVALID")
        node.setdefault("_errors", []).append({"code": code, "message": text})
    return {"code": 50035, "message": "Invalid Form Body", "errors": errors}
