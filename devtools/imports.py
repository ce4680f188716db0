"""`python -m devtools.imports`: the app dependency graph of the product packages, checked against
ARCHITECTURE.md §3.

Every import in the eight product packages is read with ``ast``: module-level, function-level and
those under ``if TYPE_CHECKING:`` (a type is a dependency too). It prints app -> app edges with the
number of import statements, and exits 1, naming file and line, on:

1. **A cycle between apps.**
2. **An import against §3's direction.** What each app may use is ``MAY_USE``:
   - every app uses autolab;
   - billing uses bookings and shop; inspections uses bookings (an inspection belongs to an appointment,
     and its PDF joins the appointment's reports);
   - bookings, shop, billing and chat use emails (to email a customer);
   - bookings, shop and billing use chat for their customers: chat owns the Users table (§3's layout),
     and chat itself uses none of them;
   - staffapp (decided from §3): it owns the Staff table, staff login and the portal shell, and every
     app's ``portal.py`` registers its pages into that shell. So every app may use staffapp, but
     only an app's portal layer may use the shell (``staffapp.sites``, ``actions``, ``paging``,
     ``rendering``, ...); other layers may use just the staff directory (``STAFF_DIRECTORY``).
     staffapp uses only autolab: the apps' pages reach it through ``autodiscover_modules("portal")``,
     never through an import of theirs.
3. **autolab importing an app** outside its wiring modules (``WIRING``: the URL conf, the ASGI
   application and the Celery app). They are the composition root: their edges are shown apart
   and left out of the cycle check.
4. **An import of an app's API or portal layer** (``apis``, ``*_apis``, ``portal``) from anywhere
   but URL and app wiring (``urls``, ``api_urls``, ``apps``) or that same layer: domain code, and
   the portal, never reach into the API layer for a shape; shared shapes live in ``serializers``.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

APPS = ("autolab", "staffapp", "bookings", "shop", "billing", "chat", "emails", "inspections")
MAY_USE: dict[str, frozenset[str]] = {
    "autolab": frozenset(),
    "staffapp": frozenset({"autolab"}),
    "emails": frozenset({"autolab", "staffapp"}),
    "chat": frozenset({"autolab", "staffapp", "emails"}),
    "bookings": frozenset({"autolab", "staffapp", "emails", "chat"}),
    "shop": frozenset({"autolab", "staffapp", "emails", "chat"}),
    "billing": frozenset({"autolab", "staffapp", "emails", "chat", "bookings", "shop"}),
    "inspections": frozenset({"autolab", "staffapp", "emails", "bookings"}),
}
WIRING = frozenset({"autolab.urls", "autolab.api_urls", "autolab.asgi", "autolab.celery"})
STAFF_DIRECTORY = frozenset({"staffapp.models", "staffapp.selectors", "staffapp.services"})
EDGE_WIRING = frozenset({"urls", "api_urls", "apps"})  # modules that may import an API or portal layer
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, e.g. "bookings.services"
    target: str  # the imported module, e.g. "emails.services"
    path: str  # the importing file, relative to the root
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def app_of(module: str) -> str:
    return module.split(".")[0]


def layer_of(module: str) -> str | None:
    """``apis`` or ``portal`` when ``module`` belongs to that layer of its app."""
    for part in module.split(".")[1:]:
        if part == "apis" or part.endswith("_apis"):
            return "apis"
        if part == "portal" or part.endswith("_portal"):
            return "portal"
    return None


# --- Reading the tree -----------------------------------------------------------------------------


def product_modules(root: Path, apps: Iterable[str] = APPS) -> dict[str, Path]:
    """Every module of the product packages under ``root`` (migrations aside), by dotted name."""
    modules = {}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "migrations" in parts:
                continue
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _base_of(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a ``from ... import`` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    anchor = package[: len(package) - node.level + 1]
    return ".".join([*anchor, node.module] if node.module else anchor)


def _targets(node: ast.stmt, module: str, is_package: bool, known: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = _base_of(node, module, is_package)
    # ``from bookings import apis`` imports the module bookings.apis, not just the package.
    named = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known]
    return list(dict.fromkeys(named)) or [base]


def imports_of(module: str, path: Path, root: Path, known: set[str]) -> Iterator[Import]:
    """The product imports of one module, one per imported module and statement."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    relative = path.relative_to(root).as_posix()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        for target in _targets(node, module, path.name == "__init__.py", known):
            if app_of(target) in MAY_USE:
                yield Import(module, target, relative, node.lineno)


def all_imports(root: Path) -> list[Import]:
    modules = product_modules(root)
    known = set(modules)
    return [found for module, path in modules.items() for found in imports_of(module, path, root, known)]


# --- The rules ------------------------------------------------------------------------------------


def direction_problem(found: Import) -> str | None:
    source_app, target_app = app_of(found.source), app_of(found.target)
    if source_app == target_app or found.source in WIRING:
        return None
    if source_app == "autolab":
        return f"{found.where}: autolab imports {found.target} outside its wiring ({', '.join(sorted(WIRING))})"
    if target_app not in MAY_USE[source_app]:
        allowed = ", ".join(sorted(MAY_USE[source_app]))
        return f"{found.where}: {source_app} may not import {found.target} (§3: {source_app} may use {allowed})"
    if target_app == "staffapp" and found.target not in STAFF_DIRECTORY and layer_of(found.source) != "portal":
        return f"{found.where}: {found.source} imports staffapp's portal shell ({found.target}); only a portal may"
    return None


def layer_problem(found: Import) -> str | None:
    layer = layer_of(found.target)
    if layer is None or found.source in WIRING or found.source.split(".")[-1] in EDGE_WIRING:
        return None
    if app_of(found.source) == app_of(found.target) and layer_of(found.source) == layer:
        return None
    return f"{found.where}: {found.source} imports {found.target}, the {layer} layer (only URL and app wiring may)"


def app_graph(imports: Iterable[Import]) -> dict[tuple[str, str], list[Import]]:
    """app -> app edges (wiring aside), each with one import per statement."""
    edges: dict[tuple[str, str], list[Import]] = defaultdict(list)
    seen: set[tuple[str, int, str]] = set()
    for found in imports:
        edge = (app_of(found.source), app_of(found.target))
        statement = (found.path, found.line, edge[1])
        if edge[0] != edge[1] and found.source not in WIRING and statement not in seen:
            seen.add(statement)
            edges[edge].append(found)
    return edges


def cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The groups of apps that import each other in a circle (strongly connected, more than one)."""
    successors: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        successors[source].add(target)

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for following in successors[todo.pop()] - seen:
                seen.add(following)
                todo.append(following)
        return seen

    reach = {app: reachable(app) for app in APPS}
    groups = {frozenset({app} | {other for other in reach[app] if app in reach[other]}) for app in APPS}
    return sorted(sorted(group) for group in groups if len(group) > 1)


def problems(imports: list[Import]) -> list[str]:
    found = [problem for each in imports for problem in (direction_problem(each), layer_problem(each)) if problem]
    edges = app_graph(imports)
    for group in cycles(edges):
        inside = [f"{a} -> {b} ({edges[(a, b)][0].where})" for a, b in sorted(edges) if a in group and b in group]
        found.append(f"cycle between apps {', '.join(group)}: {'; '.join(inside)}")
    return found


# --- Output ---------------------------------------------------------------------------------------


def graph_lines(imports: list[Import]) -> list[str]:
    edges = app_graph(imports)
    lines = ["App dependencies (app -> apps it imports, with the number of import statements):"]
    width = max(len(app) for app in APPS)
    for app in sorted(APPS):
        used = ", ".join(f"{b} {len(edges[(a, b)])}" for a, b in sorted(edges) if a == app)
        lines.append(f"  {app:<{width}} -> {used or '-'}")
    wiring = Counter(
        (found.source, app_of(found.target))
        for found in imports
        if found.source in WIRING and app_of(found.target) != app_of(found.source)
    )
    wired = ", ".join(f"{source} -> {app} {count}" for (source, app), count in sorted(wiring.items()))
    lines.append(f"  wiring (composition root): {wired or '-'}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.imports", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository to check (default: this one)")
    root = parser.parse_args(argv).root.resolve()
    imports = all_imports(root)
    print("\n".join(graph_lines(imports)))
    found = problems(imports)
    if found:
        print(f"{len(found)} import problem(s) against ARCHITECTURE.md §3:", file=sys.stderr)
        print("\n".join(f"  {problem}" for problem in found), file=sys.stderr)
        return 1
    print("No cycle between apps, and every import follows ARCHITECTURE.md §3.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
