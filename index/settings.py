"""One typed settings object; every field can be overridden with a ``BRIEF_*`` environment variable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigError

__all__ = ["Settings", "allowed_values", "get_settings", "int_range"]

_KINDS = {int: "a whole number", float: "a number", Path: "a folder path", str: "text"}


def _default_home() -> Path:
    return Path.home() / ".local" / "share" / "brief"


class Settings(BaseSettings):
    """Configuration of brief. ``BRIEF_HOME`` moves every file brief writes."""

    model_config = SettingsConfigDict(env_prefix="BRIEF_", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Data directory: index, uploads, caches.")
    chroma_url: str | None = Field(default=None, description="Use a Chroma server (http://host:port).")
    collection: str = Field(default="brief", description="Name prefix of the Chroma collections.")
    embedding_model: str = Field(
        default="all-MiniLM-L6-v2",
        description="all-MiniLM-L6-v2 (bundled) or a local sentence-transformers model folder.",
    )
    embedding_batch_size: int = Field(default=64, ge=1)
    chunk_chars: int = Field(default=500, ge=100, description="Target chunk size in characters.")
    max_file_mb: float = Field(default=20.0, gt=0, description="Files larger than this are rejected.")
    model_cache: Path | None = Field(
        default=None, description="Where model packs are assembled and verified (default: BRIEF_HOME/models)."
    )
    llm: str = Field(
        default="embedded",
        description="embedded | embedded:smollm2 | embedded:FILE.gguf | none | ollama:MODEL | openai:MODEL",
    )
    llm_base_url: str | None = Field(default=None, description="Server URL for ollama/openai backends.")
    llm_api_key: str | None = Field(default=None, description="API key for an openai-compatible server.")
    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds before an LLM call is abandoned.")
    llm_threads: int = Field(
        default=2,
        ge=1,
        description="CPU threads of the embedded model. Two: with the 1.5B reader on an idle 2-core machine they "
        "answer 1.5 times faster than one (`brief bench latency`); on a machine busy with other work, one can be "
        "faster (docs/performance.md).",
    )
    llm_context: int = Field(
        default=2048, ge=512, description="Context window (tokens) of the embedded model; prompts are ~200-600."
    )
    k: int = Field(default=5, ge=1, le=50, description="Passages retrieved per question.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="WARNING", description="What brief logs to stderr; `brief -v` is INFO, `-vv` DEBUG."
    )

    def __init__(self, **values: Any) -> None:
        """Read every field from ``values``, else from its ``BRIEF_*`` variable, else its default.

        Raises:
            ConfigError: a value is malformed or out of range; the message names its variable and what is allowed.

        """
        try:
            super().__init__(**values)
        except ValidationError as error:
            raise ConfigError("; ".join(_problem(problem) for problem in error.errors())) from None

    @field_validator("home")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        known = isinstance(value, str) and value.upper() in get_args(cls.model_fields["log_level"].annotation)
        return value.upper() if known else value

    @property
    def chroma_path(self) -> Path:
        """Folder of the embedded Chroma database."""
        return self.home / "chroma"

    @property
    def models_path(self) -> Path:
        """Folder of assembled model files."""
        return (self.model_cache or self.home / "models").expanduser()

    @property
    def max_file_bytes(self) -> int:
        """The file size limit in bytes."""
        return int(self.max_file_mb * 1024 * 1024)


def allowed_values(name: str) -> str:
    """What a field of :class:`Settings` accepts, in words: ``must be a whole number from 1 to 50``."""
    field = Settings.model_fields[name]
    if get_origin(field.annotation) is Literal:
        return f"must be one of {', '.join(map(str, get_args(field.annotation)))}"
    kind = next((words for type_, words in _KINDS.items() if type_ in (field.annotation, *_args(field.annotation))), "")
    low, above, high = (_limit(name, bound) for bound in ("ge", "gt", "le"))
    if low is not None and high is not None:
        limits = f" from {low} to {high}"
    elif low is not None:
        limits = f" of at least {low}"
    elif above is not None:
        limits = f" greater than {above}"
    else:
        limits = ""
    return f"must be {kind or 'a valid value'}{limits}"


def int_range(name: str) -> tuple[int, int]:
    """The smallest and largest value a bounded whole-number field of :class:`Settings` allows: ``(1, 50)`` for k.

    The CLI's options and the app's sliders take their bounds from here, so the field is their one source.
    """
    low, high = _limit(name, "ge"), _limit(name, "le")
    if low is None or high is None:
        raise ValueError(f"Settings.{name} has no lower and upper bound")
    return int(low), int(high)


def _limit(name: str, bound: str) -> Any:
    """A field's ``ge``, ``gt`` or ``le`` constraint (pydantic keeps them as annotated-types metadata), or None."""
    return next((getattr(m, bound) for m in Settings.model_fields[name].metadata if hasattr(m, bound)), None)


def _args(annotation: Any) -> tuple[Any, ...]:
    return tuple(getattr(annotation, "__args__", ()))


def _problem(error: Any) -> str:
    """One line for one pydantic error: ``BRIEF_K=0: must be a whole number from 1 to 50``."""
    name = str(error["loc"][0]) if error.get("loc") else ""
    if name not in Settings.model_fields:
        return f"{name or 'settings'}: {error['msg']}"
    return f"BRIEF_{name.upper()}={error.get('input')}: {allowed_values(name)}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
