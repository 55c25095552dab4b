"""The frozen records the following use cases return to the cogs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DeliveryStatus = Literal["pending", "sent", "undeliverable", "failed", "skipped"]


@dataclass(frozen=True)
class FollowRecord:
    """One reader following one story; `undeliverable_at` is set while their DMs are closed."""

    story_id: int
    user_id: int
    guild_id: int
    created_at: int
    undeliverable_at: int | None

    @property
    def deliverable(self) -> bool:
        """False once Discord refused a DM to this reader (until they /follow again)."""
        return self.undeliverable_at is None


@dataclass(frozen=True)
class DeliveryRecord:
    """One follower's DM for one release run."""

    id: int
    run_at: int  # the due time shared by the run's releases
    story_id: int
    guild_id: int
    user_id: int
    status: DeliveryStatus
    nonce: str
    attempts: int
    leased_until: int | None
    created_at: int
    sent_at: int | None
    message_id: int | None
    kind: str = "release"  # 'early': sent when early access opened for the run (role holders)

    @property
    def early(self) -> bool:
        """True for the DM sent when early access opened (before the public release)."""
        return self.kind == "early"


@dataclass(frozen=True)
class FollowerCounts:
    """How many readers follow a story, and how many of them have their DMs closed."""

    followers: int
    dms_closed: int
