"""The publish step, the same for every format: a rendered draft and its record onto disk.

"Publish" means only this: write the draft and its record editor-safely
(:func:`pipeline.publish.drafts.write_draft`), remember which stories it carried (the
no-repeat memory) and the run, lint the text, and sum the run up with its exit code.
"""

from __future__ import annotations

from pipeline.config import PublicationSettings
from pipeline.markdown.document import Format as DocumentKind
from pipeline.markdown.lint import lint_text
from pipeline.models import EXIT_CLEAN, EXIT_PROBLEMS, RenderedDraft, RunSummary, Target
from pipeline.publish.drafts import write_draft
from pipeline.publish.record import reasons
from pipeline.store.archive import Archive


def publish_draft(
    archive: Archive,
    publication: PublicationSettings,
    target: Target,
    rendered: RenderedDraft,
    document: DocumentKind | None = None,
) -> RunSummary:
    """Write the draft editor-safely, remember it, lint it; the run's summary and exit code."""
    record, fmt = rendered.record, rendered.record.format
    final = write_draft(target, rendered.markdown, record)
    archive.record_covered(record.date, fmt, rendered.covered)
    archive.record_run(record.date, fmt, final.model_dump_json())
    problems = lint_errors(rendered.markdown, document, publication)
    troubled = record.failures or problems or record.stats.get("degraded")
    return RunSummary(
        date=record.date,
        format=fmt,
        draft=str(target.markdown),
        record=str(target.record),
        note="; ".join(n for n in (target.note, rendered.note) if n) or None,
        stats=final.stats,
        dropped=reasons(list(record.dropped)),
        failures=record.failures,
        problems=problems,
        exit_code=EXIT_PROBLEMS if troubled else EXIT_CLEAN,
    )


def lint_errors(
    markdown: str, document: DocumentKind | None, publication: PublicationSettings
) -> list[str]:
    """The lint errors of a draft, as ``line: message``."""
    found = lint_text(markdown, document, publication)
    return [f"{p.line}: {p.message}" for p in found if p.severity == "error"]
