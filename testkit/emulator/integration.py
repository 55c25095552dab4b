"""Loads the request validator and rate limiter (tests/emulator/validation.py, ratelimit.py).

Those modules are written separately; if one is missing the emulator still runs, with a warning,
so that work on either side is not blocked by the other.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Protocol


class Validator(Protocol):
    """What the server needs from ``validation.RequestValidator``."""

    def validate(
        self, method: str, path: str, body: Any, *, query: Any = None, files: Any = ()
    ) -> list[str]: ...


class _NoValidator:
    def validate(
        self, method: str, path: str, body: Any, *, query: Any = None, files: Any = ()
    ) -> list[str]:
        return []


def make_validator(enabled: bool, spec_path: Path | None) -> Validator:
    """A RequestValidator for the spec (default path when None), or a no-op when disabled."""
    if not enabled:
        return _NoValidator()
    try:
        from .validation import RequestValidator, default_spec_path
    except ImportError as exc:  # pragma: no cover - only while validation.py is unwritten
        warnings.warn(f"request validation unavailable: {exc}", stacklevel=2)
        return _NoValidator()
    return RequestValidator(spec_path if spec_path is not None else default_spec_path())


def error_body(violations: list[str]) -> dict[str, Any]:
    """Discord's 50035 Invalid Form Body for ``violations``."""
    try:
        from .validation import discord_error_body
    except ImportError:  # pragma: no cover
        return {"code": 50035, "message": "Invalid Form Body", "errors": {"_errors": violations}}
    return discord_error_body(violations)


def make_limiter(enabled: bool, time_scale: float) -> Any | None:
    """A RateLimiter (disabled: only forced 429s), or None if ratelimit.py is missing."""
    try:
        from .ratelimit import RateLimiter
    except ImportError as exc:  # pragma: no cover
        warnings.warn(f"rate limiting unavailable: {exc}", stacklevel=2)
        return None
    return RateLimiter(time_scale=time_scale, enabled=enabled)
