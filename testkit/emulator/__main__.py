"""Standalone emulator: ``python -m testkit.emulator --port N [--time-scale 10] [--token T]``.

Prints its URLs as one JSON line on stdout and serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys

from .emulator import DEFAULT_TOKEN, DiscordEmulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m testkit.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--time-scale", type=float, default=1.0, help="shrink rate-limit windows")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--heartbeat-ms", type=int, default=41250)
    parser.add_argument("--no-rate-limits", action="store_true")
    parser.add_argument("--no-validation", action="store_true")
    parser.add_argument(
        "--privileged-intents", type=int, default=0, help="bitmask of allowed privileged intents"
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Run until a termination signal arrives."""
    emu = DiscordEmulator(
        token=args.token,
        host=args.host,
        port=args.port,
        time_scale=args.time_scale,
        heartbeat_interval_ms=args.heartbeat_ms,
        rate_limits=not args.no_rate_limits,
        validate=not args.no_validation,
        allowed_privileged_intents=args.privileged_intents,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await emu.start()
    print(json.dumps({**emu.urls(), "token": emu.token, "port": emu.port}), flush=True)
    try:
        await stop.wait()
    finally:
        await emu.stop()


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    asyncio.run(serve(parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
