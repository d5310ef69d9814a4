"""Shared fixtures: a loopback HTTP server, isolated settings, no stray environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.config import PROJECT_DIR, PublicationSettings, Settings, load_profile, load_settings
from tests.fake_openai import MODEL, FakeOpenAI, fake_openai
from tests.servers import TestServer, serve

# The published digests live in ../shared/seeds beside the checkout (a worktree is one
# level deeper, so the nearest ancestor that has them is used).
SEEDS_DIR = next(
    (
        p / "shared" / "seeds"
        for p in Path(__file__).resolve().parents[1:]
        if (p / "shared" / "seeds").is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "seeds",
)
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROFILES = PROJECT_DIR / "profiles"
# The published digests' own publication (aicode.cc): their front matter and footer card.
AICODE: PublicationSettings = load_profile(PROFILES / "aicode.toml")
AICODE_CARD = (PROFILES / "aicode-footer.html").read_text(encoding="utf-8").rstrip("\n")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's keys, config or Prefect home."""
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "DIGEST_MODEL",
        "DIGEST_DATA_DIR",
        "DIGEST_PROVIDER",
        "DIGEST_TIMEZONE",
    ):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server for every flow test of the session (it is slow to start)."""
    from pipeline.prefect_env import configure

    configure(os.environ)
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def server() -> Iterator[TestServer]:
    """A started HTTP server on 127.0.0.1 with a request log."""
    yield from serve()


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    """The fake OpenAI-compatible API, configured through the environment as a user would."""
    with fake_openai() as fake:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("DIGEST_MODEL", MODEL)
        yield fake


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with data and output under tmp_path and loopback allowed."""
    return load_settings(
        env={},
        overrides={
            "data_dir": str(tmp_path / "data"),
            "output_dir": str(tmp_path / "output"),
            "network": {
                "allow_hosts": ["127.0.0.1"],
                "politeness_delay": 0,
                "connect_timeout": 2,
                "read_timeout": 2,
                "deadline": 5,
                "retries": 1,
            },
            "sources": [],
        },
    )
