"""One typed settings object; every field can be overridden with a ``BRIEF_*`` environment variable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


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
        default=1,
        ge=1,
        description="CPU threads of the embedded model. One: llama.cpp threads spin while they wait for each other, "
        "so on a shared or busy machine two threads were 5-10 times slower than one (docs/performance.md).",
    )
    llm_context: int = Field(
        default=2048, ge=512, description="Context window (tokens) of the embedded model; prompts are ~200-600."
    )
    k: int = Field(default=5, ge=1, le=50, description="Passages retrieved per question.")

    @field_validator("home")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
