"""The package import graph against the declared layer order (docs/architecture.md): no upward import, no cycle.

Every import counts, also those inside functions and under ``TYPE_CHECKING``: a lazy import is still a
dependency. A new package must be given a layer here; an exception needs an entry in ``ALLOWED`` with a reason.
Also: only the CLI imports the CLI, no two modules import each other (directly or round a longer circle), demo code
lives in the CLI, and Prefect is imported only by the orchestration layer (``flows``, ``tasks``) and the few
``careeros.ops`` modules named in ``PREFECT_USERS``.
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
    {"careeros", "settings", "profile", "progress", "resources", "hashing", "redact", "demo_home", "diskcache"},  # base
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
    {"cli"},  # callers: parse arguments, call the domain or the flows, print (``careeros demo`` included)
]

#: Known exceptions, (importing module, imported module) -> reason. An entry that no longer occurs fails the test,
#: so the list only shrinks.
ALLOWED: dict[tuple[str, str], str] = {}

#: The modules under src/careeros that import Prefect, each with the reason. Everything else in the package is
#: Prefect-free: the domain's decision forms are plain pydantic models (``flows.human.run_input`` makes their twins).
PREFECT_USERS: dict[str, str] = {
    "careeros.ops.pgserver": "server mode: work pool, deployments, schedules, automations and process workers",
    "careeros.ops.proposal": "starts the plan-approval run from its deployment (run_deployment) and reads its state",
    "careeros.ops.server": "points an already imported Prefect at the home's server (its frozen settings)",
    "careeros.ops.serving": "serves every flow with its schedule (prefect.serve, Cron)",
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
def sources() -> dict[str, Path]:
    """Dotted module name -> source file, for every module under ROOTS."""
    return {module_name(root, path): path for root in ROOTS for path in sorted(ROOTS[root].rglob("*.py"))}


@lru_cache(maxsize=1)
def raw_imports() -> dict[str, set[str]]:
    """Importing module -> every dotted name it imports, internal or not (``from a import b`` gives ``a.b`` when
    ``a.b`` is a module of ours, else ``a``; relative imports made absolute; imports at any depth)."""
    mods = sources()
    edges: dict[str, set[str]] = defaultdict(set)
    for mod, path in mods.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            else:
                continue
            edges[mod].update(targets)
    return edges


@lru_cache(maxsize=1)
def imports() -> dict[str, set[str]]:
    """Importing module -> internal modules it imports (absolute and relative imports, at any depth)."""
    return {mod: {t for t in targets if t.split(".")[0] in ROOTS} for mod, targets in raw_imports().items()}


def within(module: str, package: str) -> bool:
    """True when ``module`` is ``package`` or inside it."""
    return module == package or module.startswith(package + ".")


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


def test_only_the_cli_imports_the_cli() -> None:
    callers = sorted(f"{mod} -> {t}" for mod, targets in imports().items() if not within(mod, "careeros.cli")
                     for t in targets if within(t, "careeros.cli"))
    assert not callers, "modules outside careeros.cli that import the CLI:\n" + "\n".join(callers)


def test_no_cycle_between_modules() -> None:
    """No module imports itself round a circle of imports (function-level imports count: each is an edge)."""
    mods = sources()
    graph: dict[str, set[str]] = defaultdict(set)
    for mod, targets in imports().items():
        for target in targets:
            while target not in mods and "." in target:  # ``import a.b.name`` of a non-module name: its module
                target = target.rpartition(".")[0]
            if target in mods and target != mod:
                graph[mod].add(target)
    # Tarjan's strongly connected components (iterative): a component of more than one module is a circle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    for start in sorted(mods):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    assert not circles, "modules that import each other (round a circle):\n" + "\n".join(
        " <-> ".join(c) for c in circles)


def test_demo_code_lives_in_the_cli() -> None:
    demos = sorted(m for m in sources() if m.rpartition(".")[2] == "demo" and not within(m, "careeros.cli"))
    assert not demos, f"demo code outside careeros.cli (the demo is a caller, not a domain module): {demos}"


def test_prefect_only_in_orchestration() -> None:
    users = {mod for mod, targets in raw_imports().items() if within(mod, "careeros")
             and any(within(t, "prefect") for t in targets)}
    unexpected = sorted(users - set(PREFECT_USERS))
    assert not unexpected, ("modules under src/careeros that import prefect (forms are plain pydantic models; "
                            f"flows.human makes their Prefect twins): {unexpected}")
    stale = sorted(set(PREFECT_USERS) - users)
    assert not stale, f"remove from PREFECT_USERS, they no longer import prefect: {stale}"
