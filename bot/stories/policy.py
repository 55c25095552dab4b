"""Who may do what to a story: the one place these rules live, for commands and buttons alike.

Owners may do everything to their story; co-authors everything but deleting it and managing its
authors; members with Manage Server everything. Uploading may be limited to an author role.
"""

from __future__ import annotations

from bot.actor import Actor
from bot.errors import NotAllowed
from bot.i18n import N_
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository


async def require_author(
    repo: StoryRepository, story: StoryRecord, actor: Actor, *, owner_only: bool = False
) -> None:
    """Refuse unless `actor` may change `story`.

    Co-authors may do everything the owner may except delete the story and manage its authors
    (`owner_only`); members with Manage Server may do everything.
    """
    if actor.manage_guild or actor.user_id == story.owner_id:
        return
    if not owner_only and await repo.is_author(story.id, actor.user_id):
        return
    if owner_only:
        raise NotAllowed(
            N_("Only the owner of “{title}” ({owner}) can do this."),
            hint=N_("Members with Manage Server can too."),
            params={"title": story.title, "owner": f"<@{story.owner_id}>"},
        )
    raise NotAllowed(
        N_("Only the authors of “{title}” can change it."),
        hint=N_("Ask its owner to add you with `/story authors add`."),
        params={"title": story.title},
    )


def require_manager(actor: Actor) -> None:
    """Refuse unless the actor has Manage Server (re-checked here: admins can override)."""
    if not actor.manage_guild:
        raise NotAllowed(N_("Only members with the Manage Server permission can change this."))


def require_upload_role(actor: Actor, role_id: int | None) -> None:
    """Refuse members without the server's author role (Manage Server members may always)."""
    if role_id is None or actor.manage_guild or role_id in actor.role_ids:
        return
    raise NotAllowed(
        N_("Only members with the {role} role can upload stories in this server."),
        hint=N_("Ask a server admin for the role."),
        params={"role": f"<@&{role_id}>"},
    )
