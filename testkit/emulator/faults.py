"""Per-test fault injection for REST routes: forced errors, latency, 429s and lost responses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol


class _Limiter(Protocol):
    def force(
        self,
        *,
        path_pattern: str | None = None,
        is_global: bool = False,
        times: int = 1,
        retry_after: float = 1.0,
    ) -> None: ...


@dataclass
class FaultRule:
    """A rule matching requests by method and a regex that must match the whole API path."""

    kind: str
    method: str | None
    path: re.Pattern[str] | None
    times: int | None
    status: int = 500
    seconds: float = 0.0
    used: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether the rule applies to this request and still has uses left."""
        if self.times is not None and self.used >= self.times:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path.fullmatch(path) is not None


def _compile(path: str | None) -> re.Pattern[str] | None:
    return re.compile(path) if path is not None else None


class FaultInjector:
    """Holds active fault rules; the server consults it for every REST request."""

    def __init__(self, limiter: _Limiter | None = None) -> None:
        self.rules: list[FaultRule] = []
        self._limiter = limiter

    def fail(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int = 503,
        times: int | None = 1,
    ) -> FaultRule:
        """Answer the next ``times`` matching requests with ``status`` (500/502/503/...)."""
        return self._add(FaultRule("fail", method, _compile(path), times, status=status))

    def delay(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        seconds: float,
        times: int | None = None,
    ) -> FaultRule:
        """Add ``seconds`` of latency before answering matching requests."""
        return self._add(FaultRule("delay", method, _compile(path), times, seconds=seconds))

    def lose_response(
        self, method: str = "POST", path: str | None = None, times: int = 1
    ) -> FaultRule:
        """Carry out matching requests, then drop the connection instead of answering."""
        return self._add(FaultRule("lose", method, _compile(path), times))

    def rate_limit(
        self,
        *,
        path: str | None = None,
        is_global: bool = False,
        times: int = 1,
        retry_after: float = 1.0,
    ) -> None:
        """Force ``times`` 429 answers (route-scoped or global) through the rate limiter."""
        if self._limiter is None:
            raise RuntimeError("rate limiting is disabled in this emulator")
        self._limiter.force(
            path_pattern=path, is_global=is_global, times=times, retry_after=retry_after
        )

    def clear(self) -> None:
        """Remove every rule."""
        self.rules.clear()

    def take(self, kind: str, method: str, path: str) -> FaultRule | None:
        """Consume and return the first matching rule of ``kind``, if any."""
        for rule in self.rules:
            if rule.kind == kind and rule.matches(method, path):
                rule.used += 1
                return rule
        return None

    def apply(self, spec: dict[str, Any]) -> None:
        """Install a rule from JSON (control API): {"kind": "fail"|"delay"|"lose"|"429", ...}."""
        kind = spec.get("kind", "fail")
        method, path, times = spec.get("method"), spec.get("path"), spec.get("times", 1)
        if kind == "fail":
            self.fail(method=method, path=path, status=int(spec.get("status", 503)), times=times)
        elif kind == "delay":
            self.delay(method=method, path=path, seconds=float(spec["seconds"]), times=times)
        elif kind == "lose":
            self.lose_response(method or "POST", path, times or 1)
        elif kind == "429":
            self.rate_limit(
                path=path,
                is_global=bool(spec.get("global", False)),
                times=times or 1,
                retry_after=float(spec.get("retry_after", 1.0)),
            )
        else:
            raise ValueError(f"unknown fault kind {kind!r}")

    def _add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule
