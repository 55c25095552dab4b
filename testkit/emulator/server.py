"""The aiohttp application: REST pipeline (auth, faults, rate limits, validation), gateway, CDN."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .integration import error_body
from .rest_base import ApiError, Reply, RestRequest, json_response, read_body

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

API_PREFIX = "/api/v10"


@dataclass
class RequestRecord:
    """One REST request as the emulator saw and answered it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any = None
    status: int = 0
    violations: list[str] = field(default_factory=list)
    time: float = 0.0
    files: list[str] = field(default_factory=list)
    response: Any = None

    def as_json(self) -> dict[str, Any]:
        """JSON-able form for the control API."""
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "body": self.body,
            "status": self.status,
            "violations": self.violations,
            "time": self.time,
            "files": self.files,
        }


def build_app(emu: DiscordEmulator) -> web.Application:
    """Create the aiohttp application serving REST, the gateway, the CDN and the control API."""
    from .control import add_control_routes

    app = web.Application(client_max_size=200 * 1024 * 1024)

    async def api(request: web.Request) -> web.StreamResponse:
        return await handle_api(emu, request)

    async def cdn(request: web.Request) -> web.StreamResponse:
        att = emu.world.attachments.get(int(request.match_info["att_id"]))
        if att is None or att.filename != request.match_info["filename"]:
            return web.Response(status=404, text="Not Found")
        # Counted so tests can prove a bot refused a file without downloading it.
        emu.stats["cdn_downloads"] = emu.stats.get("cdn_downloads", 0) + 1
        emu.timeline.add("cdn", f"GET {att.filename}")
        return web.Response(
            body=att.data, content_type=att.content_type or "application/octet-stream"
        )

    app.router.add_route("*", API_PREFIX + "/{tail:.*}", api)
    app.router.add_get("/gateway", emu.gateway.handle)
    app.router.add_get("/gateway/", emu.gateway.handle)
    app.router.add_get("/cdn/attachments/{channel_id}/{att_id}/{filename}", cdn)
    add_control_routes(app, emu)
    return app


def _authorized(emu: DiscordEmulator, request: web.Request) -> bool:
    return request.headers.get("Authorization") == f"Bot {emu.token}"


async def handle_api(emu: DiscordEmulator, request: web.Request) -> web.StreamResponse:
    """Run one REST request through the pipeline and record it."""
    path = "/" + request.match_info["tail"]
    method = request.method
    query = dict(request.query)
    record = RequestRecord(method, path, query, time=time.monotonic() - emu.started_at)
    emu.requests.append(record)
    status, body, headers = await _pipeline(emu, request, record, method, path, query)
    record.status, record.response = status, body
    emu.timeline.add("rest", f"{method} {path} -> {status}")
    emu.stats["requests"] += 1
    if status < 300 and emu.faults.take("lose", method, path):
        emu.timeline.add("fault", f"response of {method} {path} lost")
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError  # nothing may be written on the dead connection
    return json_response(status, body, headers)


async def _pipeline(
    emu: DiscordEmulator,
    request: web.Request,
    record: RequestRecord,
    method: str,
    path: str,
    query: dict[str, str],
) -> tuple[int, Any, dict[str, str]]:
    try:
        body, files = await read_body(request)
    except ApiError as exc:
        return exc.status, exc.body(), {}
    record.body, record.files = body, [f.filename for f in files]
    delay = emu.faults.take("delay", method, path)
    if delay is not None:
        await asyncio.sleep(delay.seconds)
    resolved = emu.router.resolve(method, path)
    if resolved is None:
        code = 405 if emu.router.path_known(path) else 404
        emu.record_violation(f"{method} {path}: route not emulated", record)
        return code, {"message": f"{code}: Not Found", "code": 0}, {}
    route, params = resolved
    if route.auth and not _authorized(emu, request):
        return 401, {"message": "401: Unauthorized", "code": 0}, {}
    fail = emu.faults.take("fail", method, path)
    if fail is not None:
        emu.timeline.add("fault", f"{method} {path} forced {fail.status}")
        return fail.status, {"message": "Service Unavailable", "code": 0}, {}
    headers: dict[str, str] = {}
    if emu.limiter is not None:
        decision = emu.limiter.check(method, path, exempt_global=route.exempt_global)
        headers = dict(decision.headers)
        if not decision.allowed:
            emu.stats["429"] += 1
            if decision.is_global:  # counted apart: N processes must share the token's budget
                emu.stats["global_429"] = emu.stats.get("global_429", 0) + 1
            emu.stats["429_by_route"][route.template] = (
                emu.stats["429_by_route"].get(route.template, 0) + 1
            )
            body429, headers429 = emu.limiter.response_429(decision)
            return 429, body429, {**headers, **headers429}
    violations = emu.validator.validate(
        method, path, body, query=query, files=[(f.filename, f.data) for f in files]
    )
    if violations:
        for violation in violations:
            emu.record_violation(f"{method} {path}: {violation}", record)
        return 400, error_body(violations), headers
    req = RestRequest(
        emu, method, path, params, query, body, files, request, emu.started_at + record.time
    )
    status, answer = await _run_handler(emu, route.handler, req)
    return status, answer, headers


async def _run_handler(emu: DiscordEmulator, handler: Any, req: RestRequest) -> tuple[int, Any]:
    try:
        result = await handler(req)
    except ApiError as exc:
        emu.timeline.add("rest", f"  error {exc.status} {exc.code} {exc.message}")
        return exc.status, exc.body()
    if isinstance(result, Reply):
        return result.status, result.body
    return (204, None) if result is None else (200, result)
