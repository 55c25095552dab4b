"""Logging set-up: one format, discord.py's handlers, and a filter that keeps secrets out."""

from __future__ import annotations

import logging


class RedactSecrets(logging.Filter):
    """Replace every occurrence of the given secrets in log records with `[redacted]`.

    discord.py never logs the token itself, but tracebacks of failed requests and our own
    messages could; redacting at the handler keeps the guarantee in one place.
    """

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message (and traceback text) without the secrets."""
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        cleaned = self._redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        return True

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text


def setup_logging(level: int, *secrets: str) -> None:
    """Log to stderr at `level` through a handler that redacts `secrets`."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-8s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    handler.addFilter(RedactSecrets(*secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # discord.py's gateway chatter at DEBUG drowns everything else.
    logging.getLogger("discord.gateway").setLevel(max(level, logging.INFO))
