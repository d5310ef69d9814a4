"""Settings: one pydantic-settings object, built at the edge and passed down.

Precedence: flag > environment > ``digest.toml`` > built-in defaults. The API key
comes only from the environment (``OPENAI_API_KEY``); core modules never read
``os.environ`` themselves: the CLI hands the environment to :func:`load_settings`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from pipeline.errors import ConfigError
from pipeline.models import Source

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DEFAULTS_FILE = PACKAGE_DIR / "data" / "defaults.toml"
DEFAULT_CONFIG_NAME = "digest.toml"

# Environment variables the pipeline reads, and where each lands in the settings.
ENV_MAP: dict[str, tuple[str, ...]] = {
    "DIGEST_DATA_DIR": ("data_dir",),
    "DIGEST_TIMEZONE": ("timezone",),
    "OPENAI_BASE_URL": ("llm", "base_url"),
    "OPENAI_API_KEY": ("llm", "api_key"),
    "DIGEST_MODEL": ("llm", "model"),
    "DIGEST_PROVIDER": ("llm", "provider"),
}

# Names of keys that hold secrets: refused in the config file (secrets come from the environment).
SECRET_KEY_RE = re.compile(r"api[_-]?key|secret|passw(or)?d|(^|_)token$", re.IGNORECASE)

ProviderName = Literal["openai", "deepseek", "qwen", "glm", "kimi", "ollama", "vllm", "custom"]

# base URL and default model of each preset; `[llm] base_url`/`model` override them.
PROVIDER_PRESETS: dict[str, tuple[str, str]] = {
    "openai": ("https://api.openai.com/v1", "gpt-4.1-mini"),
    "deepseek": ("https://api.deepseek.com/v1", "deepseek-chat"),
    "qwen": ("https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen-plus"),
    "glm": ("https://open.bigmodel.cn/api/paas/v4", "glm-4-flash"),
    "kimi": ("https://api.moonshot.cn/v1", "kimi-k2-turbo-preview"),
    "ollama": ("http://localhost:11434/v1", "qwen2.5:14b"),
    "vllm": ("http://localhost:8000/v1", ""),
}


class LLMSettings(BaseModel):
    """The OpenAI-compatible endpoint and how to call it."""

    model_config = ConfigDict(extra="forbid")

    provider: ProviderName = "openai"
    base_url: str = ""  # empty: the provider preset's
    model: str = ""  # empty: the provider preset's
    api_key: SecretStr | None = Field(default=None, exclude=True)
    concurrency: int = Field(default=4, ge=1, le=64)
    timeout: float = Field(default=120.0, gt=0, description="wall-clock deadline per call, s")
    max_retries: int = Field(default=3, ge=0, le=10)
    temperature: float | None = 0.3
    max_output_tokens: int = Field(
        default=4000, ge=100
    )  # the digest call writes ~20 更多动态 lines
    # the whole request of a story call, system prompt (with schema) included
    story_input_tokens: int = Field(default=2400, ge=800, description="input budget per story")
    # ask the LLM about pairs of reports the clustering features cannot decide (same day, a
    # rare name in common, not linked): three a call beside two control pairs, at most 36
    # a window. Off by default: the only model measured here (a 1.5B) made clusters worse
    # even through the controls (docs/decisions.md); turn on for a capable model.
    check_pairs: bool = False
    # price per million tokens, for the run's cost report
    price_input_per_m: float = 0.0
    price_output_per_m: float = 0.0

    @property
    def resolved_base_url(self) -> str:
        """The base URL to call: the explicit one, else the provider preset's."""
        return self.base_url or PROVIDER_PRESETS.get(self.provider, ("", ""))[0]

    @property
    def resolved_model(self) -> str:
        """The model to ask: the explicit one, else the provider preset's."""
        return self.model or PROVIDER_PRESETS.get(self.provider, ("", ""))[1]


class NetworkSettings(BaseModel):
    """How the pipeline talks to the web."""

    model_config = ConfigDict(extra="forbid")

    allow_hosts: list[str] = Field(default_factory=list)
    user_agent: str = (
        "Mozilla/5.0 (compatible; ai-digest/0.1; +https://github.com/ai-digest/ai-digest)"
    )
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=20.0, gt=0)
    deadline: float = Field(default=45.0, gt=0, description="wall-clock limit per request, s")
    concurrency: int = Field(default=16, ge=1, le=128)
    per_host: int = Field(default=2, ge=1, le=16)
    politeness_delay: float = Field(default=0.5, ge=0)
    max_bytes: int = Field(default=5_000_000, ge=10_000)
    max_redirects: int = Field(default=5, ge=0, le=20)
    retries: int = Field(default=2, ge=0, le=6)
    max_articles_per_feed: int = Field(default=60, ge=1)


class Section(BaseModel):
    """One section of the house taxonomy."""

    model_config = ConfigDict(extra="forbid")

    key: str
    title: str  # heading used when the writer gives none
    keywords: list[str] = Field(default_factory=list)


class DigestSettings(BaseModel):
    """What goes into a digest and how it looks."""

    model_config = ConfigDict(extra="forbid")

    main_stories: int = Field(default=12, ge=1, le=40)
    more_items: int = Field(default=20, ge=0, le=80)
    min_text_chars: int = Field(default=200, ge=0)
    keyword_boost: dict[str, float] = Field(default_factory=dict)
    sections: list[Section] = Field(default_factory=list)


# --- the publication profile (issue 19) -----------------------------------------------

CoverPolicy = Literal["none", "editor", "fixed", "generate"]
FOOTER_MAX_BYTES = 64_000  # a footer is a card, not a page
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_HTTP_BASE = re.compile(r"https?://[^\s/?#]+[^\s?#]*")
# Keys that moved from [digest] to [publication]; an old config is told where they went.
MOVED_TO_PUBLICATION = ("category", "tags", "seo")
MOVED_COVER_IMAGE = "cover_image"
# Sandboxed: a footer template can format what it is given, never reach into Python.
_FOOTER_ENV = SandboxedEnvironment(
    autoescape=False,  # the footer is Markdown or HTML written by the operator, not data
    keep_trailing_newline=False,
    undefined=jinja2.StrictUndefined,
)


class CoverSettings(BaseModel):
    """The cover image of each daily draft (front matter ``coverImage``)."""

    model_config = ConfigDict(extra="forbid")

    # none: the publication has no covers; editor: an editor adds one (lint reminds them);
    # fixed: `url` on every draft; generate: a title card per draft under `image_base`
    policy: CoverPolicy = "none"
    url: str = ""  # policy "fixed": the image every draft shows
    width: int = Field(default=1200, ge=320, le=4096)
    height: int = Field(default=630, ge=160, le=4096)
    font: Path | None = None  # a font file with CJK glyphs; default: one found on the system
    headlines: int = Field(default=3, ge=0, le=5)  # top story headlines on the card
    background: str = "#0f172a"
    accent: str = "#3b82f6"

    @field_validator("background", "accent")
    @classmethod
    def _hex_colour(cls, value: str) -> str:
        if not _HEX_COLOUR.fullmatch(value):
            raise ValueError(f"not a #rrggbb colour: {value!r}")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not _HTTP_BASE.fullmatch(value):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value


class WeeklyProfile(BaseModel):
    """The weekly digest's front matter and closing (``[publication.weekly]``)."""

    model_config = ConfigDict(extra="forbid")

    tags: list[str] = Field(default_factory=lambda: ["AI", "AI 周报"], min_length=1)
    layout: str = Field(default="layouts/post.njk", min_length=1)  # the site's page layout
    closing: list[str] = Field(default_factory=list)  # lines after 相关阅读链接 (a sign-off)
    # the closing link to the week's archive; {year} and {week} are filled in (none if empty)
    archive_title: str = ""
    archive_url: str = ""

    @model_validator(mode="after")
    def _archive_templates(self) -> WeeklyProfile:
        if bool(self.archive_title) != bool(self.archive_url):
            raise ValueError("archive_title and archive_url go together")
        self.archive(2026, 6)  # a bad placeholder fails now, not on Sunday night
        return self

    def archive(self, year: int, week: int) -> tuple[str, str] | None:
        """The archive link's title and URL for an ISO week, if the publication has one."""
        if not self.archive_url:
            return None
        try:
            return (
                self.archive_title.format(year=year, week=week),
                self.archive_url.format(year=year, week=week),
            )
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            raise ValueError(
                f"archive_title/archive_url: {exc!r}; use {{year}} and {{week}}"
            ) from exc


class PublicationSettings(BaseModel):
    """Who publishes the digest: front-matter defaults, footer, cover image (``[publication]``)."""

    model_config = ConfigDict(extra="forbid")

    profile: Path | None = None  # a profile file whose [publication] table this one extends
    name: str = Field(default="AI 日报", min_length=1, max_length=60)
    category: str = Field(default="AI 日报", min_length=1, max_length=60)
    tags: list[str] = Field(default_factory=lambda: ["AI", "AI 日报"], min_length=1)
    seo: list[str] = Field(default_factory=lambda: ["AI 日报", "人工智能", "大模型"], min_length=1)
    footer: Path | None = None  # a Jinja2 template of the daily footer; none: no footer
    final_newline: bool = True  # whether a daily draft ends with a newline
    image_base: str = ""  # URL where output/ is served; covers are <base><format>/img/<stem>.png
    cover: CoverSettings = Field(default_factory=CoverSettings)
    weekly: WeeklyProfile = Field(default_factory=WeeklyProfile)
    _footer_source: str | None = PrivateAttr(default=None)

    @field_validator("tags", "seo")
    @classmethod
    def _no_blank(cls, values: list[str]) -> list[str]:
        if any(not v.strip() or "\n" in v for v in values):
            raise ValueError("entries must be non-empty, one-line strings")
        return values

    @field_validator("image_base")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if value and not _HTTP_BASE.fullmatch(value):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value if not value or value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _cover_needs_a_place(self) -> PublicationSettings:
        if self.cover.policy == "fixed" and not self.cover.url:
            raise ValueError('cover.policy = "fixed" needs cover.url')
        if self.cover.policy == "generate" and not self.image_base:
            raise ValueError('cover.policy = "generate" needs image_base (where output/ is served)')
        return self

    @model_validator(mode="after")
    def _load_footer(self) -> PublicationSettings:
        self._footer_source = None if self.footer is None else read_footer(self.footer)
        if self._footer_source is not None:
            self.footer_text(dt.date(2026, 1, 1))  # an unknown variable fails now, not tonight
        return self

    def footer_text(self, day: dt.date, fmt: str = "daily") -> str | None:
        """The footer of a draft of this date, rendered from the footer template (None: none)."""
        if self._footer_source is None:
            return None
        try:
            text = _FOOTER_ENV.from_string(self._footer_source).render(
                publication=self, date=day, format=fmt
            )
        except jinja2.TemplateError as exc:
            raise ValueError(f"footer template {self.footer}: {exc}") from exc
        return text.strip("\n") or None


def read_footer(path: Path) -> str:
    """The source of a footer template; ValueError if unreadable, too large or invalid."""
    try:
        with path.open("rb") as handle:
            data = handle.read(FOOTER_MAX_BYTES + 1)
        source = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the footer template {path}: {exc}") from exc
    if len(data) > FOOTER_MAX_BYTES:
        raise ValueError(f"footer template {path} is larger than {FOOTER_MAX_BYTES} bytes")
    try:
        _FOOTER_ENV.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise ValueError(f"footer template {path}, line {exc.lineno}: {exc.message}") from exc
    return source


class PrefectSettings(BaseModel):
    """How the flow runs its tasks."""

    model_config = ConfigDict(extra="forbid")

    task_runner: Literal["threads", "dask"] = "threads"
    # Page tasks are one per host and mostly wait on the host's politeness delay, so more
    # hosts at once than cores: with 4, a 2,000-article night spent 75 % of its wall time
    # waiting on 4 hosts at a time (benchmarks/night, issue 18). Extraction is capped at one
    # child process per core however many threads wait, so threads cost little memory.
    max_workers: int = Field(default=48, ge=1, le=128)
    dask_address: str = ""  # tcp://scheduler:8786; empty with task_runner="dask": a local cluster
    dask_workers: int = Field(default=2, ge=1, le=64)
    nightly_cron: str = "30 23 * * *"
    weekly_cron: str = "0 23 * * 0"
    brief_cron: str = "45 23 * * *"  # "" for no scheduled brief (likewise weekly_cron)


class Settings(BaseSettings):
    """All settings of a run."""

    model_config = SettingsConfigDict(extra="forbid")

    timezone: str = "Asia/Shanghai"
    data_dir: Path = Path(".digest")
    output_dir: Path = Path("output")
    prompts_dir: Path = PROJECT_DIR / "prompts"
    templates_dir: Path = PROJECT_DIR / "templates"
    llm: LLMSettings = Field(default_factory=LLMSettings)
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    prefect: PrefectSettings = Field(default_factory=PrefectSettings)
    publication: PublicationSettings = Field(default_factory=PublicationSettings)
    sources: list[Source] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only explicit values: load_settings() layers env and file sources itself,
        # so that a bare Settings() never reads the process environment.
        return (init_settings,)


class MappingEnvSource(PydanticBaseSettingsSource):
    """The variables of ENV_MAP, read from a given mapping (not os.environ)."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self.env = env

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ builds the whole dict

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for var, path in ENV_MAP.items():
            value = self.env.get(var)
            if value:
                _set_path(found, path, value)
        return found


def _set_path(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Return base updated by over, merging nested tables instead of replacing them."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return TomlConfigSettingsSource(Settings, toml_file=path)()
    except RecursionError as exc:
        raise ConfigError(f"cannot read config {path}: it is nested too deeply") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read config {path}: not UTF-8 text ({exc.reason})") from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from exc


def builtin_defaults() -> dict[str, Any]:
    """The shipped defaults: the source list and the section taxonomy."""
    return _read_toml(DEFAULTS_FILE)


def find_config(path: Path | None, cwd: Path | None = None) -> Path | None:
    """The config file to use: the given one (must exist), else ./digest.toml if present."""
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        return path
    candidate = (cwd or Path.cwd()) / DEFAULT_CONFIG_NAME
    return candidate if candidate.is_file() else None


def load_settings(
    config: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the settings: flag > env > config file > defaults; raise ConfigError if invalid."""
    path = find_config(config)
    file_values = _read_toml(path) if path else {}
    secret = next(secret_keys(file_values), None)
    if secret is not None:
        raise ConfigError(
            f"{path}: {secret} looks like a secret, and secrets are not read from files: "
            "set OPENAI_API_KEY in the environment and remove it from the file"
        )
    if path is not None:
        file_values = with_profile(file_values, path)
    env_values = MappingEnvSource(Settings, env or {})()
    flag_values = InitSettingsSource(Settings, dict(overrides or {}))()
    merged = builtin_defaults()
    if file_values.get("sources"):
        merged.pop("sources", None)  # a configured list replaces the default one
    for layer in (file_values, env_values, flag_values):
        merged = deep_merge(merged, layer)
    try:
        return Settings(**merged)
    except ValidationError as exc:
        where = f" in {path}" if path else ""
        raise ConfigError(f"invalid settings{where}:\n{_describe(exc)}") from exc


def secret_keys(values: Mapping[str, Any], where: str = "") -> Iterator[str]:
    """The dotted names of keys that look like API keys or passwords, at any depth."""
    for key, value in values.items():
        name = f"{where}.{key}" if where else str(key)
        if SECRET_KEY_RE.search(str(key)) or (where == "llm" and str(key).lower() == "key"):
            yield name
        children = value if isinstance(value, list) else [value]
        for child in children:
            if isinstance(child, Mapping):
                yield from secret_keys(child, name)


def with_profile(values: dict[str, Any], path: Path) -> dict[str, Any]:
    """The file's values with [publication] paths anchored and its profile file merged under."""
    _refuse_moved_keys(values, path)
    table = values.get("publication")
    if not isinstance(table, dict):
        return values
    table = _anchor_paths(table, path.parent)
    if table.get("profile") is not None:
        table = deep_merge(_read_profile(Path(table["profile"])), table)
    return {**values, "publication": table}


def load_profile(path: Path) -> PublicationSettings:
    """The publication a profile file describes, on its own; ConfigError if it is invalid."""
    try:
        return PublicationSettings(**_read_profile(path))
    except ValidationError as exc:
        raise ConfigError(f"invalid publication profile {path}:\n{_describe(exc)}") from exc


def _read_profile(path: Path) -> dict[str, Any]:
    """A profile file's [publication] table, its paths anchored at the profile's folder."""
    if not path.is_file():
        raise ConfigError(f"publication profile {path} does not exist")
    values = _read_toml(path)
    table = values.get("publication")
    if set(values) != {"publication"} or not isinstance(table, dict):
        raise ConfigError(f"{path}: a profile file holds one [publication] table and nothing else")
    if "profile" in table:
        raise ConfigError(f"{path}: a profile cannot name another profile")
    return _anchor_paths(table, path.parent)


def _anchor_paths(table: dict[str, Any], base: Path) -> dict[str, Any]:
    """Relative footer, font and profile paths are relative to the file that names them."""
    out = dict(table)
    for key in ("footer", "profile"):
        if isinstance(out.get(key), str) and out[key]:
            out[key] = str(base / Path(out[key]).expanduser())
    cover = out.get("cover")
    if isinstance(cover, dict) and isinstance(cover.get("font"), str) and cover["font"]:
        out["cover"] = {**cover, "font": str(base / Path(cover["font"]).expanduser())}
    return out


def _refuse_moved_keys(values: Mapping[str, Any], path: Path) -> None:
    digest = values.get("digest")
    if not isinstance(digest, Mapping):
        return
    for key in MOVED_TO_PUBLICATION:
        if key in digest:
            raise ConfigError(f"{path}: [digest] {key} is now [publication] {key}; move it there")
    if MOVED_COVER_IMAGE in digest:
        raise ConfigError(
            f"{path}: [digest] cover_image is now [publication.cover] url "
            '(with policy = "fixed"); move it there'
        )


def _describe(exc: ValidationError) -> str:
    """One line per problem: where (``network.allow_host``, ``sources #3.url``) and what."""
    return "\n".join(f"  {_where(err['loc'])}: {_problem(err)}" for err in exc.errors())


def _where(loc: tuple[int | str, ...]) -> str:
    """A location as a config reader counts: ``sources #3.url`` for the third [[sources]]."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f" #{part + 1}"
        else:
            text += f".{part}" if text else part
    return text


def _problem(err: Any) -> str:
    """What is wrong; for an unknown key, the nearest valid name."""
    if err["type"] != "extra_forbidden":
        return str(err["msg"]).removeprefix("Value error, ")
    key = str(err["loc"][-1])
    section = ".".join(p for p in err["loc"][:-1] if isinstance(p, str))
    known = list(SECTION_MODELS[section].model_fields) if section in SECTION_MODELS else []
    known = [name for name in known if name != "api_key"]
    nearest = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"; did you mean {nearest[0]}?" if nearest else f"; valid: {', '.join(known)}"
    return f"unknown setting {key!r}{hint}"


# The model of each config table, to suggest the nearest name for an unknown key.
SECTION_MODELS: dict[str, type[BaseModel]] = {
    "": Settings,
    "llm": LLMSettings,
    "network": NetworkSettings,
    "digest": DigestSettings,
    "digest.sections": Section,
    "prefect": PrefectSettings,
    "sources": Source,
}
