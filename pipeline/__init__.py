"""AI 日报: a nightly pipeline that writes a Chinese AI-news digest for editors to review."""

__version__ = "0.1.0"
