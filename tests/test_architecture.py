"""Architecture rules that code review alone would let slip."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

import thinkaloud

ROOT = Path(__file__).resolve().parents[1]

CORE_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(thinkaloud.__path__, prefix="thinkaloud.")
    if not m.name.startswith("thinkaloud.ui") and m.name != "thinkaloud.__main__"
)


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_textual(module):
    """Only thinkaloud.ui may import Textual; checked in a fresh interpreter per module."""
    code = f"import sys, {module}; sys.exit(1 if 'textual' in sys.modules else 0)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, f"{module} imports textual (or failed: {done.stderr[-500:]})"


def test_help_starts_without_heavy_imports():
    code = (
        "import sys\n"
        "from thinkaloud.cli import build_parser\n"
        "build_parser()\n"
        "heavy = [m for m in ('faster_whisper', 'spacy', 'textual', 'ctranslate2', 'sounddevice', 'av') if m in sys.modules]\n"
        "print(', '.join(heavy), file=sys.stderr)\n"
        "sys.exit(1 if heavy else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_module_has_a_docstring():
    import importlib

    missing = [m for m in CORE_MODULES if not (importlib.import_module(m).__doc__ or "").strip()]
    assert missing == []



# --- the import graph ---------------------------------------------------------------
# grimp (what import-linter builds on) reads every import statement, including
# the ones inside functions that keep `thinkaloud --help` fast, so a lazy
# import cannot hide a dependency from these checks.


def test_import_contracts_hold():
    """The contracts in pyproject.toml ([tool.importlinter]): layers, libraries where they belong, no cycles."""
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    # Run from the checkout, so it is this tree that is analysed (sys.path[0] is the
    # working directory) and its pyproject.toml that is read; no cache left behind.
    done = subprocess.run([sys.executable, "-c", code, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"lint-imports failed:\n{done.stdout}\n{done.stderr}"


def test_the_textual_contract_names_every_module_but_ui():
    """Its source modules are listed by hand (the layers contract is exhaustive, this one cannot be)."""
    from importlinter.api import read_configuration

    contracts = read_configuration(str(ROOT / "pyproject.toml"))["contracts_options"]
    (textual,) = [c for c in contracts if c.get("id") == "textual"]
    children = {f"thinkaloud.{m.name}" for m in pkgutil.iter_modules(thinkaloud.__path__)}
    assert set(textual["source_modules"]) == children - {"thinkaloud.ui"}


@pytest.fixture(scope="module")
def imports():
    """importer -> imported -> line numbers, for every import between thinkaloud's modules."""
    import grimp

    graph = grimp.build_graph("thinkaloud", cache_dir=None)
    found: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            details = graph.get_import_details(importer=importer, imported=imported)
            found[importer][imported] = sorted(d["line_number"] for d in details)
    return found


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(edges.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


def _describe(cycle: list[str], imports, owner) -> str:
    members = set(cycle)
    lines = [f"cycle among {', '.join(cycle)}:"]
    for importer, targets in sorted(imports.items()):
        for imported, numbers in sorted(targets.items()):
            a, b = owner(importer), owner(imported)
            if a in members and b in members and a != b:
                lines.append(f"    {importer} -> {imported} (line {', '.join(map(str, numbers))})")
    return "\n".join(lines)


def test_no_import_cycle_between_subpackages(imports):
    """Within thinkaloud and within each of its packages, no two children import each other, even indirectly."""
    modules = set(imports) | {m for targets in imports.values() for m in targets}
    packages = {m.rsplit(".", 1)[0] for m in modules if "." in m}
    problems = []
    for package in sorted(packages):
        depth = package.count(".") + 1

        def child(module: str, package=package, depth=depth) -> str | None:
            inside = module.startswith(package + ".")
            return ".".join(module.split(".")[: depth + 1]) if inside else None

        edges: dict[str, set[str]] = defaultdict(set)
        for importer, targets in imports.items():
            for imported in targets:
                a, b = child(importer), child(imported)
                if a and b and a != b:
                    edges[a].add(b)
        problems += [_describe(cycle, imports, child) for cycle in _cycles(edges)]
    assert not problems, "import cycles:\n" + "\n".join(problems)


def test_no_import_cycle_between_modules(imports):
    """Module by module too, so a package's __init__ cannot close a cycle either."""
    edges = {importer: set(targets) for importer, targets in imports.items()}
    problems = [_describe(cycle, imports, lambda m: m) for cycle in _cycles(edges)]
    assert not problems, "import cycles:\n" + "\n".join(problems)
