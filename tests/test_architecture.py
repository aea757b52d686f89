"""The package's import structure: no cycles, CLI glue at the edge, internal imports at module level.

The graph is read from the source (``ast``), so it sees imports hidden inside functions too: a
cycle that only works because one side imports late is still a cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.paths import ROOT

PACKAGE = ROOT / "bbws_scaffold"
COMMAND_MODULES = ("bbws_scaffold.__main__", "bbws_scaffold.cli", "bbws_scaffold.commands")


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int
    local: bool  # inside a function


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(module: str, node: ast.stmt, is_package: bool) -> list[str]:
    """The package modules an import statement loads (``from a import b`` loads ``a.b`` if it is one)."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom):
        base = _resolve(module, node, is_package)
        names = [base] + [f"{base}.{a.name}" for a in node.names]
    return [n for n in names if n in MODULES and n != module]


def _imports() -> list[Import]:
    found: list[Import] = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        local_nodes = {
            id(sub)
            for fn in ast.walk(tree)
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
            for sub in ast.walk(fn)
        }
        type_only = {
            id(sub)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
            for sub in ast.walk(node)
        }
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in type_only:
                for target in _targets(module, node, is_package):
                    found.append(Import(module, target, node.lineno, id(node) in local_nodes))
    return found


IMPORTS = _imports()


def _cycles(edges: list[Import]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for e in edges:
        graph[e.source].add(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _is_command(module: str) -> bool:
    return any(module == c or module.startswith(c + ".") for c in COMMAND_MODULES)


def test_the_graph_sees_the_package() -> None:
    # guards the checks below against reading nothing: the CLI imports command modules by name, and
    # the commands import the library
    assert "bbws_scaffold.model" in MODULES and "bbws_scaffold.commands.new" in MODULES
    assert any(e.source == "bbws_scaffold.commands.new" and e.target == "bbws_scaffold.render.new" for e in IMPORTS)
    assert any(e.source == "bbws_scaffold.model" and e.target == "bbws_scaffold.binding" for e in IMPORTS)


def test_no_import_cycle_at_module_level() -> None:
    assert _cycles([e for e in IMPORTS if not e.local]) == []


def test_no_import_cycle_even_through_late_imports() -> None:
    assert _cycles(IMPORTS) == []


def test_no_library_module_imports_a_command_module() -> None:
    offenders = [
        f"{e.source}:{e.line} -> {e.target}" for e in IMPORTS if not _is_command(e.source) and _is_command(e.target)
    ]
    assert offenders == []


# Late imports of the package's own modules that stay, and why: the runtime's CLI handlers (and the
# docker operations that reach ECR) import the AWS side when called, because it imports boto3
# (~150 ms) and ``--help``, argument errors, ``package`` and ``docker build|validate`` need none of it.
LATE_IMPORTS_ALLOWED = {
    "bbws_scaffold.runtime.commands",
    "bbws_scaffold.runtime.docker.cli",
    "bbws_scaffold.runtime.docker.ops",
}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_internal_imports_are_at_module_level(module: str) -> None:
    late = [f"{MODULES[module].name}:{e.line} -> {e.target}" for e in IMPORTS if e.source == module and e.local]
    if module in LATE_IMPORTS_ALLOWED:
        assert late, f"{module} has no late import any more: drop it from LATE_IMPORTS_ALLOWED"
    else:
        assert late == []


def _loaded_after(argv: list[str]) -> set[str]:
    """Modules loaded by building the CLI parser for ``argv``, in a fresh interpreter."""
    code = (
        "import sys\n"
        "from bbws_scaffold import cli\n"
        f"cli.build_parser({argv!r})\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    return set(res.stdout.split())


def test_the_cli_loads_only_the_command_it_runs() -> None:
    bare = _loaded_after(["--version"])
    assert not {m for m in bare if m.startswith("bbws_scaffold.commands.")}
    assert "pydantic" not in bare and "copier" not in bare  # --version and --help stay instant
    lld = _loaded_after(["lld", "parse", "x.md"])
    assert {m for m in lld if m.startswith("bbws_scaffold.commands.")} == {"bbws_scaffold.commands.lld"}
    assert "copier" not in lld and "git" not in lld
    # progress, colour and completion load their libraries only when they show something
    assert not {m for m in bare | lld if m.split(".")[0] in ("rich", "argcomplete")}
