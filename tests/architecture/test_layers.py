"""The import graph keeps the declared layers: no package cycles, no import upwards.

Built from the source with ``ast`` (every ``import``, including those inside
functions), so an import hidden in a function body to dodge a cycle counts too.
The order is the one in docs/architecture.md; change both together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. A package may import from its own layer and the layers below it.
LAYERS: tuple[frozenset[str], ...] = (
    # foundation: no knowledge of mail or records
    frozenset(
        {
            "pipeline.errors",
            "pipeline.hashing",
            "pipeline.merkle",
            "pipeline.redact",
            "pipeline.logs",
            "pipeline.secrets",
            "pipeline.memory",
            "pipeline.python_check",
        }
    ),
    # pure logic over messages
    frozenset({"pipeline.parse", "pipeline.attachments", "pipeline.classify"}),
    # bytes: object stores
    frozenset({"pipeline.storage"}),
    # the append-only log: entries as bytes, chain, checkpoints, proofs
    frozenset({"pipeline.ledger"}),
    # what entries mean: the catalogue of entry types
    frozenset({"pipeline.entries"}),
    # stages that write or derive from entries
    frozenset(
        {
            "pipeline.fetch",
            "pipeline.record",
            "pipeline.emit",
            "pipeline.index",
            "pipeline.retention",
            "pipeline.cases",
        }
    ),
    # readers and handlers
    frozenset({"pipeline.trail", "pipeline.report", "handlers"}),
    frozenset({"pipeline.export"}),
    # the audited actions
    frozenset({"pipeline.archive"}),
    # the application: configuration, adapters built from it, entry points
    frozenset({"pipeline.config"}),
    frozenset({"pipeline.runtime"}),
    frozenset({"pipeline.worker", "pipeline.handler_app", "pipeline.archive_app", "pipeline.web"}),
    frozenset({"pipeline.cli", "pipeline.demo", "pipeline.__main__"}),
)

# Module-level rules the package order cannot express.
FORBIDDEN: tuple[tuple[str, str, str], ...] = (
    (
        "pipeline.trail",
        "pipeline.index.db",
        "the trail reads through pipeline.index.model.RecordLookup, not the SQLite index",
    ),
)


def package_of(module: str) -> str | None:
    """The package a module belongs to for layering (``pipeline.X`` or ``handlers``)."""
    parts = module.split(".")
    if parts[0] == "handlers":
        return "handlers"
    if parts[0] != "pipeline" or len(parts) < 2:
        return None
    return f"pipeline.{parts[1]}"


def module_imports(root: Path) -> dict[str, set[str]]:
    """Every project module and the project modules it imports."""
    out: dict[str, set[str]] = {}
    for top in ("pipeline", "handlers"):
        for path in sorted((root / top).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            module = ".".join(parts)
            found: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom):
                    if node.level:  # relative: resolve against this module's package
                        base = parts if is_package else parts[:-1]
                        base = base[: len(base) - (node.level - 1)]
                        target = ".".join([*base, node.module] if node.module else base)
                    else:
                        target = node.module or ""
                    found.add(target)
                    found.update(f"{target}.{alias.name}" for alias in node.names)
            out[module] = {m for m in found if m.split(".")[0] in ("pipeline", "handlers")}
    return out


def package_graph(modules: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """Package -> the other packages it imports."""
    graph: dict[str, set[str]] = {}
    for module, imported in modules.items():
        source = package_of(module)
        if source is None:
            continue
        targets = graph.setdefault(source, set())
        for name in imported:
            target = package_of(name)
            if target is not None and target != source:
                targets.add(target)
    return graph


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one package (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def layer_of(package: str) -> int | None:
    """The position of ``package`` in :data:`LAYERS`."""
    return next((n for n, layer in enumerate(LAYERS) if package in layer), None)


def upward_imports(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Imports from a package to a package in a higher layer, as readable lines."""
    problems = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            low, high = layer_of(source), layer_of(target)
            if low is not None and high is not None and high > low:
                problems.append(f"{source} (layer {low}) imports {target} (layer {high})")
    return problems


def forbidden_imports(modules: Mapping[str, Iterable[str]]) -> list[str]:
    """Imports that break a :data:`FORBIDDEN` rule."""
    return [
        f"{module} imports {name}: {why}"
        for module, imported in sorted(modules.items())
        for source, target, why in FORBIDDEN
        if package_of(module) == source
        for name in sorted(imported)
        if name == target or name.startswith(target + ".")
    ]


@pytest.fixture(scope="module")
def modules() -> dict[str, set[str]]:
    return module_imports(ROOT)


def test_every_package_has_a_declared_layer(modules: dict[str, set[str]]) -> None:
    packages = {p for p in map(package_of, modules) if p is not None}
    assert sorted(p for p in packages if layer_of(p) is None) == []


def test_no_package_imports_a_package_above_it(modules: dict[str, set[str]]) -> None:
    assert upward_imports(package_graph(modules)) == []


def test_no_packages_import_each_other_in_a_cycle(modules: dict[str, set[str]]) -> None:
    assert cycles(package_graph(modules)) == []


def test_no_module_breaks_a_module_rule(modules: dict[str, set[str]]) -> None:
    assert forbidden_imports(modules) == []


def test_an_injected_backward_import_is_reported(modules: dict[str, set[str]]) -> None:
    injected = {**modules, "pipeline.ledger.injected": {"pipeline.entries.names"}}
    assert upward_imports(package_graph(injected)) == [
        "pipeline.ledger (layer 3) imports pipeline.entries (layer 4)"
    ]


def test_an_injected_cycle_is_reported(modules: dict[str, set[str]]) -> None:
    injected = {**modules, "pipeline.storage.injected": {"pipeline.ledger.log"}}
    assert ["pipeline.ledger", "pipeline.storage"] in cycles(package_graph(injected))


def test_an_import_inside_a_function_counts(tmp_path: Path) -> None:
    package = tmp_path / "pipeline" / "storage"
    package.mkdir(parents=True)
    (tmp_path / "handlers").mkdir()
    (package / "lazy.py").write_text("def f():\n    from pipeline.ledger import log\n")
    assert module_imports(tmp_path)["pipeline.storage.lazy"] >= {"pipeline.ledger"}


def test_the_trail_importing_the_sqlite_index_is_reported(modules: dict[str, set[str]]) -> None:
    injected = {**modules, "pipeline.trail.injected": {"pipeline.index.db"}}
    assert forbidden_imports(injected) == [
        "pipeline.trail.injected imports pipeline.index.db: the trail reads through"
        " pipeline.index.model.RecordLookup, not the SQLite index"
    ]
