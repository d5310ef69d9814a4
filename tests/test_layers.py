"""The package layout holds: no module imports a later stage, and no import cycles.

Every ``import`` in ``pipeline/`` is read with ``ast`` (function-level imports too, so a
lazy import cannot hide a dependency). The order below is the pipeline's, spelled out in
docs/architecture.md: shared core first, then the stages in the order a run meets them.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pipeline

ROOT = Path(pipeline.__file__).parent
# each layer may import its own package and any earlier layer, never a later one
LAYERS: list[set[str]] = [
    {"errors", "text"},
    {"models"},
    {"config", "progress"},
    {"store"},
    {"llm"},
    {"ingest"},
    {"stories"},
    {"write"},
    {"check"},
    {"markdown"},
    {"publish"},
    {"formats"},
    {"review"},
    {"flows"},
    {"cli"},
]
RANK = {name: rank for rank, layer in enumerate(LAYERS) for name in layer}


def module_name(path: Path) -> str:
    """The dotted module name of a file under pipeline/."""
    parts = ("pipeline", *path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path) -> set[str]:
    """Every absolute module name a file imports, at any depth."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def imported(path: Path) -> set[str]:
    """The pipeline modules a file imports (absolute and relative, at any depth)."""
    found: set[str] = set()
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found |= {base} | {f"{base}.{a.name}" for a in node.names}
    return {name for name in found if name == "pipeline" or name.startswith("pipeline.")}


def graph() -> dict[str, set[str]]:
    """Module → the pipeline modules it imports (only names that are modules)."""
    files = {module_name(p): p for p in ROOT.rglob("*.py")}
    return {
        name: {m for m in imported(path) if m in files and m != name}
        for name, path in files.items()
    }


def top(module: str) -> str:
    """The top-level package or module of pipeline a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "pipeline"


def test_every_package_has_a_layer() -> None:
    tops = {top(m) for m in graph()} - {"pipeline"}
    assert tops <= set(RANK), f"add to LAYERS: {sorted(tops - set(RANK))}"


def test_no_module_imports_a_later_stage() -> None:
    late = sorted(
        f"{name} imports {dep}"
        for name, deps in graph().items()
        for dep in deps
        if top(name) in RANK and top(dep) in RANK and RANK[top(dep)] > RANK[top(name)]
    )
    assert late == []


def test_nothing_imports_the_cli() -> None:
    users = sorted(
        n for n, deps in graph().items() if top(n) != "cli" for d in deps if top(d) == "cli"
    )
    assert users == []


def test_prefect_is_imported_only_by_the_prefect_layer() -> None:
    """Prefect lives in flows/ (digest, runner, schedule, prefect_env); the flow body does not."""
    users = sorted(
        module_name(path)
        for path in ROOT.rglob("*.py")
        if any(n == "prefect" or n.startswith("prefect.") for n in imported_names(path))
    )
    assert users == [f"pipeline.flows.{m}" for m in ("digest", "prefect_env", "runner", "schedule")]


def test_every_pipeline_module_named_in_an_import_exists() -> None:
    """Tests and benchmarks too (mypy ignores missing imports, so a stale path hides there)."""
    project = ROOT.parent
    files = [p for d in ("pipeline", "tests", "benchmarks") for p in (project / d).rglob("*.py")]
    missing = sorted(
        f"{path.relative_to(project)}: {name}"
        for path in files
        for name in imported_names(path)
        if name.split(".")[0] == "pipeline" and not module_exists(project, name)
    )
    assert missing == []


def module_exists(project: Path, name: str) -> bool:
    """Whether a dotted module name is a file or a package of the project."""
    base = project.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def test_no_import_cycles() -> None:
    assert find_cycle(graph()) is None


def test_the_checks_see_a_cycle_and_a_late_import() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert RANK["flows"] > RANK["write"] > RANK["ingest"] > RANK["models"]


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (first module repeated at the end), or None."""
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(edges.get(node, ())):
            if state[dep] == 1:
                return [*stack[stack.index(dep) :], dep]
            if state[dep] == 0 and (cycle := visit(dep)) is not None:
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if state[start] == 0 and (cycle := visit(start)) is not None:
            return cycle
    return None
