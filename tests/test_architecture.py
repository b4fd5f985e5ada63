"""Architecture rules, read from the source with ``ast``: no import cycle between files, no Streamlit
in the runtime package, benchmarks reached from one place only.

Every import counts, wherever it stands: at the top, inside a function, under ``if TYPE_CHECKING:``
(a reader follows them all). Only imports of the files in scope make edges: ``recommender/``, a
top-level ``webapp/`` and ``app.py`` when they exist.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from recommender.paths import ROOT

PACKAGES = ("recommender", "webapp")
SCRIPTS = ("app.py",)


@dataclass(frozen=True)
class Import:
    """One imported name as an absolute dotted path (``recommender.engine.Recommender``)."""

    target: str
    line: int
    function: str | None  # the innermost enclosing function, None at module or class level


def module_files(
    root: Path, packages: tuple[str, ...] = PACKAGES, scripts: tuple[str, ...] = SCRIPTS
) -> dict[str, Path]:
    """Dotted module name → file, for the packages and top-level scripts that exist under ``root``."""
    modules: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    for script in scripts:
        if (root / script).is_file():
            modules[Path(script).stem] = root / script
    return modules


class _Imports(ast.NodeVisitor):
    def __init__(self, package: str) -> None:
        self.package = package  # the package relative imports start from
        self.found: list[Import] = []
        self.functions: list[str] = []

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def _add(self, target: str, node: ast.stmt) -> None:
        self.found.append(Import(target, node.lineno, self.functions[-1] if self.functions else None))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            parts = self.package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        for alias in node.names:
            self._add(base if alias.name == "*" else f"{base}.{alias.name}", node)


def imports_of(name: str, path: Path) -> list[Import]:
    """Every import in the file of module ``name``, relative ones made absolute."""
    is_package = path.name == "__init__.py"
    visitor = _Imports(name if is_package else name.rpartition(".")[0])
    visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return visitor.found


def resolve(target: str, modules: dict[str, Path]) -> str | None:
    """The deepest module in scope that ``target`` names or lies in (``a.b.name`` → ``a.b``), else None."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return None


def import_graph(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    """Module → {imported module in scope → line of its first import}; self-imports left out."""
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        edges: dict[str, int] = {}
        for imp in imports_of(name, path):
            target = resolve(imp.target, modules)
            if target is not None and target != name:
                edges.setdefault(target, imp.line)
        graph[name] = edges
    return graph


def _reachable(graph: dict[str, dict[str, int]], start: str) -> set[str]:
    """The modules reachable from ``start`` by one import or more (``start`` itself only on a cycle)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph.get(todo.pop(), {}):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def strongly_connected(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The groups of modules that reach each other, only those of two or more, sorted."""
    reach = {node: _reachable(graph, node) for node in graph}
    groups = {tuple(sorted(m for m in reach[node] if node in reach[m])) for node in graph if node in reach[node]}
    return sorted(list(g) for g in groups if len(g) > 1)


def describe_cycles(graph: dict[str, dict[str, int]], modules: dict[str, Path], root: Path) -> list[str]:
    """One paragraph per cycle: its files, then each import inside it as ``file:line → file``."""
    out = []
    for group in strongly_connected(graph):
        members = set(group)
        files = [modules[m].relative_to(root).as_posix() for m in group]
        lines = [f"cycle of {len(group)} files: {', '.join(files)}"]
        for src in group:
            for dst, line in sorted(graph[src].items()):
                if dst in members:
                    src_file, dst_file = modules[src].relative_to(root), modules[dst].relative_to(root)
                    lines.append(f"  {src_file.as_posix()}:{line} → {dst_file.as_posix()}")
        out.append("\n".join(lines))
    return out


def _runtime_imports(prefix: str) -> list[tuple[str, Import]]:
    """Imports of ``prefix`` or its submodules by files under recommender/, with their file."""
    modules = module_files(ROOT, packages=("recommender",), scripts=())
    return [
        (modules[name].relative_to(ROOT).as_posix(), imp)
        for name in sorted(modules)
        for imp in imports_of(name, modules[name])
        if imp.target == prefix or imp.target.startswith(prefix + ".")
    ]


# --- the rules --------------------------------------------------------------------------------


def test_no_import_cycle_between_files():
    modules = module_files(ROOT)
    cycles = describe_cycles(import_graph(modules), modules, ROOT)
    assert not cycles, f"{len(cycles)} import cycle(s):\n" + "\n".join(cycles)


def test_runtime_package_does_not_import_streamlit():
    found = [f"{file}:{imp.line} imports {imp.target}" for file, imp in _runtime_imports("streamlit")]
    assert not found, "Streamlit belongs to the app, not recommender/:\n" + "\n".join(found)


def test_only_the_cli_bench_handler_imports_benchmarks():
    found = _runtime_imports("benchmarks")
    elsewhere = [
        f"{file}:{imp.line} imports {imp.target}"
        for file, imp in found
        if not (file == "recommender/cli.py" and imp.function == "cmd_bench")
    ]
    assert not elsewhere, "benchmarks/ is reached only from cli.cmd_bench:\n" + "\n".join(elsewhere)
    assert found, "cli.cmd_bench should import benchmarks (the `bench` command)"


# --- the checker itself, on a synthetic tree ---------------------------------------------------


def _tree(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return module_files(root, packages=("pkg",), scripts=("app.py",))


def test_cycle_finder_sees_relative_lazy_and_type_checking_imports(tmp_path):
    modules = _tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from . import b\n",
            "pkg/b.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .sub.c import Thing\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/c.py": "def f():\n    from ..a import g\n",
            "pkg/sub/d.py": "import pkg.a\nfrom .. import b\nfrom .c import Thing\n",
            "app.py": "from pkg.sub import d\n",
        },
    )
    graph = import_graph(modules)
    assert graph["pkg.a"] == {"pkg.b": 1}
    assert graph["pkg.b"] == {"pkg.sub.c": 4}
    assert graph["pkg.sub.c"] == {"pkg.a": 2}
    assert graph["pkg.sub.d"] == {"pkg.a": 1, "pkg.b": 2, "pkg.sub.c": 3}
    assert graph["app"] == {"pkg.sub.d": 1}
    assert strongly_connected(graph) == [["pkg.a", "pkg.b", "pkg.sub.c"]]
    assert describe_cycles(graph, modules, tmp_path) == [
        "cycle of 3 files: pkg/a.py, pkg/b.py, pkg/sub/c.py\n"
        "  pkg/a.py:1 → pkg/b.py\n"
        "  pkg/b.py:4 → pkg/sub/c.py\n"
        "  pkg/sub/c.py:2 → pkg/a.py"
    ]


def test_cycle_finder_passes_a_tree_without_cycles(tmp_path):
    modules = _tree(
        tmp_path,
        {
            "pkg/__init__.py": "from .a import f\n",
            "pkg/a.py": "import os\n\nfrom .b import g\n",
            "pkg/b.py": "import pkg\n",  # the package, not a.py: b → __init__ → a → b is a cycle
        },
    )
    graph = import_graph(modules)
    assert strongly_connected(graph) == [["pkg", "pkg.a", "pkg.b"]]
    (tmp_path / "pkg/b.py").write_text("import json\n", encoding="utf-8")
    assert strongly_connected(import_graph(modules)) == []


def test_import_records_the_enclosing_function(tmp_path):
    modules = _tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/cli.py": "import benchmarks\n\ndef cmd_bench():\n    from benchmarks.suite import run\n",
        },
    )
    found = imports_of("pkg.cli", modules["pkg.cli"])
    assert found == [Import("benchmarks", 1, None), Import("benchmarks.suite.run", 4, "cmd_bench")]
