"""Settings: precedence flag > env > file > defaults, validation with readable errors."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from pipeline.config import PROJECT_DIR, load_profile, load_settings
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


# --- the publication profile (issue 19) ------------------------------------------------

OTHER = Path(__file__).resolve().parent / "fixtures" / "profiles"


def test_a_fresh_install_carries_no_other_publications_identity() -> None:
    """No footer, no cover and none of the seeds' publication (aicode.cc) in the defaults."""
    publication = load_settings(env={}).publication
    assert publication.footer is None and publication.footer_text(dt.date(2026, 2, 7)) is None
    assert publication.cover.policy == "none" and publication.image_base == ""
    dumped = publication.model_dump_json()
    assert not any(s in dumped for s in ("aicode", "t.me", "telegram", "最新 AI 咨询"))


def test_a_profile_file_is_extended_by_the_config(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        f'[publication]\nprofile = "{OTHER / "other.toml"}"\ncategory = "AI 晚报"\n'
        "[publication.cover]\nheight = 500\n",
    )
    publication = load_settings(config, env={}).publication
    assert (publication.name, publication.category) == ("机器之眼 AI 早报", "AI 晚报")
    assert (publication.cover.width, publication.cover.height) == (800, 500)
    assert publication.footer == OTHER / "other-footer.md"  # relative to the profile file
    assert publication.image_base == "https://img.example.org/digest/"  # a base ends with /


def test_relative_paths_are_relative_to_the_file_naming_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "footer.md").write_text("*{{ publication.name }}*\n", encoding="utf-8")
    config = tmp_path / "site" / "digest.toml"
    config.write_text('[publication]\nname = "早报"\nfooter = "footer.md"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # not the config's folder
    publication = load_settings(config, env={}).publication
    assert publication.footer_text(dt.date(2026, 2, 7)) == "*早报*"


def test_the_shipped_aicode_profile_is_the_seeds_publication() -> None:
    publication = load_profile(PROJECT_DIR / "profiles" / "aicode.toml")
    assert publication.seo[1] == "最新 AI 咨询" and not publication.final_newline
    footer = publication.footer_text(dt.date(2026, 2, 7))
    assert footer is not None and 'href="https://t.me/ai_news_plus"' in footer


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ('footer = "nope.md"', "cannot read the footer template"),
        (f'footer = "{OTHER / "broken-footer.md"}"', "broken-footer.md, line"),
        (f'footer = "{OTHER / "unknown-variable-footer.md"}"', "'editor_name' is undefined"),
        (f'footer = "{OTHER / "reaching-out-footer.md"}"', "is unsafe"),
        ("tags = []", "publication.tags"),
        ('seo = ["AI", " "]', "non-empty"),
        ('category = ""', "publication.category"),
        ('colour = "red"', "publication.colour"),
        ('image_base = "ftp://x"', "not an http(s) URL"),
        ('[publication.cover]\npolicy = "generate"', "needs image_base"),
        ('[publication.cover]\npolicy = "fixed"', "needs cover.url"),
        ('[publication.cover]\naccent = "blue"', "#rrggbb"),
        ("[publication.cover]\nwidth = 10", "publication.cover.width"),
        ('[publication.cover]\npolicy = "always"', "publication.cover.policy"),
        ('[publication.weekly]\narchive_url = "../w/{year}"', "go together"),
        (
            '[publication.weekly]\narchive_title = "{month}"\narchive_url = "x"',
            "use {year} and {week}",
        ),
    ],
)
def test_invalid_publication_settings_say_what_is_wrong(
    tmp_path: Path, table: str, words: str
) -> None:
    text = table if table.startswith("[") else f"[publication]\n{table}\n"
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), env={})
    assert words in str(caught.value), str(caught.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[publication]\nprofile = "missing.toml"\n', "does not exist"),
        ("[publication]\nprofile = 'p.toml'\n", "one [publication] table and nothing else"),
    ],
)
def test_bad_profile_files_are_refused(tmp_path: Path, text: str, words: str) -> None:
    (tmp_path / "p.toml").write_text('timezone = "UTC"\n[publication]\nname = "x"\n')
    with pytest.raises(ConfigError, match=re.escape(words)):
        load_settings(write(tmp_path, text), env={})


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ('category = "AI"', "[digest] category is now [publication] category"),
        ('seo = ["AI"]', "[digest] seo is now [publication] seo"),
        ('cover_image = "https://x/c.png"', "[digest] cover_image is now [publication.cover] url"),
    ],
)
def test_keys_that_moved_to_publication_say_where(tmp_path: Path, key: str, words: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(words)):
        load_settings(write(tmp_path, f"[digest]\n{key}\n"), env={})


def test_an_oversized_footer_is_refused(tmp_path: Path) -> None:
    (tmp_path / "big.md").write_text("x" * 70_000, encoding="utf-8")
    with pytest.raises(ConfigError, match="larger than"):
        load_settings(write(tmp_path, '[publication]\nfooter = "big.md"\n'), env={})
