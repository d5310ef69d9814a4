"""Settings: precedence flag > env > file > defaults, validation with readable errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import PROJECT_DIR, load_settings
from pipeline.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "digest.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_ship_26_real_feeds_in_both_languages() -> None:
    settings = load_settings(env={})
    langs = {s.lang for s in settings.sources}
    assert len(settings.sources) >= 20 and langs == {"zh", "en"}
    assert all(s.url.startswith("https://") for s in settings.sources)
    assert settings.timezone == "Asia/Shanghai" and settings.llm.api_key is None


def test_precedence_flag_over_env_over_file_over_defaults(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        'data_dir = "from-file"\n[llm]\nmodel = "file-model"\nbase_url = "http://file/v1"\n',
    )
    env = {"DIGEST_DATA_DIR": "from-env", "DIGEST_MODEL": "env-model"}
    settings = load_settings(config, env=env, overrides={"data_dir": "from-flag"})
    assert settings.data_dir == Path("from-flag")
    assert settings.llm.model == "env-model"
    assert settings.llm.base_url == "http://file/v1"
    assert settings.network.per_host == 2  # untouched default


def test_provider_preset_fills_base_url_and_model(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[llm]\nprovider = "qwen"\n'), env={})
    assert settings.llm.resolved_base_url.startswith("https://dashscope.aliyuncs.com/")
    assert settings.llm.resolved_model == "qwen-plus"


def test_configured_sources_replace_the_builtin_list(tmp_path: Path) -> None:
    config = write(tmp_path, '[[sources]]\nname = "A"\nurl = "https://a.example/feed"\n')
    assert [s.name for s in load_settings(config, env={}).sources] == ["A"]


def test_api_key_only_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(env={"OPENAI_API_KEY": "sk-env"})
    assert settings.llm.api_key is not None and settings.llm.api_key.get_secret_value() == "sk-env"
    assert "sk-env" not in settings.model_dump_json()
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        load_settings(write(tmp_path, '[llm]\napi_key = "sk-file"\n'), env={})


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("timezone = 'Mars/Olympus'\n", "timezone"),
        ("[network]\nper_host = 0\n", "network.per_host"),
        ("colour = 'blue'\n", "colour"),
        ("[llm\nmodel = 'x'\n", "cannot read config"),
    ],
)
def test_invalid_config_names_the_file_and_the_key(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), env={})
    assert words in str(caught.value) and "digest.toml" in str(caught.value)


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", env={})


def test_the_example_config_is_valid() -> None:
    settings = load_settings(PROJECT_DIR / "digest.example.toml", env={})
    assert settings.llm.provider == "deepseek" and len(settings.sources) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[network]\nallow_host = ['127.0.0.1']\n", "network.allow_host: unknown setting"),
        ("[llm]\nprovder = 'qwen'\n", "did you mean provider?"),
        ("[digest]\nmain_storys = 8\n", "did you mean main_stories?"),
        ("[prefect]\ntask_runer = 'dask'\n", "did you mean task_runner?"),
        ("timzone = 'UTC'\n", "did you mean timezone?"),
        ("[[sources]]\nname = 'A'\nurll = 'https://a.example/feed'\n", "did you mean url?"),
        (
            "[[digest.sections]]\nkey = 'a'\ntitel = 'A'\n",
            "digest.sections #1.titel: unknown setting 'titel'; did you mean title?",
        ),
    ],
)
def test_unknown_key_in_any_table_is_refused_with_the_nearest_name(
    tmp_path: Path, text: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), env={})
    assert expected in str(caught.value)


def test_unknown_key_without_a_near_name_lists_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, "[prefect]\nzzz = 1\n"), env={})
    assert "unknown setting 'zzz'; valid: task_runner, max_workers" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ftp://ftp.example.com/feed.xml", "not 'ftp'"),
        ("file:///etc/passwd", "not 'file'"),
        ("feeds.example.com/rss", "not 'none'"),
        ("https:///rss", "names no host"),
    ],
)
def test_a_source_url_must_be_http_or_https(tmp_path: Path, url: str, expected: str) -> None:
    text = f"[[sources]]\nname = 'A'\nurl = '{url}'\n"
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), env={})
    assert "sources #1.url: " in str(caught.value) and expected in str(caught.value)
