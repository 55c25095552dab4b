"""Feedback: reactions and private notes on posted pages, statistics, charts and digests."""
