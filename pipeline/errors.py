"""The pipeline's exception tree, in one place.

Stages classify (``retryable`` or permanent), the flow decides (retry, skip,
degrade), the CLI presents (``Error: <what failed>, <what to do>``).

DigestError
├── ConfigError            bad or missing configuration (permanent)
│   └── MissingAPIKeyError no OPENAI_API_KEY in the environment
├── FetchError             a feed or page could not be fetched
│   ├── UnsafeURLError     scheme or host refused by the URL policy (permanent)
│   └── ResponseTooLargeError
├── ExtractError           a page gave no usable text
├── LLMError               the LLM call failed or answered garbage
│   └── QuotaError         insufficient quota / payment required (permanent, fail fast)
├── RunLockedError         another run holds the lock for this date and format
├── UnsafePathError        a lock, state or draft file is a symbolic link (never followed)
├── CoverError             no cover image: no usable font, or a glyph it lacks (permanent)
└── NoDraftError           nothing could be written
"""

from __future__ import annotations


class DigestError(Exception):
    """Base of every error the pipeline raises on purpose."""

    retryable: bool = False

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable


class ConfigError(DigestError):
    """The configuration is invalid or incomplete."""


class MissingAPIKeyError(ConfigError):
    """No API key for the LLM endpoint."""


class FetchError(DigestError):
    """A feed or page could not be fetched."""


class UnsafeURLError(FetchError):
    """The URL's scheme or host is refused by the network policy."""


class ResponseTooLargeError(FetchError):
    """The response exceeded the configured size cap."""


class ExtractError(DigestError):
    """A page gave no usable text."""


class LLMError(DigestError):
    """An LLM call failed, timed out or answered something unusable."""


class QuotaError(LLMError):
    """The provider refuses for quota or billing reasons: retrying cannot help."""


class RunLockedError(DigestError):
    """Another run holds the lock for the same date and format."""


class UnsafePathError(DigestError):
    """A lock, state or draft file is a symbolic link or not a regular file: never followed."""


class CoverError(DigestError):
    """A cover image could not be drawn (no font with the glyphs, unwritable file)."""


class NoDraftError(DigestError):
    """The run could not write a draft at all."""
