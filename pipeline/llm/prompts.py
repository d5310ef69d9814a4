"""The prompt templates of ``prompts/``: rendering them and hashing what each kind uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from pipeline.store.files import sha256_text

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


class Prompts:
    """The Jinja2 prompt templates of ``prompts/`` and their content hashes."""

    def __init__(self, directory: Path = PROMPTS_DIR) -> None:
        self.directory = directory
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # plain-text prompts, not HTML; data is escaped by the writer
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, name: str, **variables: Any) -> str:
        """Render one template."""
        return self.env.get_template(name).render(**variables).strip()

    def example(self, kind: str) -> str:
        """The example answer shown in the prompt when the endpoint cannot enforce a schema."""
        path = self.directory / f"{kind}.example.json"
        return path.read_text("utf-8").strip() if path.is_file() else "{}"

    def version(self, kind: str) -> str:
        """Hash of every prompt file a kind uses (its own, shared partials, repair)."""
        names = sorted(p.name for p in self.directory.iterdir() if p.is_file())
        used = [n for n in names if n.startswith((f"{kind}.", "_", "format.", "repair."))]
        return sha256_text("".join(n + (self.directory / n).read_text("utf-8") for n in used))[:16]
