"""The package has no import circles and imports no private names across modules."""

import ast
import sys
from pathlib import Path

import keino_metrics

ROOT = Path(keino_metrics.__file__).parent


def _modules() -> dict[str, Path]:
    out = {}
    for p in ROOT.rglob("*.py"):
        name = ".".join(("keino_metrics", *p.relative_to(ROOT).with_suffix("").parts))
        out[name.removesuffix(".__init__")] = p
    return out


def _imported(name: str, node: ast.AST, mods: dict[str, Path]) -> list[tuple[str, str]]:
    """(module, name) pairs of the project that ``node`` imports inside module ``name``."""
    if isinstance(node, ast.Import):
        return [(a.name, "") for a in node.names if a.name.startswith("keino_metrics")]
    if not isinstance(node, ast.ImportFrom):
        return []
    module = node.module or ""
    if node.level:  # relative: resolved against the importing module's package
        package = name if mods[name].name == "__init__.py" else name.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        module = f"{package}.{module}" if module else package
    if not module.startswith("keino_metrics"):
        return []
    return [(module, a.name) for a in node.names]


def _graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> project modules it imports (at module level and inside functions)."""
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, p in mods.items():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            for module, imported in _imported(name, node, mods):
                sub = f"{module}.{imported}"
                graph[name].add(sub if sub in mods else module)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_circles_even_through_imports_inside_functions():
    graph = _graph(_modules())
    # a package's __init__ importing its own submodules is not a circle
    for name in graph:
        graph[name] = {m for m in graph[name] if not m.startswith(name + ".")}
    assert _cycles(graph) == []


def test_no_private_name_is_imported_from_another_module():
    mods = _modules()
    bad = []
    for name, p in mods.items():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            bad += [f"{name}: {module}.{imported}" for module, imported in
                    _imported(name, node, mods)
                    if imported.startswith("_") and not imported.startswith("__")]
    assert bad == []


def test_the_checks_see_relative_imports_and_plain_imports():
    mods = {"keino_metrics.a": Path("a.py"), "keino_metrics.b": Path("b.py")}
    rel = ast.parse("from .b import _hidden").body[0]
    plain = ast.parse("import keino_metrics.b").body[0]
    assert _imported("keino_metrics.a", rel, mods) == [("keino_metrics.b", "_hidden")]
    assert _imported("keino_metrics.a", plain, mods) == [("keino_metrics.b", "")]
    graph = {"keino_metrics.a": {"keino_metrics.b"}, "keino_metrics.b": {"keino_metrics.a"}}
    assert _cycles(graph) == [["keino_metrics.a", "keino_metrics.b"]]
