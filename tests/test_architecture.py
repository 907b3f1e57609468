"""The package import graph against the declared layer order (docs/architecture.md): no upward import, no cycle.

Every import counts, also those inside functions and under ``TYPE_CHECKING``: a lazy import is still a
dependency. A new package must be given a layer here; an exception needs an entry in ``ALLOWED`` with a reason.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROOTS = {"careeros": REPO / "src" / "careeros", "flows": REPO / "flows", "tasks": REPO / "tasks"}

#: Lowest first. A unit may import its own layer and the layers below it, never one above.
#: A unit is a subpackage (or top-level module) of ``careeros``, or the ``tasks`` / ``flows`` package.
LAYERS: list[set[str]] = [
    {"careeros", "settings", "profile", "progress", "resources", "hashing", "redact", "demo_home"},  # base
    {"quality", "taxonomy"},  # data-quality suites, taxonomy readers (pure, over files)
    {"warehouse"},  # DuckDB: migrations, loaders, provenance
    {"graph", "memory", "llm"},  # skill & role graph, LanceDB memory, LLM client
    {"market", "evidence", "outbox", "profile_history"},  # market signals, evidence, outbound queue, profile versions
    {"planner"},  # gaps, transitions, plans, approval
    {"metrics", "agents", "integrations"},  # retrospective metrics; role agents; calendar, portfolio, learning
    {"reports", "portability"},  # HTML report over metrics and plans; export, import, forget
    {"tasks"},  # thin Prefect tasks over the domain
    {"flows"},  # Prefect flows composing the tasks
    {"ops"},  # serving the flows
    {"cli", "demo"},  # callers: parse arguments, call the domain or the flows, print
]

#: Known exceptions, (importing module, imported module) -> reason. An entry that no longer occurs fails the test,
#: so the list only shrinks.
ALLOWED: dict[tuple[str, str], str] = {
    ("careeros.agents.demo", "careeros.cli.approvals"): "demo code in a domain package (the demo rewrite moves it "
                                                        "into one CLI module)",
    ("careeros.agents.demo", "careeros.demo"): "demo code in a domain package (demo rewrite)",
    ("careeros.agents.demo", "flows.run_agents"): "demo code in a domain package (demo rewrite)",
    ("careeros.planner.demo", "careeros.cli.approvals"): "demo code in a domain package (demo rewrite)",
    ("careeros.planner.demo", "careeros.demo"): "demo code in a domain package (demo rewrite)",
    ("careeros.planner.demo", "flows.recalculate_weekly_plan"): "demo code in a domain package (demo rewrite)",
    ("careeros.demo", "careeros.cli"): "the demo calls the Typer app from library code, a cli <-> demo circle "
                                       "(demo rewrite: one CLI module that calls the flows)",
    ("careeros.demo", "careeros.cli.core"): "cli <-> demo circle (demo rewrite)",
    ("careeros.demo", "careeros.cli.memory"): "cli <-> demo circle (demo rewrite)",
}


def unit(module: str) -> str:
    """The layered unit of a dotted module name."""
    parts = module.split(".")
    if parts[0] != "careeros":
        return parts[0]
    return parts[1] if len(parts) > 1 else "careeros"


def module_name(root: str, path: Path) -> str:
    """Dotted name of a source file under one of ROOTS."""
    rel = path.relative_to(ROOTS[root]).with_suffix("")
    name = ".".join([root, *rel.parts])
    return name.removesuffix(".__init__")


@lru_cache(maxsize=1)
def imports() -> dict[str, set[str]]:
    """Importing module -> internal modules it imports (absolute and relative imports, at any depth)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for root in ROOTS:
        for path in sorted(ROOTS[root].rglob("*.py")):
            mod = module_name(root, path)
            package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if isinstance(node, ast.Import):
                    targets = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    base = node.module or ""
                    if node.level:
                        anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                        base = ".".join([*anchor, base] if base else anchor)
                    targets = [base]
                else:
                    continue
                edges[mod].update(t for t in targets if t.split(".")[0] in ROOTS)
    return edges


def layer_of() -> dict[str, int]:
    """Unit -> index of its layer."""
    return {name: i for i, layer in enumerate(LAYERS) for name in layer}


def test_every_unit_has_a_layer() -> None:
    layers = layer_of()
    units = {unit(m) for m in imports()} | {unit(t) for ts in imports().values() for t in ts}
    missing = sorted(units - set(layers))
    assert not missing, f"give these packages a layer in tests/test_architecture.py LAYERS: {missing}"


def test_no_upward_import() -> None:
    layers = layer_of()
    upward = []
    for mod, targets in imports().items():
        for target in targets:
            src, dst = unit(mod), unit(target)
            if src in layers and dst in layers and layers[dst] > layers[src] and (mod, target) not in ALLOWED:
                upward.append(f"{mod} ({src}) -> {target} ({dst})")
    assert not upward, "imports from a lower layer to a higher one:\n" + "\n".join(sorted(upward))


def test_no_cycle_between_units() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for mod, targets in imports().items():
        for target in targets:
            if unit(mod) != unit(target) and (mod, target) not in ALLOWED:
                graph[unit(mod)].add(unit(target))
    cycles = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*stack[stack.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, "import cycles between packages:\n" + "\n".join(cycles)


def test_allow_list_is_current() -> None:
    edges = imports()
    stale = [f"{a} -> {b}" for a, b in ALLOWED if b not in edges.get(a, set())]
    assert not stale, f"remove fixed entries from ALLOWED: {stale}"
