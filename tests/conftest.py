"""Shared fixtures: a loopback HTTP server, isolated settings, no stray environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import PROJECT_DIR, PublicationSettings, Settings, load_profile, load_settings
from tests.fake_openai import MODEL, FakeOpenAI, fake_openai
from tests.servers import TestServer, serve

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO_DIR = Path(__file__).resolve().parents[1]
NO_SEEDS = "the published seeds (shared/seeds beside the clone, or DIGEST_SEEDS_DIR) are absent"


def find_seeds() -> Path | None:
    """The published digests: $DIGEST_SEEDS_DIR, else shared/seeds beside the clone or above it.

    They exist only in the team's workspace, not in a clone: tests that read them are
    skipped without them, and the project's own fixtures cover every format.
    """
    chosen = os.environ.get("DIGEST_SEEDS_DIR")
    if chosen:
        return Path(chosen) if Path(chosen).is_dir() else None
    for folder in REPO_DIR.parents:
        if (folder / "shared" / "seeds").is_dir():
            return folder / "shared" / "seeds"
    return None


SEEDS_DIR = find_seeds()
SEEDS: list[Path] = sorted(SEEDS_DIR.glob("*.txt")) if SEEDS_DIR else []
requires_seeds = pytest.mark.skipif(not SEEDS, reason=NO_SEEDS)


def seed_params() -> list[Any]:
    """The seeds as parameters, or one skipped parameter saying why there are none."""
    if SEEDS:
        return list(SEEDS)
    return [pytest.param(None, marks=pytest.mark.skip(reason=NO_SEEDS), id="no-seeds")]


def seed_text(prefix: str) -> str:
    """The text of the seed whose name starts with prefix (``002``); skip the test without it."""
    path = next((p for p in SEEDS if p.name.startswith(prefix)), None)
    if path is None:
        pytest.skip(NO_SEEDS)
    return path.read_text(encoding="utf-8")


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
    from pipeline.flows.prefect_env import configure

    configure(os.environ)
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real Prefect server (scheduler on, as `prefect server start`) for end-to-end tests."""
    from pipeline.flows.prefect_server import prefect_server
    from tests.procs import free_port

    home = tmp_path_factory.mktemp("prefect-server")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    environ["PREFECT_HOME"] = str(home)
    with prefect_server(environ, home, port=free_port()) as url:
        yield url
        drain_prefect_workers()  # before the server stops, or the exit waits on dead sends


def drain_prefect_workers() -> None:
    """Send what Prefect's in-process event and log workers still hold, while servers are up."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    EventsWorker.drain_all(timeout=30)
    APILogWorker.drain_all(timeout=30)


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
