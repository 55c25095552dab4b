"""chapterbot: serialize stories into Discord communities."""

__version__ = "0.1.0"
