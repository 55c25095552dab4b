"""The use cases, built once per process and shared by every cog, command and button.

`ChapterBot.setup_hook` builds one `Services` after opening the database and hands it to the
cogs (`bot.services.reading`, ...). Nothing builds a service per interaction: services hold
repositories over the shared database and, for publishing, the timers and the posting lock,
so there must be exactly one of each.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apscheduler.schedulers.base import BaseScheduler

from bot.early_access.service import EarlyAccessService
from bot.events import EventBus
from bot.feedback.service import FeedbackService
from bot.following.service import FollowingService
from bot.lifecycle.service import ServerLifecycle
from bot.outbox import DEFAULT_LEASE_S, Outbox
from bot.publishing.deletions import PageDeletions
from bot.publishing.lost import TargetLoss
from bot.publishing.port import PublishPort
from bot.publishing.releases import DEFAULT_LEASE_S as DEFAULT_RELEASE_LEASE_S
from bot.publishing.runner import Voice
from bot.publishing.service import PublishingService
from bot.reading.service import ReadingService
from bot.sharding import ShardSet
from bot.storage import Database
from bot.storage.repository import unix_now
from bot.stories.authoring import Authoring
from bot.stories.lookup import StoryFinder
from bot.stories.repository import StoryRepository
from bot.stories.upload_choices import UploadChoices


@dataclass(frozen=True)
class Services:
    """Every feature's use cases, the event bus and the outbox, over one database."""

    db: Database
    bus: EventBus
    outbox: Outbox
    stories: StoryFinder
    authoring: Authoring
    upload_choices: UploadChoices
    publishing: PublishingService
    target_loss: TargetLoss
    page_deletions: PageDeletions
    reading: ReadingService
    feedback: FeedbackService
    following: FollowingService
    early_access: EarlyAccessService
    lifecycle: ServerLifecycle

    @classmethod
    def build(
        cls,
        db: Database,
        port: PublishPort,
        scheduler: BaseScheduler,
        *,
        wait_ready: Callable[[], Awaitable[None]] | None = None,
        outbox_lease_s: int = DEFAULT_LEASE_S,
        retention_days: int = 30,
        note_key: str | None = None,
        clock: Callable[[], int] = unix_now,
        shards: ShardSet | None = None,
        release_lease_s: int = DEFAULT_RELEASE_LEASE_S,
        voice: Voice | None = None,
    ) -> Services:
        """Wire the services: publishing posts through `port` and records events in the outbox."""
        bus = EventBus()
        outbox = Outbox(db, clock=clock, lease_s=outbox_lease_s, shards=shards)
        publishing = PublishingService(
            db,
            port,
            scheduler,
            wait_ready=wait_ready,
            clock=clock,
            outbox=outbox,
            bus=bus,
            shards=shards,
            lease_s=release_lease_s,
            voice=voice,
        )
        return cls(
            db=db,
            bus=bus,
            outbox=outbox,
            stories=StoryFinder(StoryRepository(db, clock=clock)),
            authoring=Authoring(db, bus=bus),
            upload_choices=UploadChoices(db),
            publishing=publishing,
            target_loss=TargetLoss(publishing, outbox),
            page_deletions=PageDeletions(db, clock=clock),
            reading=ReadingService(db, clock=clock, write_behind=True, bus=bus),
            feedback=FeedbackService(db, clock=clock, note_key=note_key),
            # Deliveries are outbox work: a crashed sender's claim lapses like an outbox row's.
            following=FollowingService(db, clock=clock, lease_s=outbox_lease_s, shards=shards),
            early_access=EarlyAccessService(
                db, scheduler, outbox=outbox, clock=clock, shards=shards
            ),
            lifecycle=ServerLifecycle(
                db, scheduler, bus, retention_days=retention_days, clock=clock, shards=shards
            ),
        )
