"""Shared fixtures: a loopback HTTP server, isolated settings, no stray environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.config import Settings, load_settings
from tests.fake_openai import MODEL, FakeOpenAI, fake_openai
from tests.servers import TestServer, serve

SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real Prefect server (scheduler on, as `prefect server start`) for end-to-end tests."""
    from pipeline.prefect_server import prefect_server
    from tests.procs import free_port

    home = tmp_path_factory.mktemp("prefect-server")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    environ["PREFECT_HOME"] = str(home)
    with prefect_server(environ, home, port=free_port()) as url:
        yield url


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
