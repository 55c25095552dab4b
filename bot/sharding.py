"""Which guilds this process serves: Discord's shard formula, `(guild_id >> 22) % shard_count`.

One `ShardSet` is built from the settings and handed to the use cases; everything that arms,
fires, resumes or claims a guild's work asks `owns(guild_id)` (or filters its SQL with the same
formula) so that each process only ever touches the guilds of its own shards.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class ShardSet:
    """The shards a process serves: `count` None means unsharded (every guild is ours)."""

    count: int | None = None
    ids: tuple[int, ...] = ()

    @classmethod
    def unsharded(cls) -> ShardSet:
        """One process serving every guild (the default)."""
        return cls()

    @property
    def sharded(self) -> bool:
        """True when SHARD_COUNT is set."""
        return self.count is not None

    @property
    def partial(self) -> bool:
        """True when this process serves only some of the shards (others run elsewhere)."""
        return self.count is not None and len(self.ids) < self.count

    def owns(self, guild_id: int | None) -> bool:
        """Is this guild served by this process? Guild-less work belongs to every process."""
        if self.count is None or guild_id is None:
            return True
        return shard_of(guild_id, self.count) in self.ids

    def describe(self) -> str:
        """For the start-up line: `0,1 of 2` or `none (unsharded)`."""
        if self.count is None:
            return "none (unsharded)"
        return f"{','.join(str(i) for i in self.ids)} of {self.count}"


def shard_of(guild_id: int, count: int) -> int:
    """The shard Discord sends a guild's events on (Discord's documented formula)."""
    return (guild_id >> 22) % count


def process_owner() -> str:
    """A name for this process in leases (`claimed_by`): host, pid and a random part, so a
    restarted process, or a second one started by mistake, is never taken for another."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
