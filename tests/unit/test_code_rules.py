"""The layer rules of issue 16 that ruff and import-linter do not check, read from the source.

No module in src/ over 500 lines; no import circle between modules; no `_private` name imported
from another module. Each test reads the files with `ast` (nothing is imported or run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "landbridge"
MAX_MODULE_LINES = 500

# Temporary allow-lists (issue 16): each names work in progress this session, and an entry goes
# when its fix lands (the *_is_current tests fail on an entry that is no longer needed).
OVERSIZE_ALLOWED: frozenset[str] = frozenset()
PRIVATE_IMPORT_ALLOWED: tuple[str, ...] = ()
CYCLE_ALLOWED: frozenset[frozenset[str]] = frozenset()


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the package."""
    found: dict[str, Path] = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at module level or inside functions, outside `if TYPE_CHECKING:`."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")
    base = base if is_package else base[:-1]
    if node.level > 1:
        base = base[: -(node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, str | None]]:
    """(imported package module, imported name or None) for each name of one import statement."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name, None
        return
    source = _absolute(module, node)
    for alias in node.names:
        submodule = f"{source}.{alias.name}"
        if submodule in MODULES:
            yield submodule, None
        else:
            yield source, alias.name


def _import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for module, path in MODULES.items():
        graph.add_node(module)
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            for target, _name in _targets(module, node):
                if target in MODULES and target != module:
                    graph.add_edge(module, target)
    return graph


def test_no_module_over_500_lines() -> None:
    sizes = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in MODULES.items()}
    over = {m: n for m, n in sizes.items() if n > MAX_MODULE_LINES and m not in OVERSIZE_ALLOWED}
    assert not over, f"modules over {MAX_MODULE_LINES} lines (split them by what they hold): {over}"


def test_oversize_allow_list_is_current() -> None:
    """An allow-list entry whose module was split (or removed) must go."""
    stale = {
        m
        for m in OVERSIZE_ALLOWED
        if m not in MODULES
        or len(MODULES[m].read_text(encoding="utf-8").splitlines()) <= MAX_MODULE_LINES
    }
    assert not stale, f"remove from OVERSIZE_ALLOWED: {sorted(stale)}"


def test_no_import_cycle() -> None:
    graph = _import_graph()
    cycles = [
        sorted(c)
        for c in nx.strongly_connected_components(graph)
        if len(c) > 1 and frozenset(c) not in CYCLE_ALLOWED
    ]
    assert not cycles, f"import circles (modules that import each other, directly or not): {cycles}"


def _private_imports() -> list[str]:
    offenders: list[str] = []
    for module, path in MODULES.items():
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            for target, name in _targets(module, node):
                last = name if name is not None else target.rsplit(".", 1)[-1]
                private = last.startswith("_") and not last.startswith("__")
                if private and target.startswith(PACKAGE) and target != module:
                    offenders.append(f"{module} imports {target}:{name or ''} (line {node.lineno})")
    return offenders


def test_no_private_name_imported_from_another_module() -> None:
    offenders = [o for o in _private_imports() if not o.startswith(PRIVATE_IMPORT_ALLOWED)]
    assert not offenders, "a `_private` name is the module's own; make it public or move it:\n" + (
        "\n".join(offenders)
    )


def test_cycle_allow_list_is_current() -> None:
    components = {frozenset(c) for c in nx.strongly_connected_components(_import_graph())}
    stale = [sorted(c) for c in CYCLE_ALLOWED if c not in components]
    assert not stale, f"remove from CYCLE_ALLOWED: {stale}"


def test_private_import_allow_list_is_current() -> None:
    offenders = _private_imports()
    stale = [a for a in PRIVATE_IMPORT_ALLOWED if not any(o.startswith(a) for o in offenders)]
    assert not stale, f"remove from PRIVATE_IMPORT_ALLOWED: {stale}"
