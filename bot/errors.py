"""The `UserError` family: problems a user can fix, shown to them as a plain explanation."""

from __future__ import annotations


class UserError(Exception):
    """An error caused by user input or setup; its message is safe and useful to show as-is."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

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
