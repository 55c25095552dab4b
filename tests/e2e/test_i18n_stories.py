"""Authors in their own language (issue 18): `/story`, `/publish`, `/stats` and `/doctor`
replies, their errors and their numbers in French and German, with no English interface word
left."""

from __future__ import annotations

import re

import pytest

from bot.client import ChapterBot
from bot.i18n import number
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import Message
from tests.e2e.publishing_helpers import THREE_CHAPTERS, finished, upload_story
from tests.e2e.test_story_commands import answer, field, repo, upload
from tests.e2e.test_upload_skipped import GUTENBERG_STYLE

pytestmark = pytest.mark.e2e

# Words of the English replies that a French or German author must not see (not "Pages" or
# "style": French writes them the same).
# ("notes" is left out: French writes it too.)
ENGLISH_WORDS = re.compile(
    r"\b(Uploaded|Authors|Chapters?|Words|Rating|Warnings|Skipped|released|Story id|"
    r"Preview|Schedule|posted in|page\(s\)|Reactions|Notes received|readers?|"
    r"no reactions|followers|Next run|No channel|Use|is a text channel|is empty|Upload|"
    r"limit is|Split the story|Every chapter|You have no)\b"
)
# A French thousands group uses a narrow no-break space, a German one a full stop.
FRENCH_THOUSANDS = re.compile(r"\d{1,3}(\u202f\d{3})+")
GERMAN_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+")


def long_story(words_per_chapter: int = 700) -> bytes:
    """A two-chapter Markdown story with more than a thousand words in all."""
    prose = " ".join(f"word{i}" for i in range(words_per_chapter))
    return f"# Long Tale\n\n## Chapter 1\n\n{prose}\n\n## Chapter 2\n\n{prose}\n".encode()


def shown_text(message: Message) -> str:
    """The interface of a reply: content, embed titles, field names and values, footers,
    description and button labels."""
    parts = [message.content or ""]
    for embed in message.embeds:
        parts += [str(embed.get("title", "")), str(embed.get("description", ""))]
        parts.append(str(embed.get("footer", {}).get("text", "")))
        for item in embed.get("fields", []):
            parts += [str(item["name"]), str(item["value"])]
    for row in message.components:
        parts += [str(item.get("label") or "") for item in row.get("components", [])]
    return "\n".join(parts)


async def test_a_french_author_uploads_in_french(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    reply = answer(await upload(emulator, alice, "alice.txt", GUTENBERG_STYLE, user_locale="fr"))
    assert reply.embeds[0]["title"] == "📚 Téléversée : Alice's Adventures in Wonderland"
    assert field(reply, "Chapitres") == "2 (0 publié)"
    skipped = field(reply, "Ignoré (non publié)")
    assert "table des matières (12 mots)" in skipped
    assert "en-tête du Projet Gutenberg (26 mots)" in skipped
    assert "licence du Projet Gutenberg (16 mots)" in skipped
    text = shown_text(reply)
    assert "Aperçu du chapitre 1" in text and "Programmer" in text
    assert not ENGLISH_WORDS.findall(text.replace("Alice's Adventures in Wonderland", "")), text

    # Counts carry the language's thousands separator.
    big = answer(await upload(emulator, alice, "long.md", long_story(), user_locale="fr"))
    words = field(big, "Mots")
    assert FRENCH_THOUSANDS.fullmatch(words), words
    stored = await repo(chapterbot).list_for_guild(emulator.guild.id)
    assert len(stored) == 2


async def test_a_french_upload_refusal_is_french_with_french_numbers(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    empty = answer(await upload(emulator, alice, "vide.txt", b"", user_locale="fr"))
    assert empty.content == (
        "⚠️ `vide.txt` est vide. Téléversez un fichier contenant le texte de l'histoire."
    )
    size = 10 * 1_048_576 + 104_858  # 10.1 MB
    big = answer(await upload(emulator, alice, "gros.txt", b"x" * size, user_locale="fr"))
    assert big.content == (
        "⚠️ `gros.txt` fait 10,1 Mo ; la limite est de 10 Mo. "
        "Découpez l'histoire en parties, ou retirez les images de l'EPUB."
    ), big.content
    assert await repo(chapterbot).list_for_guild(emulator.guild.id) == []


async def test_a_french_author_publishes_and_diagnoses_in_french(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(emulator, chapterbot, alice, "three.md", THREE_CHAPTERS)
    doctor = await emulator.slash(alice, "doctor", story=str(story.id), user_locale="fr")
    assert "Aucun salon n'est défini. Utilisez `/parametres salon`" in (doctor.content or "")

    await repo(chapterbot).update_metadata(story.id, channel_id=general.id)
    result = await emulator.slash(
        alice, "publish", story=str(story.id), chapters=2, user_locale="fr"
    )
    summary = await finished(result)
    lines = summary.splitlines()
    assert len(lines) == 2, summary
    assert lines[0].startswith("✅ Chapitre 1 publié dans <#"), summary
    assert re.fullmatch(r"✅ Chapitre 2 publié dans <#\d+> \(\d+ pages?\)\.", lines[1])
    assert not ENGLISH_WORDS.findall(summary), summary
    # The progress line the author saw while the pages went out was French too.
    progress = [
        r.body.get("content") or ""
        for r in emulator.requests
        if r.method == "PATCH" and "/webhooks/" in r.path and isinstance(r.body, dict)
    ]
    assert any(re.fullmatch(r"Publication du chapitre 2 : (\d+)/\1", p) for p in progress), progress
    assert not any(p.startswith("Posting") for p in progress), progress

    report = (await emulator.slash(alice, "doctor", user_locale="fr")).content or ""
    assert f"<#{general.id}> est un salon textuel (mode : messages)." in report
    assert "Aucune programmation active : ajoutez-en une avec `/programmation ajouter`." in report
    assert not ENGLISH_WORDS.findall(report.replace("Three Small Chapters", "")), report


async def test_stats_speak_french_and_german(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=emulator.channel("general")
    )
    summary = await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    assert "✅" in summary

    texts = {}
    for locale in ("fr", "de"):
        result = await emulator.slash(alice, "stats", story=str(story.id), user_locale=locale)
        await result.final(timeout=30.0)
        reply = result.last
        assert reply is not None and reply.attachments, reply
        texts[locale] = reply.embeds[0]["description"]
    assert texts["fr"].startswith("Réactions : aucune pour l'instant · Commentaires reçus : 0")
    # Nobody read yet: French counts 0 in the singular, German in the plural.
    assert "**Chap. 1 — Dawn**: 0 lecteur · aucune réaction · 0 commentaire" in (texts["fr"])
    assert "abonnés : 0" in texts["fr"]
    assert texts["de"].startswith("Reaktionen: noch keine · Erhaltene Rückmeldungen: 0")
    assert "**Kap. 1 — Dawn**: 0 Lesende · keine Reaktionen · 0 Rückmeldungen" in (texts["de"])
    for text in texts.values():  # the chapter's title ("Dawn", its label apart) is story text
        assert not ENGLISH_WORDS.findall(text), text


async def test_a_german_author_gets_german_story_errors(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    story = await upload_story(emulator, chapterbot, alice, "three.md", THREE_CHAPTERS)
    refused = await emulator.slash(
        bob, "story edit", story=str(story.id), title="Mine", user_locale="de"
    )
    assert refused.ephemeral
    assert refused.content == (
        "⚠️ Nur die Autoren von „Three Small Chapters“ können sie ändern. "
        "Bitte den Besitzer, dich mit `/geschichte autoren hinzufuegen` hinzuzufügen."
    ), refused.content
    missing = await emulator.slash(
        alice, "story preview", story=str(story.id), chapter=9, user_locale="de"
    )
    assert (
        missing.content == "⚠️ „Three Small Chapters“ hat kein Kapitel 9. Sie hat die Kapitel 1–3."
    )
    big = answer(await upload(emulator, alice, "lang.md", long_story(), user_locale="de"))
    assert GERMAN_THOUSANDS.fullmatch(field(big, "Wörter")), field(big, "Wörter")
    assert big.embeds[0]["title"] == "📚 Hochgeladen: Long Tale"


def test_numbers_follow_each_language() -> None:
    assert number(12345, "fr") == "12\u202f345"
    assert number(12345, "de") == "12.345"
    assert number(12345, "pt-BR") == "12.345"
    assert number(12345.67, "de", decimals=1) == "12.345,7"
    assert number(12345) == "12,345"
