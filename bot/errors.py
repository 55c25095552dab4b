"""The `UserError` family: problems a user can fix, shown to them as a plain explanation.

The message and hint are English message ids with `{named}` placeholders filled from `params`;
the cog's error handler renders them in the user's language (`render`), the domain stays
discord-free and language-free. A message that counts something gives its `plural` id and the
count as `params["n"]` (rendered with the language's plural rules); numbers meant to be read
go in as `bot.i18n.Quantity`, so each language writes them with its own separators (any
parameter with a `localized(locale)` method, such as a month name, is shown in the reader's
language); `terms` names the params that are message ids themselves (a rating, a channel mode),
translated too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class Translates(Protocol):
    """What rendering needs: `bot.i18n.Speaker.gettext` (and `ngettext` for counts)."""

    def gettext(self, message: str, /, **params: object) -> str:
        """The translation of `message` with its placeholders filled."""
        ...

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        """The plural form of a message for `n`, placeholders filled."""
        ...


class _English:
    """The source language: message ids as they are, counts with English separators."""

    def gettext(self, message: str, /, **params: object) -> str:
        """`message` with its placeholders filled."""
        return message.format(**params) if params else message

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        """The English singular or plural, `{n}` written `1,234`."""
        return (singular if n == 1 else plural).format(n=f"{n:,}", **params)


class UserError(Exception):
    """An error caused by user input or setup; its message is safe and useful to show as-is."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        params: Mapping[str, object] | None = None,
        plural: str | None = None,
        terms: tuple[str, ...] = (),
    ) -> None:
        self.message_id = message
        self.plural_id = plural
        self.terms = terms
        self.hint_id = hint
        self.params = dict(params or {})
        english = _English()
        self.message = self._message(english)
        self.hint = english.gettext(hint, **self._params(english)) if hint else hint
        super().__init__(self.message)

    def _params(self, speaker: Translates) -> dict[str, object]:
        locale = getattr(speaker, "locale", None)
        shown: dict[str, object] = {}
        for name, value in self.params.items():
            if name in self.terms and isinstance(value, str):
                value = speaker.gettext(value)
            elif locale and hasattr(value, "localized"):
                value = value.localized(locale)
            shown[name] = value
        return shown

    def params_in(self, speaker: Translates) -> dict[str, object]:
        """The parameters as `speaker`'s language shows them (English: as given)."""
        return self._params(speaker)

    def _message(self, speaker: Translates) -> str:
        params = self._params(speaker)
        if self.plural_id is None:
            return speaker.gettext(self.message_id, **params)
        n = int(params.pop("n"))  # type: ignore[call-overload]
        return speaker.ngettext(self.message_id, self.plural_id, n, **params)

    def render(self, speaker: Translates) -> str:
        """The message and hint in `speaker`'s language, placeholders filled."""
        text = self._message(speaker)
        if self.hint_id:
            text += " " + speaker.gettext(self.hint_id, **self._params(speaker))
        return text

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class ImportRefused(UserError):
    """An uploaded file could not be turned into a story (empty, binary, corrupt, too large...)."""


class NotFound(UserError):
    """Something the user named (a story, a chapter, a schedule) does not exist."""


class NotAllowed(UserError):
    """The user lacks the role or permission the action needs."""


class InvalidInput(UserError):
    """A value the user typed could not be understood (a time, a zone, a number...)."""


class ConfigError(UserError):
    """A setting in the environment or `.env` is missing or malformed."""
