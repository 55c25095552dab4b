"""Readers in their own language (issue 18): /help, /next, the reader's buttons, /progress and
errors in fr, de, es-ES and pt-BR; English for en-US; Discord's naming rules on the synced
commands for every locale."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.client import ChapterBot
from bot.stories.repository import StoryRepository
from cogs.i18n import NAME_CONTEXT
from testkit.emulator import DiscordEmulator
from testkit.emulator.interactions import InteractionResult
from tests.e2e.following_helpers import dms_to
from tests.e2e.publishing_helpers import THREE_CHAPTERS, bot_posts, finished, upload_story
from tests.e2e.release_helpers import release_chapters, store_story, tale_bytes
from tests.i18n.test_catalogs import load

pytestmark = [pytest.mark.e2e, pytest.mark.emulator(time_scale=10.0)]

# Discord's rule for command, group and option names (CHAT_INPUT), per locale too.
NAME_RULE = re.compile(r"^[-_\w\u0900-\u097F\u0E00-\u0E7F]{1,32}$")
LOCALES = ("fr", "de", "es-ES", "pt-BR")
# Interface words of the English reader and /help that must not survive a translation.
ENGLISH_WORDS = re.compile(
    r"\b(Next|Back|Chapters?|Read from here|Mark read|Follow|Readers|Authors|More|"
    r"caught up|Your reading|nothing new|There is no story)\b"
)


def labels(result: InteractionResult) -> list[str]:
    """Every button label of a reply."""
    message = result.message
    assert message is not None
    return [
        str(item.get("label") or "")
        for row in message.components
        for item in row.get("components", [])
    ]


def custom_id(result: InteractionResult, label_part: str) -> str:
    """The custom_id of the button whose label contains `label_part`."""
    assert result.message is not None
    for row in result.message.components:
        for item in row.get("components", []):
            if label_part in (item.get("label") or ""):
                return str(item["custom_id"])
    raise AssertionError(f"no button {label_part!r} in {result.message.components}")


def interface_text(result: InteractionResult, *, page: bool = False) -> str:
    """What the bot wrote around the story: content (not a page's: story text), embed
    footers and fields, labels."""
    message = result.message
    assert message is not None
    parts = ["" if page else result.content or "", *labels(result)]
    for embed in message.embeds:
        parts.append(str(embed.get("footer", {}).get("text", "")))
        for field in embed.get("fields", []):
            parts.append(str(field["name"]))
    return "\n".join(parts)


async def released_story(emulator: DiscordEmulator, bot: ChapterBot) -> int:
    """A two-chapter story, released in #general; returns its id."""
    story = await store_story(
        bot,
        tale_bytes(2, words_per_chapter=40),
        "tale.txt",
        guild_id=emulator.guild.id,
        owner_id=emulator.user("alice").id,
    )
    chapters = await StoryRepository(bot.database).chapters(story.id)
    await release_chapters(
        bot, story.id, [c.number for c in chapters], emulator.channel("general").id
    )
    return story.id


@pytest.mark.parametrize(
    ("locale", "footer", "next_label", "progress_title", "error"),
    [
        ("fr", "Chapitre 1/", "Suivante ▶", "Vos lectures", "Il n'y a aucune histoire"),
        ("de", "Kapitel 1/", "Weiter ▶", "Deine Lektüre", "gibt es keine Geschichte"),
        ("es-ES", "Capítulo 1/", "Siguiente ▶", "Tus lecturas", "No hay ninguna historia"),
        ("pt-BR", "Capítulo 1/", "Próxima ▶", "Suas leituras", "Não há nenhuma história"),
        ("en-US", "Chapter 1/", "Next ▶", "Your reading", "There is no story"),
    ],
)
async def test_reader_speaks_the_users_language(
    emulator: DiscordEmulator,
    chapterbot: ChapterBot,
    locale: str,
    footer: str,
    next_label: str,
    progress_title: str,
    error: str,
) -> None:
    story_id = await released_story(emulator, chapterbot)
    bob = emulator.create_user("bob")

    first = await emulator.slash(bob, "next", story=str(story_id), user_locale=locale)
    assert first.message is not None
    assert first.message.embeds[0]["footer"]["text"].startswith(footer), first.message.embeds
    assert next_label in labels(first), labels(first)
    turned = await emulator.click(
        bob, first.message, custom_id(first, next_label), user_locale=locale
    )
    assert next_label in labels(turned) and turned.message is not None
    assert turned.message.embeds[0]["footer"]["text"].startswith(footer.split()[0])

    progress = await emulator.slash(bob, "progress", user_locale=locale)
    assert progress.message is not None
    assert progress.message.embeds[0]["title"] == progress_title

    missing = await emulator.slash(bob, "next", story="No Such Tale", user_locale=locale)
    assert missing.ephemeral and error in (missing.content or ""), missing.content
    # The placeholder was filled, not left as "{title}".
    assert "No Such Tale" in (missing.content or "") and "{" not in (missing.content or "")

    if locale != "en-US":
        for result, page in ((first, True), (turned, True), (missing, False)):
            leftover = ENGLISH_WORDS.findall(interface_text(result, page=page))
            assert not leftover, (locale, leftover, interface_text(result, page=page))


@pytest.mark.parametrize(
    ("locale", "heading", "readers"),
    [("fr", "/suivant", "📖 Lecteurs"), ("de", "/weiter", "📖 Lesende")],
)
async def test_help_in_french_and_german(
    emulator: DiscordEmulator, chapterbot: ChapterBot, locale: str, heading: str, readers: str
) -> None:
    reply = await emulator.slash(emulator.user("bob"), "help", user_locale=locale)
    assert reply.ephemeral and reply.message is not None
    embed = reply.message.embeds[0]
    fields = {field["name"]: field["value"] for field in embed.get("fields", [])}
    assert readers in fields and heading in fields[readers], fields
    assert not ENGLISH_WORDS.findall(readers + embed["description"])


async def test_synced_commands_follow_discords_naming_rules_in_every_locale(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    synced = emulator.commands() or [
        c for guild_commands in emulator.app_commands.values() for c in guild_commands
    ]
    assert synced
    localized = 0

    def check(items: list[dict[str, Any]]) -> None:
        nonlocal localized
        for locale in LOCALES:
            names = [i.get("name_localizations", {}).get(locale) or i["name"] for i in items]
            assert len(names) == len(set(names)), (locale, names)  # unique among siblings
        for item in items:
            for locale, name in (item.get("name_localizations") or {}).items():
                localized += 1
                assert name == name.lower() and NAME_RULE.match(name), (locale, name)
            for text in (item.get("description_localizations") or {}).values():
                assert 1 <= len(text) <= 100, text
            check([o for o in item.get("options", []) if o.get("type") in (1, 2)])
            check([o for o in item.get("options", []) if o.get("type") not in (1, 2)])

    check(synced)
    assert localized > 0  # the translator really ran
    by_name = {c["name"]: c for c in synced}
    assert by_name["next"]["name_localizations"]["fr"] == "suivant"
    assert by_name["next"]["description_localizations"]["de"] == "Lies deine nächste Seite"


@pytest.fixture
def french_guild(emulator: DiscordEmulator) -> None:
    """The default server's preferred locale is French (sent in GUILD_CREATE at connect)."""
    emulator.guild.locale = "fr"


async def test_a_french_server_gets_french_buttons_under_chapters(
    emulator: DiscordEmulator, french_guild: None, chapterbot: ChapterBot
) -> None:
    assert str(chapterbot.get_guild(emulator.guild.id).preferred_locale) == "fr"  # type: ignore[union-attr]
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    # /publish posts through the real publishing port (as a schedule does).
    assert "✅" in await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    posts = [m for m in bot_posts(emulator, general) if m.components]
    assert posts
    for post in posts:
        shown = [
            str(item.get("label") or "")
            for row in post.components
            for item in row.get("components", [])
        ]
        assert "📖 Lire à partir d'ici" in shown and "✓ Marquer comme lu" in shown, shown
        assert "💬 Commentaires" in shown and "🔔 Suivre" in shown, shown
        assert not ENGLISH_WORDS.findall("\n".join(shown)), shown


async def test_a_french_server_gets_a_french_release_line_and_thread_name(
    emulator: DiscordEmulator, french_guild: None, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    moved = await emulator.slash(
        alice, "settings channel", story=str(story.id), channel=general, mode="thread"
    )
    assert "✅" in (moved.content or ""), moved.content
    assert "✅" in await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    (header,) = bot_posts(emulator, general)
    # The chapter's own title is story text ("Dawn" here, under the source's label "Chapter 1")
    # and is never translated.
    assert header.content == "📖 **Three Small Chapters** — Chap. 1 — Dawn"
    (thread,) = [c for c in emulator.world.channels.values() if c.id == header.thread_id]
    assert thread.name == "Chap. 1 — Dawn"


async def test_schedule_add_in_french(emulator: DiscordEmulator, chapterbot: ChapterBot) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    choices = await emulator.autocomplete(
        alice,
        "schedule add",
        focused="when",
        story=str(story.id),
        when="friday 18:00",
        user_locale="fr",
    )
    preview = choices[0]["name"]
    assert "ven." in preview and "dans " in preview, preview
    assert not re.search(r"\b(Fri|in \d|days?|hours?)\b", preview), preview
    wrong = await emulator.autocomplete(
        alice, "schedule add", focused="when", story=str(story.id), when="blorp", user_locale="fr"
    )
    assert wrong[0]["name"] == "✗ Je ne comprends pas `blorp` comme une heure.", wrong

    reply = await emulator.slash(
        alice, "schedule add", story=str(story.id), when="friday 18:00", user_locale="fr"
    )
    text = reply.content or ""
    assert reply.ephemeral and text.startswith("🗓️ Programmation n° "), text
    assert "1 chapitre par publication dans <#" in text and "{" not in text, text
    assert not re.search(r"\b(Schedule|first run|per run|chapters?)\b", text), text

    error = await emulator.slash(
        alice, "schedule add", story=str(story.id), when="blorp", user_locale="fr"
    )
    assert error.ephemeral and "Je ne comprends pas `blorp` comme une heure." in (
        error.content or ""
    ), error.content
    assert "Essayez " in (error.content or "") and "Try" not in (error.content or "")


async def test_settings_language_overrides_the_servers_locale(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    carol = emulator.user("carol")  # the default world's Mod: Manage Server
    chosen = await emulator.slash(carol, "settings language", language="de", user_locale="fr")
    assert chosen.ephemeral and "Les publications sont désormais en de." in (chosen.content or "")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    assert "✅" in await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    posts = [m for m in bot_posts(emulator, general) if m.components]
    shown = [
        str(item.get("label") or "")
        for row in posts[0].components
        for item in row.get("components", [])
    ]
    assert "📖 Ab hier lesen" in shown and "💬 Rückmeldung" in shown, shown


# Language names in /settings language are written in their own language, never translated.
ENDONYMS = {"English", "Français", "Deutsch", "Español", "Português do Brasil"}


async def test_every_synced_name_description_and_choice_has_a_translation(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    catalogs = {locale: load(locale) for locale in LOCALES}
    missing: set[tuple[str, str, str]] = set()

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            for locale, catalog in catalogs.items():
                if catalog.get(item["name"], context=NAME_CONTEXT) is None:
                    missing.add((locale, "name", item["name"]))
                if item.get("description") and catalog.get(item["description"]) is None:
                    missing.add((locale, "description", item["description"]))
                for choice in item.get("choices") or []:
                    if choice["name"] not in ENDONYMS and catalog.get(choice["name"]) is None:
                        missing.add((locale, "choice", choice["name"]))
            walk(item.get("options") or [])

    walk(emulator.commands())
    assert not missing, sorted(missing)


async def test_a_french_server_heads_unlabelled_chapters_in_french(
    emulator: DiscordEmulator, french_guild: None, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    raw = b"# A Quiet Tale\n\n## Dawn\n\nThe first words.\n\n## Noon\n\nThe second words.\n"
    story = await upload_story(emulator, chapterbot, alice, "quiet.md", raw, channel=general)
    assert "✅" in await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    first = bot_posts(emulator, general)[0].content or ""
    assert first.startswith("**Chapitre 1: Dawn**"), first
    assert "Chapter" not in first


async def test_following_speaks_french(emulator: DiscordEmulator, chapterbot: ChapterBot) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=emulator.channel("general")
    )
    replies = [
        await emulator.slash(bob, "follow", story=str(story.id), user_locale="fr"),
        await emulator.slash(bob, "following", user_locale="fr"),
        await emulator.slash(bob, "dms", state="off", user_locale="fr"),
        await emulator.slash(bob, "unfollow", story=str(story.id), user_locale="fr"),
        await emulator.slash(bob, "following", user_locale="fr"),
    ]
    texts = [reply.content or "" for reply in replies]
    assert texts[0].startswith("🔔 Vous suivez **Three Small Chapters**"), texts[0]
    assert "aucune publication prévue" in texts[1], texts[1]
    assert "`/mp activé`" in texts[2] and "Vous ne suivez plus" in texts[3], texts
    assert "Essayez `/suivre`" in texts[4], texts[4]
    english = re.compile(r"\b(You|follow|release|DMs from me|scheduled)\b")
    assert not english.findall("\n".join(texts)), texts


async def test_a_french_servers_release_dm_is_french(
    emulator: DiscordEmulator, french_guild: None, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    await emulator.slash(bob, "follow", story=str(story.id))
    assert "✅" in await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    await emulator.wait_until(lambda: len(dms_to(emulator, bob)) >= 1, timeout=10.0, what="DM")
    [dm] = dms_to(emulator, bob)
    assert (dm.content or "").startswith("🔔 Nouveau dans **Three Small Chapters** :"), dm.content
    shown = [str(item.get("label")) for row in dm.components for item in row["components"]]
    assert shown == ["Lire ▶"], shown
