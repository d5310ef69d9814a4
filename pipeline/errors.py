"""The pipeline's exception tree, in one place.

Stages classify (``retryable`` or permanent), the flow decides (retry, skip,
degrade), the CLI presents (``Error: <what failed>, <what to do>``). ``retryable`` is
the class default below; a stage may decide per error (an HTTP 503 is retryable, a
404 is not).

DigestError                          retryable?
├── ConfigError                      no   bad or missing configuration
│   └── MissingAPIKeyError           no   no OPENAI_API_KEY in the environment
├── FetchError                       per error: a feed or page could not be fetched
│   ├── UnsafeURLError               no   scheme or host refused by the URL policy
│   └── ResponseTooLargeError        no   over the size cap
├── ExtractError                     no   a page gave no usable text
├── BoundExceededError               no   extraction overran its time or memory bound
├── LLMError                         per error: the LLM call failed or answered garbage
│   ├── DroppedError                 yes  the connection broke in the middle of an answer
│   └── QuotaError                   no   quota or billing: fail fast, no further calls
├── RunLockedError                   no   another run holds the lock for this date and format
├── UnsafePathError                  no   a lock, state or draft file is a symbolic link
├── CoverError                       no   no cover image: no usable font, or a glyph it lacks
├── NoDraftError                     no   nothing could be written
│   └── NoDraft                      no   a run that ended without a draft, with its summary
└── ReviewError                      no   the review page refused an editor's request
    ├── EditError                    no   an action that does not apply (stale address)
    ├── ConflictError                no   the file changed on disk since the page read it
    └── FormError                    no   a malformed, oversized or cross-origin request

Two signals are not DigestErrors on purpose: ``store.files.PublishInterruptedError`` is
an ``OSError`` (a rename failed half-way; ``publish.drafts`` turns it into NoDraftError)
and ``llm.structured.Unusable`` is a ``ValueError`` (an answer to ask again about; the
client turns it into LLMError). Neither leaves its stage.
"""

from __future__ import annotations

from typing import Any


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


class BoundExceededError(DigestError):
    """A bounded call overran its time limit, ran out of memory, or killed its process."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


class LLMError(DigestError):
    """An LLM call failed, timed out or answered something unusable."""


class DroppedError(LLMError):
    """The connection broke in the middle of an answer: worth asking again."""

    retryable = True


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


class NoDraft(NoDraftError):
    """The run wrote no draft; ``summary`` is its report (the record on disk says why).

    It travels as the data of Prefect's Failed state, so it pickles with its summary.
    """

    def __init__(self, message: str, summary: dict[str, Any]) -> None:
        super().__init__(message)
        self.summary = summary

    def __reduce__(self) -> tuple[type[NoDraft], tuple[str, dict[str, Any]]]:
        return (NoDraft, (str(self), self.summary))


class ReviewError(DigestError):
    """The review page refused an editor's request."""


class EditError(ReviewError):
    """An action that cannot apply to the document (a stale or wrong address)."""


class ConflictError(ReviewError):
    """The file changed on disk since the editor opened it; ``disk_text`` is what is there."""

    def __init__(self, message: str, disk_text: str) -> None:
        super().__init__(message)
        self.disk_text = disk_text


class FormError(ReviewError):
    """A write request that is malformed, too large or not from the page."""
