"""The `UserError` family: problems a user can fix, shown to them as a plain explanation.

The message and hint are English message ids with `{named}` placeholders filled from `params`
(a message that depends on a count gives its `plural` id too, and the count as `params["n"]`;
a parameter with a `localized(locale)` method, such as a month name, is shown in the reader's
language); the cog's error handler renders them in the user's language (`render`), the domain stays
discord-free and language-free.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class Translates(Protocol):
    """What rendering needs: `bot.i18n.Speaker.gettext`."""

    def gettext(self, message: str, /, **params: object) -> str:
        """The translation of `message` with its placeholders filled."""
        ...

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        """The plural form for `n`, placeholders (and `{n}`) filled."""
        ...


class UserError(Exception):
    """An error caused by user input or setup; its message is safe and useful to show as-is."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        params: Mapping[str, object] | None = None,
        plural: str | None = None,
    ) -> None:
        self.message_id = message
        self.plural_id = plural
        self.hint_id = hint
        self.params = dict(params or {})
        english = plural if plural is not None and self.params.get("n") != 1 else message
        self.message = english.format(**self.params) if self.params else english
        self.hint = hint.format(**self.params) if hint and self.params else hint
        super().__init__(self.message)

    def params_in(self, speaker: Translates) -> dict[str, object]:
        """The parameters as `speaker`'s language shows them (English: as given)."""
        locale = getattr(speaker, "locale", None)
        return {
            key: value.localized(locale) if locale and hasattr(value, "localized") else value
            for key, value in self.params.items()
        }

    def render(self, speaker: Translates) -> str:
        """The message and hint in `speaker`'s language, placeholders filled."""
        params = self.params_in(speaker)
        if self.plural_id is not None:
            counted = {k: v for k, v in params.items() if k != "n"}
            n = int(self.params["n"])  # type: ignore[call-overload]
            text = speaker.ngettext(self.message_id, self.plural_id, n, **counted)
        else:
            text = speaker.gettext(self.message_id, **params)
        if self.hint_id:
            text += " " + speaker.gettext(self.hint_id, **params)
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
