"""The shape of the package (DESIGN section 1): no import cycle among derive's modules, and
the library reaches neither the verifier nor the renderers when it is imported."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "derive"


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return name.removesuffix(".__init__")


def import_graph() -> dict[str, set[str]]:
    """Module -> the derive modules it imports at load time (imports inside functions, and
    under TYPE_CHECKING, excluded), with the packages an import loads on the way; a module
    importing its own package is Python's package pattern, not an edge."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for m, path in modules.items():
        for node in ast.parse(path.read_text()).body:
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = [f"{node.module}.{a.name}" for a in node.names
                        if f"{node.module}.{a.name}" in modules]
                targets += subs
                if len(subs) < len(node.names):
                    targets.append(node.module)
            elif isinstance(node, ast.Import):
                targets += [a.name for a in node.names]
            for t in targets:
                parts = t.split(".")
                for k in range(1, len(parts) + 1):
                    loaded = ".".join(parts[:k])
                    if loaded in modules and not (m == loaded or m.startswith(loaded + ".")):
                        graph[m].add(loaded)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_import_graph_is_read_correctly() -> None:
    graph = import_graph()
    assert "derive.proof" in graph["derive.library.sigmoid"]
    assert "derive.verify" in graph["derive.pipeline"]
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_no_import_cycle_in_derive() -> None:
    assert cycles(import_graph()) == []


LIBRARY_MODULES = sorted(module_name(p) for p in (PACKAGE / "library").glob("*.py"))
VERIFIER_AND_RENDERERS = ("derive.verify", "derive.identities", "derive.tactics",
                          "derive.sympy_speedups", "derive.batch", "derive.pipeline",
                          "derive.verdict_cache", "derive.render")


@pytest.mark.parametrize("module", LIBRARY_MODULES)
def test_importing_a_derivation_module_loads_no_verifier_or_renderer(module: str) -> None:
    probe = (f"import sys, {module}; print(sorted(m for m in sys.modules if m.startswith("
             f"{VERIFIER_AND_RENDERERS!r})))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert out.strip() == "[]", f"{module} loads {out.strip()}"


def test_the_renderers_import_neither_the_registry_nor_the_library_nor_the_pipeline() -> None:
    graph = import_graph()
    for module in (m for m in graph if m.startswith("derive.render")):
        reached = {t for t in graph[module]
                   if t in ("derive.registry", "derive.pipeline", "derive.verify")
                   or t.startswith(("derive.library", "derive.build"))}
        assert not reached, f"{module} imports {sorted(reached)}"
    source = "\n".join(p.read_text() for p in (PACKAGE / "render").glob("*.py"))
    for name in ("derive.registry", "derive.pipeline", "derive.library", "derive.build"):
        assert name not in source, f"a renderer names {name}"


def test_no_test_file_skips_whole_for_want_of_an_optional_package() -> None:
    # a module-level importorskip("torch") skipped every test of its file, torch or not;
    # the `torch` fixture (conftest.py) skips only the tests that ask for it
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        for node in ast.parse(path.read_text()).body:
            calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)
                     and getattr(n.func, "attr", None) == "importorskip"]
            assert not (calls and not isinstance(node, (ast.FunctionDef, ast.ClassDef))), \
                f"{path.name}:{node.lineno} skips the whole file"


def test_a_document_reaches_verification_by_one_road() -> None:
    """The build driver does not verify; the pipeline's catalogue does, before rendering,
    for the derivations the template names (read from Jinja's syntax tree, includes too)."""
    from derive.render.environment import make_environment, named_derivations

    driver = (PACKAGE / "build" / "driver.py").read_text()
    assert "verify_library" not in driver and "re.compile" not in driver
    import jinja2

    env = make_environment()
    env.loader = jinja2.DictLoader({
        "doc.j2": '((* include "part.j2" *))((( derivation("b") )))((( derivation(name) )))',
        "part.j2": '((( derivation( "a" ) )))((( example("not-a-derivation") )))'})
    assert sorted(named_derivations(env, "doc.j2")) == ["a", "b"]


# The tests mirror the package: tests/test_<module>.py for derive/<module>.py and
# tests/test_<package>_<module>.py for derive/<package>/<module>.py (render, build, numeric,
# library); a test of a layer that is no one module's keeps the layer's name.
LAYERS = frozenset({
    "architecture",                                       # the shape of the package
    "cli", "tutorial", "user_library",                    # end-to-end
    "library", "sheet_a_derivations", "sheets_b_c",       # the library's regression tests
    "sheets_reading", "render_alignment",                 # what a reader of the sheets sees
    "oracle", "oracle_independence",                      # oracles
    "mutants",                                            # mutation testing
    "build_hardening",                                    # hostile documents, faults
    "handwritten", "fuzz",                                # derive check on real and hostile input
    "verify_adversarial",                                 # hostile steps, near misses
    "verifier_round8",                                    # attack round 8: the same, by theme
    "verifier_round9",                                    # attack round 9: the same, by theme
    "verifier_round10",                                   # attack round 10: the same, by theme
})


def mirrored_names() -> set[str]:
    """The stems a module's test file may have: ``<module>`` and ``<package>_<module>``."""
    stems = set()
    for path in PACKAGE.rglob("*.py"):
        if path.stem == "__init__":
            continue
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        stems.add("_".join(parts))
    return stems


def unmirrored(test_files: list[str]) -> list[str]:
    """The test files named after neither a module of derive nor a layer."""
    allowed = mirrored_names() | LAYERS
    return [name for name in test_files
            if name.removeprefix("test_").removesuffix(".py") not in allowed]


def test_every_test_file_is_named_after_a_module_or_a_layer() -> None:
    assert {"verify", "render_latex", "build_driver", "numeric_graph"} <= mirrored_names()
    assert unmirrored(["test_verify.py", "test_render_latex.py", "test_cli.py",
                       "test_trust.py", "test_latex.py", "test_render_verify.py"]) == [
        "test_trust.py", "test_latex.py", "test_render_verify.py"]
    files = sorted(p.name for p in Path(__file__).parent.glob("test_*.py"))
    assert len(files) > len(LAYERS)
    assert unmirrored(files) == [], "name a test file after the module it tests " \
        "(tests/test_<module>.py, tests/test_<package>_<module>.py) or add its layer to LAYERS"
