"""Unit tests for the emulator's Discord-like rate limiter (fake clock, no sleeping)."""

from __future__ import annotations

import time

import pytest

from testkit.emulator.ratelimit import RateDecision, RateLimiter, route_of

MESSAGES = "/channels/100/messages"


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        """Start at an arbitrary non-zero time."""
        self.now = 1000.0

    def __call__(self) -> float:
        """The current fake time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    """A fresh fake clock."""
    return FakeClock()


@pytest.fixture
def limiter(clock: FakeClock) -> RateLimiter:
    """A real-time-scale limiter on the fake clock."""
    return RateLimiter(clock=clock)


def send(limiter: RateLimiter, times: int, path: str = MESSAGES) -> list[RateDecision]:
    """``times`` message creates on ``path``."""
    return [limiter.check("POST", path) for _ in range(times)]


def test_remaining_counts_down_within_the_window(limiter: RateLimiter) -> None:
    decisions = send(limiter, 5)
    assert all(d.allowed for d in decisions)
    assert [d.headers["X-RateLimit-Remaining"] for d in decisions] == ["4", "3", "2", "1", "0"]
    first = decisions[0].headers
    assert first["X-RateLimit-Limit"] == "5"
    assert float(first["X-RateLimit-Reset-After"]) == 5.0
    assert abs(float(first["X-RateLimit-Reset"]) - (time.time() + 5.0)) < 1.0
    assert len({d.headers["X-RateLimit-Bucket"] for d in decisions}) == 1


def test_sixth_message_in_five_seconds_is_limited(limiter: RateLimiter, clock: FakeClock) -> None:
    send(limiter, 5)
    clock.advance(2.0)
    denied = limiter.check("POST", MESSAGES)
    assert not denied.allowed
    assert denied.retry_after == pytest.approx(3.0)
    assert denied.scope == "user" and not denied.is_global
    assert denied.headers["X-RateLimit-Remaining"] == "0"
    assert denied.headers["X-RateLimit-Scope"] == "user"
    body, headers = limiter.response_429(denied)
    assert body == {
        "message": "You are being rate limited.",
        "retry_after": pytest.approx(3.0),
        "global": False,
        "code": 0,
    }
    assert headers["Via"] == "1.1 google"  # without it discord.py assumes a Cloudflare ban
    assert headers["Retry-After"] == "3"
    assert float(headers["X-RateLimit-Reset-After"]) == pytest.approx(3.0)
    assert limiter.counts == {"total": 1, "POST /channels/{channel_id}/messages": 1}


def test_window_resets_at_its_end(limiter: RateLimiter, clock: FakeClock) -> None:
    send(limiter, 5)
    clock.advance(4.999)
    assert not limiter.check("POST", MESSAGES).allowed
    clock.advance(0.001)
    again = limiter.check("POST", MESSAGES)
    assert again.allowed and again.headers["X-RateLimit-Remaining"] == "4"


def test_denied_requests_do_not_use_up_the_next_window(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    send(limiter, 8)
    clock.advance(5.0)
    assert all(d.allowed for d in send(limiter, 5))


def test_other_channels_have_their_own_bucket(limiter: RateLimiter) -> None:
    send(limiter, 5)
    other = limiter.check("POST", "/channels/200/messages")
    assert other.allowed and other.headers["X-RateLimit-Remaining"] == "4"
    # Discord's bucket hash names the route, not the channel; discord.py adds the channel.
    assert other.headers["X-RateLimit-Bucket"] == send(limiter, 1)[0].headers["X-RateLimit-Bucket"]


def test_51st_request_within_a_second_hits_the_global_limit(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    # Spread over many channels so no per-route bucket is exhausted first.
    for i in range(50):
        assert limiter.check("GET", f"/channels/{i}/messages/1").allowed
    clock.advance(0.5)
    denied = limiter.check("GET", "/channels/999/messages/1")
    assert not denied.allowed and denied.is_global and denied.scope == "global"
    assert denied.retry_after == pytest.approx(0.5)
    body, headers = limiter.response_429(denied)
    assert body["global"] is True
    assert headers["X-RateLimit-Global"] == "true"
    assert headers["X-RateLimit-Scope"] == "global"
    assert headers["Via"] == "1.1 google"
    assert limiter.counts["global"] == 1
    clock.advance(0.5)
    assert limiter.check("GET", "/channels/999/messages/1").allowed


def test_interaction_callbacks_are_exempt_from_the_global_limit(limiter: RateLimiter) -> None:
    for i in range(50):
        limiter.check("GET", f"/guilds/{i}")
    callback = limiter.check("POST", "/interactions/1/tok/callback", exempt_global=True)
    followup = limiter.check("POST", "/webhooks/7/tok", exempt_global=True)
    assert callback.allowed and followup.allowed
    assert not limiter.check("GET", "/guilds/9999").allowed


def test_time_scale_shrinks_windows_and_headers(clock: FakeClock) -> None:
    limiter = RateLimiter(time_scale=10.0, clock=clock)
    first = send(limiter, 5)[0]
    assert float(first.headers["X-RateLimit-Reset-After"]) == pytest.approx(0.5)
    denied = limiter.check("POST", MESSAGES)
    assert not denied.allowed and denied.retry_after == pytest.approx(0.5)
    clock.advance(0.5)
    assert limiter.check("POST", MESSAGES).allowed


def test_time_scale_shrinks_the_global_window(clock: FakeClock) -> None:
    limiter = RateLimiter(time_scale=4.0, clock=clock)
    for i in range(50):
        limiter.check("GET", f"/guilds/{i}")
    assert limiter.check("GET", "/guilds/x").retry_after == pytest.approx(0.25)
    clock.advance(0.25)
    assert limiter.check("GET", "/guilds/x").allowed


def test_reactions_share_one_quarter_second_bucket_per_channel(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    add = "/channels/1/messages/2/reactions/%F0%9F%91%8D/@me"
    assert limiter.check("PUT", add).allowed
    denied = limiter.check("DELETE", add)
    assert not denied.allowed and denied.retry_after == pytest.approx(0.25)
    assert limiter.check("PUT", "/channels/3/messages/2/reactions/x/@me").allowed
    clock.advance(0.25)
    assert limiter.check("DELETE", "/channels/1/messages/2/reactions/x:5/42").allowed


def test_crossposts_are_limited_to_ten_per_hour(limiter: RateLimiter, clock: FakeClock) -> None:
    path = "/channels/1/messages/{}/crosspost"
    assert all(limiter.check("POST", path.format(i)).allowed for i in range(10))
    clock.advance(60.0)
    denied = limiter.check("POST", path.format(11))
    assert not denied.allowed and denied.retry_after == pytest.approx(3540.0)
    assert limiter.check("POST", "/channels/2/messages/1/crosspost").allowed
    clock.advance(3540.0)
    assert limiter.check("POST", path.format(12)).allowed


def test_forced_429_on_a_matching_route(limiter: RateLimiter) -> None:
    limiter.force(path_pattern=r"/channels/\d+/messages", times=2, retry_after=2.5)
    assert limiter.check("GET", "/users/@me").allowed  # not matching: untouched
    first, second = send(limiter, 2)
    assert not first.allowed and not second.allowed
    assert first.retry_after == pytest.approx(2.5) and not first.is_global
    assert first.headers["X-RateLimit-Scope"] == "user"
    assert limiter.response_429(first)[1]["Via"] == "1.1 google"
    third = limiter.check("POST", MESSAGES)
    assert third.allowed and third.headers["X-RateLimit-Remaining"] == "4"  # forced ones are free
    assert limiter.counts["total"] == 2


def test_forced_global_429_matches_method_and_path(limiter: RateLimiter) -> None:
    limiter.force(path_pattern=r"POST /channels/.*", is_global=True)
    assert limiter.check("GET", MESSAGES).allowed
    denied = limiter.check("POST", MESSAGES)
    assert not denied.allowed and denied.is_global
    assert limiter.response_429(denied)[0]["global"] is True


def test_forced_429s_are_scaled_and_work_when_disabled(clock: FakeClock) -> None:
    limiter = RateLimiter(time_scale=10.0, clock=clock, enabled=False)
    assert all(d.allowed and d.headers == {} for d in send(limiter, 20))
    limiter.force(retry_after=3.0)
    denied = limiter.check("GET", "/gateway/bot")
    assert not denied.allowed and denied.retry_after == pytest.approx(0.3)
    assert limiter.check("GET", "/gateway/bot").allowed


def test_route_templates_and_major_parameters() -> None:
    assert route_of("/webhooks/1/abc/messages/@original") == (
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
        {"webhook_id": "1", "webhook_token": "abc"},
    )
    assert route_of("/channels/5/messages/6/reactions/a:7/8")[0] == (
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user_id}"
    )
    assert route_of("/users/@me")[0] == "/users/@me"


def test_rejects_a_non_positive_time_scale() -> None:
    with pytest.raises(ValueError):
        RateLimiter(time_scale=0)
