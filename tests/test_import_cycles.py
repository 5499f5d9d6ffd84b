"""No import cycles between the project's modules.

The graph is built from the source with ``ast`` (nothing is imported): an edge A → B for every
``import B`` / ``from B import x`` in A, where B is a module of the project. ``from pkg import
mod`` points at the submodule when there is one, else at the package.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [name for name in ("config", "partnerships", "scrapers", "extraction") if (ROOT / name).is_dir()]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(packages) -> dict[str, Path]:
    found = {}
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(tree: ast.Module):
    """Import statements that run when the module is imported (not inside functions or classes)."""
    pending = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            pending += node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody + [s for h in node.handlers for s in h.body]


def _all_imports(tree: ast.Module):
    return (node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom))


def _targets(node, name: str, is_package: bool, modules) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    base = node.module or ""
    if node.level:
        package = name if is_package else name.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    found = set()
    for alias in node.names:
        if f"{base}.{alias.name}" in modules:
            found.add(f"{base}.{alias.name}")
        elif base in modules:
            found.add(base)
    return found


def import_graph(packages, *, lazy_too: bool = False) -> dict[str, set[str]]:
    """Module → modules it imports. ``lazy_too`` adds imports inside functions, except in a
    ``tasks`` module: a Celery task importing its service when it runs is the intended way
    for services to enqueue tasks without a cycle."""
    modules = _modules(packages)
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lazy = lazy_too and name.rpartition(".")[2] != "tasks"
        nodes = _all_imports(tree) if lazy else _top_level_imports(tree)
        edges = set()
        for node in nodes:
            edges |= _targets(node, name, path.name == "__init__.py", modules)
        graph[name] = edges - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path that ends where it starts, or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_reports_the_cycle_it_finds():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_the_project():
    graph = import_graph(PACKAGES)
    assert "partnerships.services.deals" in graph["partnerships.admin.review"]
    assert "partnerships.models" in graph["partnerships.services.deals"]


def test_no_module_imports_itself_back_when_loaded():
    cycle = find_cycle(import_graph(PACKAGES))
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_partnerships_has_no_cycle_even_through_imports_inside_functions():
    cycle = find_cycle(import_graph(["config", "partnerships"], lazy_too=True))
    assert cycle is None, "import cycle (counting imports inside functions): " + " → ".join(cycle)
