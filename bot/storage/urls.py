"""Database URLs: which backend a `DATABASE_URL` names, and how to show one without its password."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
POSTGRES_SCHEMES = ("postgresql", "postgres")


def url_scheme(url: str) -> str | None:
    """The lower-cased scheme of a URL, or None for a plain path."""
    match = _SCHEME.match(url.strip())
    return None if match is None else match.group(1).lower()


def backend_module_for(url: str) -> str:
    """The module (`bot.storage.<backend>`) that opens `url`; SQLite for paths and sqlite URLs."""
    scheme = url_scheme(url)
    if scheme is not None and (scheme in POSTGRES_SCHEMES or scheme.startswith("postgresql+")):
        return "bot.storage.postgres"
    return "bot.storage.sqlite"


def mask_password(url: str) -> str:
    """`url` with any password replaced by `***`, safe to log or print."""
    if url_scheme(url) is None:
        return url
    try:
        parts = urlsplit(url.strip())
        password = parts.password
    except ValueError:
        # Unparseable: show only the scheme rather than risk echoing a secret.
        return f"{url_scheme(url)}://***"
    if password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port is not None else ""
    netloc = f"{parts.username or ''}:***@{host}{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
