"""The layout the issue of structure asks for: no import cycle, one-way layers, modules of a readable size."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "benchmarks", "index", "ui")
LAYERS = {
    "index": set(),
    "assistant": {"index"},
    "ui": {"index", "assistant"},
    "benchmarks": {"index", "assistant"},
}
"""Which packages each package may import: data flows files -> index -> assistant -> CLI / app."""
EDGE = {"assistant.cli": {"ui", "benchmarks"}, "assistant.cli_bench": {"benchmarks"}}
"""The CLI is the edge: it alone may start the app (ui) and the benchmark (benchmarks)."""
MAX_LINES = 600
OVER_MAX_UNTIL_SPLIT: set[str] = set()
"""Modules allowed over the limit while they are being split."""


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


MODULES = _modules()


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The dotted names an import statement loads (``from . import x`` may name a module or an attribute)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


def _imports(module: str) -> set[str]:
    """The project modules ``module`` imports, at import time or lazily in a function; TYPE_CHECKING ones excepted.

    Importing ``a.b.c`` runs ``a`` and ``a.b`` first, so they count too.
    """
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                visit(node.orelse)
                continue
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name in _targets(module, node):
                    parts = name.split(".")
                    found.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    visit([child])

    visit(ast.parse(MODULES[module].read_text(encoding="utf-8")).body)
    return {name for name in found if name in MODULES and name != module and not module.startswith(f"{name}.")}


GRAPH = {module: _imports(module) for module in MODULES}


def _cycle() -> list[str] | None:
    """One import cycle of the project's modules (as a path that returns to its start), or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def walk(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (found := walk(target)):
                return found
        path.pop()
        state[module] = 2
        return None

    return next((found for module in sorted(MODULES) if module not in state and (found := walk(module))), None)


def test_the_graph_sees_imports() -> None:
    assert "index.store" in GRAPH["index.ingest"] and "index" in GRAPH["assistant.service"]
    assert "ui" in GRAPH["assistant.cli"]  # lazy, inside the serve command
    assert "assistant.service" not in GRAPH["assistant.evaluation.runner"]  # only under TYPE_CHECKING


def test_no_import_cycle() -> None:
    assert _cycle() is None, " -> ".join(_cycle() or [])


def test_layers_import_one_way() -> None:
    crossing = {
        (module, target)
        for module, targets in GRAPH.items()
        for target in targets
        if (package := target.split(".")[0]) != module.split(".")[0]
        and package not in LAYERS[module.split(".")[0]] | EDGE.get(module, set())
    }
    assert not crossing


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "assistant.__main__"))
def test_every_module_imports(module: str) -> None:
    importlib.import_module(module)


def test_no_module_is_too_long() -> None:
    lengths = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in MODULES.values()}
    too_long = {name: n for name, n in lengths.items() if n > MAX_LINES and name not in OVER_MAX_UNTIL_SPLIT}
    assert not too_long, f"split these modules by concern (at most {MAX_LINES} lines): {too_long}"
