"""The gateway websocket: HELLO/heartbeats, IDENTIFY/READY, RESUME with replay, zlib-stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .gateway_ready import guild_creates, members_chunk, ready_payload

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)
INTENT_MESSAGE_CONTENT = 1 << 15
INTENT_GUILD_MEMBERS = 1 << 1
BUFFER_LIMIT = 2000

# A payload may be a dict or a function of the session (e.g. redaction depends on its intents).
Payload = dict[str, Any] | Callable[["GatewaySession"], dict[str, Any] | None] | None


@dataclass
class GatewaySession:
    """A resumable session: its intents, sequence counter and buffer of dispatched frames."""

    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list)
    conn: GatewayConnection | None = None

    def wants_guild(self, guild_id: int) -> bool:
        """Whether this session's shard receives events of ``guild_id``."""
        if not self.shard:
            return True
        shard_id, count = self.shard
        return (guild_id >> 22) % count == shard_id


class GatewayConnection:
    """One websocket; frames go through a queue so a frozen connection can hold them back."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, compress: bool) -> None:
        self.ws, self.request = ws, request
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.unfrozen = asyncio.Event()
        self.unfrozen.set()
        self.session: GatewaySession | None = None
        self._zlib = zlib.compressobj() if compress else None
        self.compressed = compress

    async def send_now(self, frame: dict[str, Any]) -> None:
        """Encode and send one frame (zlib-stream: shared context, Z_SYNC_FLUSH per frame)."""
        text = json.dumps(frame)
        if self._zlib is None:
            await self.ws.send_str(text)
        else:
            data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
            await self.ws.send_bytes(data)

    async def writer(self, on_sent: Callable[[dict[str, Any]], None]) -> None:
        """Drain the queue in order, pausing while frozen."""
        while True:
            frame = await self.queue.get()
            await self.unfrozen.wait()
            if self.ws.closed:
                return
            try:
                await self.send_now(frame)
            except (ConnectionError, RuntimeError):
                return
            on_sent(frame)

    def abort(self) -> None:
        """Kill the TCP connection without a websocket close frame."""
        transport = self.request.transport
        if transport is not None:
            transport.abort()


class Gateway:
    """Serves ``/gateway`` and dispatches events to every live session."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: set[GatewayConnection] = set()
        self.stats = {
            "connections": 0,
            "zlib_connections": 0,
            "identify": 0,
            "resume": 0,
            "invalid_session": 0,
        }
        self.ready = asyncio.Event()
        self.closed_codes: list[int] = []  # codes the emulator closed connections with
        self.client_close_codes: list[int | None] = []
        self.identified_intents: list[int] = []  # intents of every IDENTIFY, accepted or not

    # -- test controls --------------------------------------------------------------------------

    async def drop(self) -> None:
        """Abruptly drop every connection; sessions stay resumable."""
        for conn in list(self.connections):
            self.emu.timeline.add("fault", "gateway connection dropped")
            conn.abort()

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT on every connection (bypasses a freeze)."""
        for conn in list(self.connections):
            self.emu.timeline.add("gw>", "op 7 RECONNECT")
            await conn.send_now({"op": 7, "d": None})

    def freeze(self) -> None:
        """Stop sending on current connections, heartbeat ACKs included."""
        for conn in self.connections:
            conn.unfrozen.clear()
        self.emu.timeline.add("fault", "gateway frozen")

    def unfreeze(self) -> None:
        """Let frozen connections send again."""
        for conn in self.connections:
            conn.unfrozen.set()
        self.emu.timeline.add("fault", "gateway unfrozen")

    async def close_all(self) -> None:
        """Close every connection (server shutdown)."""
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001)

    # -- dispatch -------------------------------------------------------------------------------

    def dispatch(
        self,
        event: str,
        payload: Payload,
        *,
        intent: int | None = None,
        guild_id: int | None = None,
    ) -> None:
        """Send an event to each session whose intents and shard ask for it."""
        for session in list(self.sessions.values()):
            if intent is not None and not session.intents & intent:
                continue
            if guild_id is not None and not session.wants_guild(guild_id):
                continue
            data = payload(session) if callable(payload) else payload
            if data is None and callable(payload):
                continue
            self._dispatch_to(session, event, data)

    def _dispatch_to(self, session: GatewaySession, event: str, data: Any) -> None:
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.buffer.append(frame)
        if len(session.buffer) > BUFFER_LIMIT:
            del session.buffer[: len(session.buffer) - BUFFER_LIMIT]
        if session.conn is not None:
            session.conn.queue.put_nowait(frame)

    # -- connection handling --------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Websocket endpoint; the query carries ``v``, ``encoding`` and ``compress``."""
        if request.query.get("v") not in (None, "10"):
            self.emu.record_violation(f"gateway: unsupported version v={request.query.get('v')}")
        if request.query.get("encoding", "json") != "json":
            self.emu.record_violation("gateway: only encoding=json is emulated")
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(ws, request, request.query.get("compress") == "zlib-stream")
        self.connections.add(conn)
        self.stats["connections"] += 1
        self.stats["zlib_connections"] += conn.compressed
        writer = asyncio.create_task(conn.writer(self._log_sent))
        try:
            interval = self.emu.heartbeat_interval_ms
            await conn.send_now({"op": 10, "d": {"heartbeat_interval": interval}})
            self.emu.timeline.add("gw>", f"HELLO heartbeat_interval={interval}")
            await self._read_loop(conn)
        finally:
            writer.cancel()
            self.connections.discard(conn)
            self._detach(conn, ws.close_code)
        return ws

    async def _close(self, conn: GatewayConnection, code: int, reason: bytes) -> None:
        self.closed_codes.append(code)
        self.emu.timeline.add("gw>", f"close {code} {reason.decode()}")
        await conn.ws.close(code=code, message=reason)

    def _log_sent(self, frame: dict[str, Any]) -> None:
        if frame.get("op") == 0:
            self.emu.timeline.add("gw>", f"{frame['t']} s={frame['s']}")

    def _detach(self, conn: GatewayConnection, code: int | None) -> None:
        self.client_close_codes.append(code)
        self.emu.timeline.add("gw", f"connection closed code={code}")
        session = conn.session
        if session is None or session.conn is not conn:
            return
        session.conn = None
        if code in (1000, 1001):
            # A clean close ends the session, as on Discord: it cannot be resumed.
            self.sessions.pop(session.id, None)

    async def _read_loop(self, conn: GatewayConnection) -> None:
        async for msg in conn.ws:
            if msg.type != WSMsgType.TEXT:
                if msg.type == WSMsgType.BINARY:
                    self.emu.record_violation("gateway: client sent a binary frame")
                continue
            try:
                frame = json.loads(msg.data)
            except ValueError:
                await self._close(conn, 4002, b"Error while decoding payload.")
                return
            await self._on_frame(conn, frame)

    async def _on_frame(self, conn: GatewayConnection, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            conn.queue.put_nowait({"op": 11})
        elif op == 2:
            self.emu.timeline.add("gw<", "IDENTIFY")
            await self._identify(conn, data or {})
        elif op == 6:
            self.emu.timeline.add("gw<", f"RESUME seq={(data or {}).get('seq')}")
            await self._resume(conn, data or {})
        elif op == 8:
            self._request_members(conn, data or {})
        elif op in (3, 4):
            self.emu.timeline.add("gw<", f"op {op}")
        else:
            await self._close(conn, 4001, b"Unknown opcode.")

    async def _identify(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        if conn.session is not None:
            await self._close(conn, 4005, b"Already authenticated.")
            return
        if data.get("token") != self.emu.token:
            await self._close(conn, 4004, b"Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int):
            self.emu.record_violation("gateway: IDENTIFY without integer intents")
            await self._close(conn, 4013, b"Invalid intent(s).")
            return
        self.identified_intents.append(intents)
        disallowed = intents & PRIVILEGED_INTENTS & ~self.emu.allowed_privileged_intents
        if disallowed:
            self.emu.record_violation(
                f"gateway: privileged intent(s) {disallowed:#x} requested but not enabled"
            )
            await self._close(conn, 4014, b"Disallowed intent(s).")
            return
        self.stats["identify"] += 1
        session = GatewaySession(uuid.uuid4().hex, intents, data.get("shard"))
        self.sessions[session.id] = session
        session.conn, conn.session = conn, session
        self._dispatch_to(session, "READY", ready_payload(self.emu, session))
        for guild_id, payload in guild_creates(self.emu, session):
            if session.wants_guild(guild_id):
                self._dispatch_to(session, "GUILD_CREATE", payload)
        self.ready.set()

    async def _resume(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or data.get("token") != self.emu.token:
            self.stats["invalid_session"] += 1
            self.emu.timeline.add("gw>", "op 9 INVALID_SESSION")
            await conn.send_now({"op": 9, "d": False})
            return
        if session.conn is not None and session.conn is not conn:
            # The old socket may still be open (frozen); Discord replaces it.
            old = session.conn
            old.session = None
            with contextlib.suppress(Exception):
                await old.ws.close(code=4000)
        self.stats["resume"] += 1
        session.conn, conn.session = conn, session
        seq = data.get("seq") or 0
        missed = [f for f in session.buffer if f["s"] > seq]
        self.emu.timeline.add("gw", f"RESUME replays {len(missed)} event(s)")
        for frame in missed:
            conn.queue.put_nowait(frame)
        # discord.py writes into RESUMED's data, so it must be an object (Discord sends a trace).
        self._dispatch_to(session, "RESUMED", {"_trace": ['["chapterbot-emulator",{"micros":0}]']})

    def _request_members(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        session = conn.session
        if session is None:
            return
        self.emu.timeline.add("gw<", f"REQUEST_GUILD_MEMBERS guild={data.get('guild_id')}")
        wants_all = not data.get("user_ids")
        if wants_all and not session.intents & INTENT_GUILD_MEMBERS:
            self.emu.record_violation("gateway: member list requested without the members intent")
            return
        chunk = members_chunk(self.emu, data)
        if chunk is not None:
            self._dispatch_to(session, "GUILD_MEMBERS_CHUNK", chunk)
