"""Model packs: parts joined in order, used only when they hash to the published digest, failing closed otherwise."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.llm import make_chat_model
from assistant.model_pack import ModelPack, pack_path
from index import Settings

PARTS = [b"GGUF-part-one|", b"part-two|", b"part-three"]


@pytest.fixture
def parts_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Three importable packages ``brieftestpart1..3`` each holding ``data/partNN.bin``, as the real ones do."""
    site = tmp_path / "site"
    for number, data in enumerate(PARTS, start=1):
        package = site / f"brieftestpart{number}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("raise ImportError('never imported')\n")
        (package / "data" / f"part{number:02d}.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(site))
    yield site
    for number in range(1, 4):
        sys.modules.pop(f"brieftestpart{number}", None)


def _pack(data: bytes = b"".join(PARTS)) -> ModelPack:
    return ModelPack(
        name="Test model",
        file="test.gguf",
        packages=("brieftestpart1", "brieftestpart2", "brieftestpart3"),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        version="0.2.0",
    )


def test_parts_are_joined_in_order_and_checked(parts_on_path: Path, tmp_path: Path) -> None:
    cache = tmp_path / "models"
    path = pack_path(_pack(), cache)
    assert path == cache / "test.gguf" and path.read_bytes() == b"".join(PARTS)
    assert (cache / "test.gguf.verified").is_file() and not list(cache.glob("*.partial"))
    assert pack_path(_pack(), cache) == path, "a recorded check is reused"


def test_a_wrong_digest_fails_closed(parts_on_path: Path, tmp_path: Path) -> None:
    wrong = _pack(b"other bytes of the same length!!!".ljust(len(b"".join(PARTS)), b"!"))
    with pytest.raises(ConfigError, match=r"corrupt .*SHA-256.*--force-reinstall.*embedded:smollm2"):
        pack_path(wrong, tmp_path / "models")
    assert not (tmp_path / "models" / "test.gguf").exists()
    assert not list((tmp_path / "models").glob("*.partial"))


def test_a_missing_part_names_the_fix(parts_on_path: Path, tmp_path: Path) -> None:
    (parts_on_path / "brieftestpart2" / "data" / "part02.bin").unlink()
    with pytest.raises(ConfigError, match=r"not installed \(brieftestpart2 missing\).*make setup.*--llm none"):
        pack_path(_pack(), tmp_path / "models")


def test_a_changed_file_is_checked_again(parts_on_path: Path, tmp_path: Path) -> None:
    cache = tmp_path / "models"
    path = pack_path(_pack(), cache)
    path.write_bytes(b"X" * len(b"".join(PARTS)))  # tampered after its check
    assert pack_path(_pack(), cache).read_bytes() == b"".join(PARTS), "re-hashed, found wrong, assembled again"


def test_unknown_embedded_model_is_a_clear_error(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="Unknown embedded model 'gpt5'"):
        make_chat_model("embedded:gpt5", settings)
    model = make_chat_model("embedded:smollm2", settings)
    assert model is not None and "SmolLM2" in model.model_name  # type: ignore[attr-defined]
    assert not model.reads  # type: ignore[attr-defined]
    default = make_chat_model("embedded", settings)
    assert default is not None and "Qwen2.5-Coder-1.5B" in default.model_name  # type: ignore[attr-defined]
