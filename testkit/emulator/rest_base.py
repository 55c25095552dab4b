"""REST plumbing: request objects, Discord-style errors, the route table and body parsing."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

JSON_HEADERS = {"Content-Type": "application/json"}


class ApiError(Exception):
    """An error answer in Discord's format: HTTP ``status`` with a JSON ``code`` and ``message``."""

    def __init__(self, status: int, code: int, message: str, errors: dict | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        """The JSON body Discord sends with this error."""
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            data["errors"] = self.errors
        return data


def missing_permissions() -> ApiError:
    """403 50013."""
    return ApiError(403, 50013, "Missing Permissions")


def missing_access() -> ApiError:
    """403 50001."""
    return ApiError(403, 50001, "Missing Access")


def unknown(what: str, code: int) -> ApiError:
    """404 'Unknown <what>' with its Discord code (10003 channel, 10008 message, ...)."""
    return ApiError(404, code, f"Unknown {what}")


def bad_request(message: str, code: int = 50035) -> ApiError:
    """400 with an arbitrary Discord code."""
    return ApiError(400, code, message)


@dataclass
class UploadedFile:
    """A ``files[n]`` part of a multipart request."""

    field: str
    filename: str
    data: bytes
    content_type: str | None


@dataclass
class RestRequest:
    """One parsed REST request as the handlers see it."""

    emu: DiscordEmulator
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    files: list[UploadedFile] = field(default_factory=list)
    raw: web.Request | None = None
    # When the request reached the emulator (monotonic), before it was read and validated.
    received_at: float = 0.0

    def snowflake(self, name: str) -> int:
        """A path parameter as an int (404-style errors are the handler's job)."""
        try:
            return int(self.params[name])
        except ValueError:
            raise ApiError(404, 0, "404: Not Found") from None

    def json(self) -> dict[str, Any]:
        """The body as a dict ({} when there was none)."""
        return self.body if isinstance(self.body, dict) else {}


@dataclass
class Reply:
    """A handler's answer when it is not a plain 200 JSON body."""

    status: int
    body: Any = None


Handler = Callable[[RestRequest], Awaitable[Any]]


@dataclass
class Route:
    """An entry of the route table."""

    method: str
    template: str
    regex: re.Pattern[str]
    handler: Handler
    auth: bool = True
    exempt_global: bool = False


class Router:
    """Maps method + path to handlers; templates use ``{name}`` for path parameters."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self,
        method: str,
        template: str,
        handler: Handler,
        *,
        auth: bool = True,
        exempt_global: bool = False,
    ) -> None:
        """Register a handler."""
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        self.routes.append(
            Route(method, template, re.compile(pattern), handler, auth, exempt_global)
        )

    def resolve(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """Find the route for a request; None when nothing matches."""
        for route in self.routes:
            if route.method == method:
                m = route.regex.fullmatch(path)
                if m is not None:
                    return route, m.groupdict()
        return None

    def path_known(self, path: str) -> bool:
        """Whether some method is routed for this path (405 vs 404)."""
        return any(r.regex.fullmatch(path) for r in self.routes)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    """JSON answer with the exact ``Content-Type: application/json`` discord.py checks for."""
    if status == 204 or body is None:
        return web.Response(status=204, headers=headers or {})
    return web.Response(
        status=status, body=json.dumps(body).encode(), headers={**JSON_HEADERS, **(headers or {})}
    )


async def read_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    """Parse a JSON or multipart (``payload_json`` + ``files[n]``) body."""
    ctype = request.content_type
    if ctype.startswith("multipart/"):
        return await _read_multipart(request)
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from None


async def _read_multipart(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    reader = await request.multipart()
    body: Any = None
    files: list[UploadedFile] = []
    while (part := await reader.next()) is not None:
        name = getattr(part, "name", None) or ""
        data = await part.read()  # type: ignore[union-attr]
        filename = getattr(part, "filename", None)
        if name == "payload_json":
            try:
                body = json.loads(data)
            except ValueError:
                raise ApiError(400, 50109, "The request body contains invalid JSON.") from None
        elif filename is not None:
            ctype = part.headers.get("Content-Type")  # type: ignore[union-attr]
            files.append(UploadedFile(name, filename, bytes(data), ctype))
    return body, files
