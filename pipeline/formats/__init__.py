"""The output formats: the registry, written once. Each entry says how its format is made.

``FORMATS`` maps a format's name (the ``--format`` choice, the folder under ``output/``)
to its :class:`~pipeline.formats.registry.Format`. Adding a format means a module with
its writer and ``compose``, an entry below, and a template.
"""

from __future__ import annotations

from pipeline.formats import brief, daily, weekly
from pipeline.formats.registry import FORMATS, Composition, Format, get, register

for _format in (daily.FORMAT, weekly.FORMAT, brief.FORMAT):
    register(_format)

__all__ = ["FORMATS", "Composition", "Format", "get", "register"]
