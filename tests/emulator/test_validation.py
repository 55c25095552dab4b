"""Tests for the request validator: real discord.py payloads pass, broken ones fail clearly."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import Interaction, MessageReferenceType, app_commands, ui
from discord.app_commands import Choice, Range
from discord.http import handle_message_parameters
from discord.webhook.async_ import interaction_message_response_params

from testkit.emulator import spec_overrides
from testkit.emulator.validation import RequestValidator, default_spec_path, discord_error_body

SPEC = default_spec_path()
pytestmark = pytest.mark.skipif(
    not SPEC.is_file(), reason="no OpenAPI spec in ../shared/discord-api-spec"
)
MESSAGES, MESSAGES_TEMPLATE = "/channels/100/messages", "/channels/{channel_id}/messages"
_APPS, _THREADS = "/applications/1/commands", "/channels/1/threads"
CALLBACK = "/interactions/1/tok/callback"


@pytest.fixture(scope="module")
def validator() -> RequestValidator:
    """One validator for the module: loading is cheap, validators are cached inside."""
    return RequestValidator(SPEC)


# --- payloads built by discord.py's own serialisation ----------------------------------------


def story_view() -> ui.View:
    """Buttons, a link, an emoji button and every kind of select (channel types incl. media)."""
    view = ui.View()
    view.add_item(
        ui.Button(label="Next chapter", custom_id="next", style=discord.ButtonStyle.primary)
    )
    view.add_item(ui.Button(label="Read online", url="https://example.com/story/1"))
    view.add_item(ui.Button(emoji="📖", custom_id="bookmark"))
    options = [
        discord.SelectOption(label=f"Chapter {i}", value=str(i), emoji="📘") for i in range(25)
    ]
    view.add_item(ui.Select(custom_id="chapter", placeholder="Jump to…", options=options))
    kinds = [discord.ChannelType.text, discord.ChannelType.forum, discord.ChannelType.media]
    view.add_item(ui.ChannelSelect(custom_id="where", channel_types=kinds))
    view.add_item(ui.UserSelect(custom_id="who", max_values=5))
    view.add_item(ui.RoleSelect(custom_id="role", row=4))
    return view


def full_embed(description: str = "It was a dark and stormy night.") -> discord.Embed:
    """An embed using every field."""
    embed = discord.Embed(title="Chapter 1", description=description, url="https://example.com")
    embed.colour, embed.timestamp = discord.Colour.blurple(), discord.utils.utcnow()
    embed.add_field(name="Words", value="1,234").add_field(name="Part", value="1/3", inline=False)
    embed.set_footer(text="The Story", icon_url="https://example.com/f.png")
    embed.set_author(
        name="Author", url="https://example.com/a", icon_url="https://example.com/a.png"
    )
    embed.set_image(url="https://example.com/i.png").set_thumbnail(url="https://example.com/t.png")
    return embed


class FeedbackModal(ui.Modal, title="Feedback"):
    """A modal with a classic row, labelled inputs and a text display."""

    name = ui.TextInput(label="Name", max_length=100)
    body = ui.Label(
        text="Your thoughts",
        component=ui.TextInput(style=discord.TextStyle.long, required=False, max_length=4000),
    )
    rating = ui.Label(text="Rating", component=ui.Select(options=[discord.SelectOption(label="5")]))
    note = ui.TextDisplay("Thanks for reading!")


class StoryLayout(ui.LayoutView):
    """A components-v2 layout."""

    box = ui.Container(
        ui.TextDisplay("# Chapter 2"),
        ui.Separator(),
        ui.Section(ui.TextDisplay("Continue?"), accessory=ui.Button(label="Go", custom_id="go")),
        ui.ActionRow(ui.Button(label="Back", custom_id="back")),
        accent_colour=0x5865F2,
    )
    gallery = ui.MediaGallery(discord.MediaGalleryItem("https://example.com/cover.png"))


def message(**kwargs: Any) -> tuple[Any, list[tuple[str, bytes]]]:
    """(body, files) exactly as discord.py's HTTP client would send them."""
    params = handle_message_parameters(**kwargs)
    if not params.multipart:
        return params.payload, []
    payload = json.loads(params.multipart[0]["value"])
    return payload, [(part["name"], part["value"].read()) for part in params.multipart[1:]]


def command_tree() -> app_commands.CommandTree:
    """A tree exercising every option type, choices, autocomplete and a subcommand group."""
    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))

    @tree.command(name="publish", description="Publish a chapter")
    @app_commands.describe(story="Which story", chapter="Chapter number")
    @app_commands.choices(mode=[Choice(name="Now", value="now")])
    async def publish(i: Interaction, story: str, chapter: Range[int, 1, 500], mode: Choice[str],
                      ratio: float, spoiler: bool, reader: discord.User, role: discord.Role,
                      target: discord.User | discord.Role, forum: discord.ForumChannel,
                      where: discord.TextChannel | discord.ForumChannel | None = None,
                      cover: discord.Attachment | None = None) -> None:  # fmt: skip
        """Exercise every option type."""

    @publish.autocomplete("story")
    async def stories(i: Interaction, current: str) -> list[Any]:
        return []

    admin = app_commands.Group(name="story-admin", description="Manage stories")
    chapters = app_commands.Group(name="chapters", description="Chapters", parent=admin)

    @chapters.command(name="delete", description="Delete a chapter")
    async def delete(i: Interaction, number: int) -> None:
        """A nested subcommand."""

    tree.add_command(admin)
    tree.add_command(app_commands.ContextMenu(name="Bookmark Message", callback=_bookmark))
    return tree


async def _bookmark(i: Interaction, message: discord.Message) -> None:
    """A message context-menu command."""


def commands_payload() -> list[dict[str, Any]]:
    """What ``tree.sync()`` PUTs."""
    tree = command_tree()
    return [command.to_dict(tree) for command in tree.get_commands()]


def req(method: str, path: str, body: Any = None, files: Any = (), **query: str) -> Request:
    """One request of the corpus."""
    return method, path, body, list(files), query


Request = tuple[str, str, Any, list[Any], dict[str, str]]


def valid_requests() -> dict[str, Request]:
    """Real discord.py requests, by name."""
    none = discord.AllowedMentions.none()
    ref = discord.MessageReference(message_id=5, channel_id=100, guild_id=7).to_dict()
    fwd = discord.MessageReference(message_id=5, channel_id=9, type=MessageReferenceType.forward)
    users = discord.AllowedMentions(users=[discord.Object(9)], roles=False, everyone=False)
    silent, ephemeral = discord.MessageFlags(suppress_notifications=True), discord.MessageFlags()
    ephemeral.ephemeral = True
    rich = message(content="New!", embed=full_embed(), view=story_view(), allowed_mentions=none,
                   nonce=1234567890123456789, flags=silent)  # fmt: skip
    reply = message(content="Reply", message_reference=ref, allowed_mentions=users,
                    mention_author=False, stickers=[11, 12])  # fmt: skip
    files = [discord.File(io.BytesIO(b"Once upon a time"), f"{n}.txt") for n in range(2)]
    hook = message(content="Hi", username="Narrator", avatar_url="https://example.com/n.png")
    forum = message(content="Chapter 1", channel_payload={"name": "My Story", "applied_tags": [3]})
    said = interaction_message_response_params(type=4, content="Here", embed=full_embed(),
                                               view=story_view(), flags=ephemeral)  # fmt: skip
    update = interaction_message_response_params(type=7, view=StoryLayout())
    choices = [app_commands.Choice(name=f"Story {i}", value=f"s{i}").to_dict() for i in range(25)]
    thread = {"name": "Discussion", "auto_archive_duration": 1440, "type": 11, "invitable": None}
    return {
        "message": req("POST", MESSAGES, *rich),
        "files": req("POST", MESSAGES, *message(content="See", files=files)),
        "reply": req("POST", MESSAGES, *reply),
        "forward": req("POST", MESSAGES, *message(message_reference=fwd.to_dict())),
        "components-v2": req("POST", MESSAGES, *message(view=StoryLayout())),
        "edit": req("PATCH", f"{MESSAGES}/5", *message(content=None, embeds=[full_embed()] * 2)),
        "webhook": req("POST", "/webhooks/1/tok", *hook, wait="1", with_components="1"),
        "webhook-thread": req("POST", "/webhooks/1/tok", *hook, wait="1", thread_id="55"),
        "followup-edit": req("PATCH", "/webhooks/1/tok/messages/@original", {"content": "ok"}),
        "forum-post": req("POST", "/channels/100/threads", *forum, use_nested_fields="1"),
        "thread": req("POST", "/channels/100/threads", thread),
        "thread-from-message": req("POST", f"{MESSAGES}/5/threads", {"name": "Talk"}),
        "bulk-commands": req("PUT", "/applications/1/commands", commands_payload()),
        "callback-message": req("POST", CALLBACK, said.payload, with_response="1"),
        "callback-update": req("POST", CALLBACK, update.payload, with_response="true"),
        "callback-defer": req("POST", CALLBACK, {"type": 5, "data": {"flags": 64}}),
        "callback-modal": req("POST", CALLBACK, {"type": 9, "data": FeedbackModal().to_dict()}),
        "callback-autocomplete": req("POST", CALLBACK, {"type": 8, "data": {"choices": choices}}),
        "history": req("GET", MESSAGES, limit="100", before="99"),
        "reaction": req("PUT", f"{MESSAGES}/5/reactions/%F0%9F%93%96/@me"),
        "me": req("GET", "/users/@me"),
    }


VALID = valid_requests()


@pytest.mark.parametrize("name", list(VALID))
def test_real_discord_py_requests_are_valid(validator: RequestValidator, name: str) -> None:
    method, path, body, files, query = VALID[name]
    assert validator.validate(method, path, body, query=query, files=files) == []


def test_corpus_really_exercises_the_tricky_parts() -> None:
    """Guards the corpus itself: the payloads carry what the spec overrides are about."""
    bodies = {name: request[2] for name, request in VALID.items()}
    assert '"channel_types": [0, 15, 16]' in json.dumps(bodies)  # media, in selects and options
    assert bodies["files"]["attachments"][0]["id"] == 0  # ids sent as JSON integers
    assert VALID["files"][3][0][0] == "files[0]"
    assert bodies["reply"]["allowed_mentions"]["users"] == [9]
    assert bodies["message"]["nonce"] == "1234567890123456789"
    assert bodies["message"]["enforce_nonce"] is True
    assert bodies["message"]["allowed_mentions"] == {"parse": []}
    options = [o for c in bodies["bulk-commands"] for o in c.get("options", [])]
    assert {o["type"] for o in options} >= {2, 3, 4, 5, 6, 7, 8, 9, 10, 11}  # every option type
    assert any(o.get("autocomplete") for o in options)


def row(*children: dict[str, Any]) -> dict[str, Any]:
    """An action row."""
    return {"type": 1, "components": list(children)}


def button(**fields: Any) -> dict[str, Any]:
    """A primary button."""
    return {"type": 2, "style": 1, "custom_id": "b", **fields}


def in_row(*children: dict[str, Any]) -> dict[str, Any]:
    """A message body with one action row."""
    return {"components": [row(*children)]}


def rows(count: int, per_row: int = 1) -> dict[str, Any]:
    """A message body with ``count`` rows of ``per_row`` buttons."""
    return {"components": [row(*[button(custom_id=str(i)) for i in range(per_row)])] * count}


def select(kind: int = 3, **fields: Any) -> dict[str, Any]:
    """A select menu (a string select with one option by default)."""
    return {"type": kind, "custom_id": "s", "options": [{"label": "a", "value": "a"}], **fields}


def text_input(**fields: Any) -> dict[str, Any]:
    """A short text input."""
    return {"type": 4, "custom_id": "i", "style": 1, "label": "l", **fields}


def modal(*components: dict[str, Any], **data: Any) -> dict[str, Any]:
    """A modal callback (one text input unless given ``components``)."""
    rows_ = list(components) or [row(text_input())]
    return {"type": 9, "data": {"custom_id": "m", "title": "t", "components": rows_, **data}}


def choices(*items: dict[str, Any]) -> dict[str, Any]:
    """An autocomplete callback."""
    return {"type": 8, "data": {"choices": list(items)}}


def command(**fields: Any) -> dict[str, Any]:
    """A chat-input command."""
    return {"name": "a", "description": "d", **fields}


def option(**fields: Any) -> dict[str, Any]:
    """A string option."""
    return {"type": 3, "name": "o", "description": "d", **fields}


def embed(**fields: Any) -> dict[str, Any]:
    """A message with one embed."""
    return {"embeds": [fields]}


NV = {"name": "n", "value": "v"}
MESSAGE_CASES: dict[str, tuple[Any, str]] = {
    "content": ({"content": "x" * 2001}, "content has 2001 characters, limit 2000"),
    "embeds": ({"embeds": [{"title": "t"}] * 11}, "embeds has 11 items, limit 10"),
    "title": (embed(title="t" * 257), "embeds[0].title has 257 characters, limit 256"),
    "description": (embed(description="d" * 4097), "description has 4097 characters, limit 4096"),
    "total": ({"embeds": [{"description": "d" * 4000}] * 2}, "8000 characters of text in total"),
    "fields": (embed(fields=[NV] * 26), "embeds[0].fields has 26 items, limit 25"),
    "field-name": (embed(fields=[NV | {"name": "n" * 257}]), "name has 257 characters"),
    "field-value": (embed(fields=[NV | {"value": "v" * 1025}]), "value has 1025 characters"),
    "footer": (embed(footer={"text": "f" * 2049}), "footer.text has 2049 characters, limit 2048"),
    "author": (embed(author={"name": "a" * 257}), "author.name has 257 characters, limit 256"),
    "six-rows": (rows(6), "components has 6 items, limit 5"),
    "six-buttons": (rows(1, 6), "components[0].components has 6 items, limit 5"),
    "select-shared": (in_row(select(5), button()), "a select must be alone"),
    "custom-id": (in_row(button(custom_id="c" * 101)), "custom_id has 101 characters"),
    "no-custom-id": (in_row(button(custom_id=None)), "custom_id is required"),
    "link-url": (in_row(button(style=5, custom_id=None)), "url is required for link buttons"),
    "label": (in_row(button(label="l" * 81)), "label has 81 characters, limit 80"),
    "options": (in_row(select(options=[{"label": "a", "value": "a"}] * 26)), "26 items, limit 25"),
    "option-label": (in_row(select(options=[{"label": "a" * 101, "value": "a"}])), "101 char"),
    "placeholder": (in_row(select(5, placeholder="p" * 151)), "placeholder has 151 characters"),
    "v1-top-level": ({"components": [{"type": 10, "content": "hi"}]}, "only action rows"),
    "nonce": ({"content": "x", "nonce": "n" * 26}, "nonce has 26 characters, limit 25"),
    "empty": ({"content": "", "embeds": [], "tts": False}, "Cannot send an empty message"),
    "mention-kind": ({"allowed_mentions": {"parse": ["channels"]}}, "parse[0] is 'channels'"),
    "mention-clash": ({"allowed_mentions": {"parse": ["users"], "users": ["1"]}}, "exclusive"),
    "spec-type": (embed(color="red"), "embeds[0].color is invalid: 'red' is not of type"),
    "spec-style": (in_row(button(style=9)), "components[0].components[0].style is invalid"),
    "missing-body": (None, "body is required"),
}
CALLBACK_CASES: dict[str, tuple[Any, str]] = {
    "modal-title": (modal(title="t" * 46), "data.title has 46 characters, limit 45"),
    "modal-rows": (modal(*[row(text_input())] * 6), "data.components has 6 items, limit 5"),
    "input-label": (modal(row(text_input(label="l" * 46))), "components[0].label has 46 char"),
    "input-length": (modal(row(text_input(max_length=4001))), "max_length is 4001"),
    "choices": (choices(*[NV] * 26), "data.choices has 26 items, limit 25"),
    "choice-name": (choices(NV | {"name": ""}), "name has 0 characters, minimum 1"),
    "choice-value": (choices(NV | {"value": "v" * 101}), "value has 101 characters, limit 100"),
    "content": ({"type": 4, "data": {"content": "x" * 2001}}, "data.content has 2001 char"),
    "empty": ({"type": 4, "data": {"tts": False}}, "Cannot send an empty message"),
}
COMMAND_CASES: dict[str, tuple[Any, str]] = {
    "upper": (command(name="Publish"), "name 'Publish' must be lowercase"),
    "space": (command(name="two words"), "must match ^[-_\\p{L}\\p{N}]{1,32}$"),
    "long": (command(name="n" * 33), "must match"),
    "description": (command(description="d" * 101), "description has 101 characters"),
    "no-description": (command(description=""), "description has 0 characters, minimum 1"),
    "options": (command(options=[option(name=f"o{i}") for i in range(26)]), "26 items"),
    "choices": (command(options=[option(choices=[NV] * 26)]), "choices has 26 items"),
    "option-name": (command(options=[option(name="Story")]), "options[0].name 'Story' must"),
    "order": (command(options=[option(), option(name="p", required=True)]), "must come before"),
}
OTHER_CASES: dict[str, tuple[str, str, Any, str]] = {
    "webhook-empty": ("POST", "/webhooks/1/tok", {"username": "x"}, "Cannot send an empty"),
    "thread-name": ("POST", "/channels/1/threads", {"name": "n" * 101}, "name has 101 characters"),
    "forum-empty": ("POST", "/channels/1/threads", {"name": "n", "message": {}}, "Cannot send an"),
    "rename-empty": ("PATCH", "/channels/1", {"name": ""}, "name has 0 characters, minimum 1"),
    "bulk-101": ("PUT", "/applications/1/commands", [command()] * 101, "101 chat-input commands"),
    "unknown-route": ("GET", "/stories/1", None, "no such route in Discord's API: GET /stories/1"),
    "unknown-method": ("DELETE", "/users/@me", None, "no such route in Discord's API: DELETE"),
    "path-param": ("GET", "/channels/general/messages", None, "channel_id 'general' is not a"),
}
BROKEN = {f"message-{k}": ("POST", MESSAGES, *v) for k, v in MESSAGE_CASES.items()}
BROKEN |= {f"callback-{k}": ("POST", CALLBACK, *v) for k, v in CALLBACK_CASES.items()}
BROKEN |= {
    f"command-{k}": ("POST", "/applications/1/commands", *v) for k, v in COMMAND_CASES.items()
}
BROKEN |= OTHER_CASES


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_requests_fail_with_a_clear_message(validator: RequestValidator, name: str) -> None:
    method, path, body, expected = BROKEN[name]
    violations = validator.validate(method, path, body)
    assert any(expected in v for v in violations), violations


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        (CALLBACK, {"with_response": "maybe"}, "with_response='maybe' is not boolean"),
        (CALLBACK, {"wait": "1"}, "query parameter 'wait' is not accepted"),
        ("/webhooks/1/tok", {"wait": "yes"}, "wait='yes' is not boolean"),
        ("/webhooks/1/tok", {"thread_id": "general"}, "thread_id='general' is invalid"),
        (MESSAGES, {"limit": "101"}, "101 is greater than the maximum of 100"),
        (MESSAGES, {"limit": "0"}, "0 is less than the minimum of 1"),
        (MESSAGES, {"limit": "ten"}, "limit='ten' is not integer"),
        ("/guilds/1/members/search", {}, "query parameter 'query' is required"),
    ],
)
def test_query_types_ranges_and_names(
    validator: RequestValidator, path: str, query: dict[str, str], expected: str
) -> None:
    get = path.startswith(("/channels", "/guilds"))
    method, body = ("GET", None) if get else ("POST", {"type": 1, "content": "x"})
    violations = validator.validate(method, path, body, query=query)
    assert any(expected in v for v in violations), violations


def test_messages_name_the_route_template(validator: RequestValidator) -> None:
    [problem] = validator.validate("POST", MESSAGES, {"content": "x" * 2001})
    assert problem == f"POST {MESSAGES_TEMPLATE}: content has 2001 characters, limit 2000"


def test_literal_segments_win_over_parameters(validator: RequestValidator) -> None:
    assert validator.match("/users/@me") == "/users/@me"
    assert validator.match("/users/42") == "/users/{user_id}"
    original = validator.match("/webhooks/1/tok/messages/@original")
    assert original == "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
    assert validator.match("/webhooks/1/tok/messages/9").endswith("/messages/{message_id}")
    assert validator.match("/interactions/1/a.b-c/callback") == (
        "/interactions/{interaction_id}/{interaction_token}/callback"
    )


def test_error_body_is_shaped_like_discords(validator: RequestValidator) -> None:
    body = {"content": "x" * 2001} | embed(fields=[{"name": "n", "value": "v" * 1025}])
    error = discord_error_body(validator.validate("POST", MESSAGES, body))
    assert error["code"] == 50035 and error["message"] == "Invalid Form Body"
    [field] = error["errors"]["embeds"]["0"]["fields"]["0"]["value"]["_errors"]
    assert field["code"] == "BASE_TYPE_MAX_LENGTH" and "1025" in field["message"]
    assert error["errors"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    query = discord_error_body(validator.validate("GET", MESSAGES, None, query={"limit": "0"}))
    assert "limit" in query["errors"]


def test_empty_message_gets_discords_50006(validator: RequestValidator) -> None:
    error = discord_error_body(validator.validate("POST", MESSAGES, {"content": ""}))
    assert error == {"code": 50006, "message": "Cannot send an empty message"}


def test_remembered_values_never_hide_an_error(validator: RequestValidator) -> None:
    """The validator remembers accepted values and subschemas; a bad value is still caught,
    however often the good one came before, and the same mistake is reported every time."""

    def button(style: object, label: object) -> dict:
        row = {
            "type": 1,
            "components": [{"type": 2, "style": style, "custom_id": "a", "label": label}],
        }
        return {"type": 4, "data": {"content": "x", "components": [row]}}

    for _ in range(3):
        assert validator.validate("POST", CALLBACK, button(1, "Next")) == []
    twice = [validator.validate("POST", CALLBACK, button(1, 12345)) for _ in range(2)]
    assert twice[0] == twice[1] and "label" in twice[0][0]
    assert validator.validate("POST", CALLBACK, button("1", "Next")) != []  # a string, not 1
    assert validator.validate("POST", CALLBACK, button(True, "Next")) != []  # True is not 1


def test_without_the_spec_only_limits_are_checked(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="Discord OpenAPI spec not found at"):
        bare = RequestValidator(tmp_path / "missing.json")
    assert not bare.has_spec
    assert bare.validate("POST", MESSAGES, {"content": "x"} | embed(color="red")) == []
    assert bare.validate("GET", "/stories/1", None) == []
    [problem] = bare.validate("POST", MESSAGES, {"content": "x" * 2001})
    assert problem.endswith("content has 2001 characters, limit 2000")
    with pytest.warns(UserWarning):
        assert RequestValidator(None).validate("PUT", "/applications/1/commands", [{"name": "A"}])


# Each override's example: a request that the unpatched spec would wrongly reject.
_SCHEMAS = "/components/schemas"
OVERRIDE_EXAMPLES: dict[str, Request] = {
    f"{_SCHEMAS}/SnowflakeType": req("POST", MESSAGES, {"content": "x", "sticker_ids": [1]}),
    f"{_SCHEMAS}/ChannelTypes/oneOf/-": req(
        "POST", MESSAGES, in_row(select(8, channel_types=[16]))
    ),
    f"{_SCHEMAS}/MessageReferenceType/oneOf/-": VALID["forward"],
    "request properties permissions, allow, deny, default_member_permissions": (
        req("PUT", "/channels/1/permissions/2", {"allow": "1024", "deny": "0", "type": 0})
    ),
    "/paths/~1channels~1{channel_id}~1threads/post/parameters": (
        req("POST", _THREADS, {"name": "n", "message": {"content": "x"}}, use_nested_fields="1")
    ),
    "/paths/~1guilds~1{guild_id}~1bans~1{user_id}/put/parameters": (
        req("PUT", "/guilds/1/bans/2", delete_message_seconds="0")
    ),
}


@pytest.mark.parametrize("override", spec_overrides.OVERRIDES, ids=lambda o: o.target)
def test_each_override_is_documented_and_still_needed(
    override: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(override.reason) > 40
    method, path, body, files, query = OVERRIDE_EXAMPLES[override.target]
    assert RequestValidator(SPEC).validate(method, path, body, query=query, files=files) == []
    others = tuple(o for o in spec_overrides.OVERRIDES if o is not override)
    monkeypatch.setattr(spec_overrides, "OVERRIDES", others)
    assert RequestValidator(SPEC).validate(method, path, body, query=query, files=files) != []
