"""Outages a test can cause: a TCP proxy in front of PostgreSQL that it cuts, as a database
server going down would, and another program's write lock on a SQLite file.

The bot connects through it; `cut()` drops every connection and refuses new ones (what a
stopped server does), `restore()` listens again on the same port. `fail_over()` is the quiet
kind of outage: the connections open so far stop carrying anything, in either direction, and
are never closed (their server vanished without a word, as in a network partition or a
failover to another host), while new connections reach a server that answers. The shared
PostgreSQL server itself is never stopped: other tests use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


class DatabaseProxy:
    """Forwards 127.0.0.1:<port> to a PostgreSQL server until cut."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()
        self._stranded: list[asyncio.StreamWriter] = []

    @classmethod
    async def before(cls, url: str) -> DatabaseProxy:
        """A running proxy for the server of `url`."""
        parts = urlsplit(url)
        proxy = cls(parts.hostname or "127.0.0.1", parts.port or 5432)
        await proxy.restore()
        return proxy

    def url(self, url: str) -> str:
        """`url` with its host and port replaced by the proxy's, without TLS: asyncpg's TLS
        negotiation, cut half-way by the proxy, logs an asyncio error of its own."""
        parts = urlsplit(url)
        user = f"{parts.username}@" if parts.username else ""
        query = "&".join(q for q in (parts.query, "sslmode=disable") if q)
        return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{self.port}", query=query))

    async def restore(self) -> None:
        """Accept connections (again, on the same port)."""
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Drop every open connection and refuse new ones."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._pipes):
            writer.transport.abort()  # a reset, not a polite close: the server is gone
        self._pipes.clear()

    def fail_over(self) -> None:
        """Strand every open connection: nothing more goes through it, and it stays open."""
        self._stranded.extend(self._pipes)
        self._pipes.clear()

    async def close(self) -> None:
        """Stop for good."""
        await self.cut()
        for writer in self._stranded:
            writer.transport.abort()
        self._stranded.clear()

    async def _forward(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter):
        try:
            server_in, server_out = await asyncio.open_connection(*self.target)
        except OSError:
            client_out.transport.abort()
            return
        self._pipes.update((client_out, server_out))
        await asyncio.gather(self._pipe(client_in, server_out), self._pipe(server_in, client_out))

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                if sink in self._stranded:
                    continue  # swallowed: the server at the other end is gone
                sink.write(data)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._pipes.discard(sink)
            with contextlib.suppress(Exception):
                sink.close()


@contextlib.asynccontextmanager
async def file_write_locked(database: str | Path) -> AsyncIterator[sqlite3.Connection]:
    """Another program's write lock on a SQLite file (a backup tool, a sqlite3 shell), held for
    the block unless the test rolls the holder back sooner; `database` is a path or a URL.

    The lock is asked for in a thread: the bot runs on the test's event loop, and a transaction
    it has half-way (a flush, a drain) can only finish, and let the lock go, while the loop runs.
    """
    path = str(database).removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        await asyncio.to_thread(holder.execute, "BEGIN IMMEDIATE")
        yield holder
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
