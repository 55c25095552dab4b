"""Tests for this part of chapterbot."""
