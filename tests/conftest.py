from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import BriefStore, Settings, get_settings

from .fakes import HashEmbeddings

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "china-belarus-brief.txt"


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model cache for the whole run (the reader model is assembled and verified once), or the developer's own."""
    return Path(os.environ.get("BRIEF_MODEL_CACHE") or tmp_path_factory.getbasetemp() / "models")


@pytest.fixture(autouse=True)
def brief_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_cache: Path) -> Iterator[Path]:
    """Every test gets its own data directory and default settings; the model cache is shared."""
    home = tmp_path / "brief-home"
    monkeypatch.setenv("BRIEF_HOME", str(home))
    monkeypatch.setenv("BRIEF_MODEL_CACHE", str(model_cache))
    for variable in ("BRIEF_CHROMA_URL", "BRIEF_LLM", "BRIEF_LLM_BASE_URL", "BRIEF_K"):
        monkeypatch.delenv(variable, raising=False)
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture
def settings(brief_home: Path) -> Settings:
    return Settings(home=brief_home)


@pytest.fixture
def fake_embeddings() -> HashEmbeddings:
    return HashEmbeddings()


@pytest.fixture
def store(settings: Settings) -> BriefStore:
    return BriefStore(settings)


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder
