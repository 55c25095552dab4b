"""Test support shared by `tests/` and `bench/`: the Discord emulator, bot processes, clocks."""
