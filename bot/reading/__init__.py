"""Reading: where each reader is, and the pages they may read next (discord-free)."""
