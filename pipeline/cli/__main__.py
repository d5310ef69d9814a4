"""``python -m pipeline.cli``: the ``digest`` command."""

from pipeline.cli.app import app

app()
