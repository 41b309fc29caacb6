"""Benchmark of a clean `make pdf`: import, derive + verify, render, LaTeX; then the
incremental build of issue 24 in a copy of the project: a clean build, an edit of one
derivation's module, a no-op rebuild, and the ratios the issue sets as targets.

Run with `make bench`. Prints seconds per phase and the share spent outside the TeX engine.
Last, issue 20's target: `derive variants c12` for 200 students (exercise + solution each)
over the cores; `make bench-variants` (bench/bench.py --only variants [--students N]) runs
only that part.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def seconds(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    os.environ["DERIVE_CACHE"] = "off"   # measure a cold verification, as on a clean checkout
    py = sys.executable
    sympy_only = min(seconds([py, "-c", "import sympy"]) for _ in range(3))
    derive_import = min(seconds([py, "-c", "import sympy, derive, derive.cli"]) for _ in range(3))
    print(f"import sympy                 {sympy_only:6.2f} s")
    print(f"import derive beyond sympy   {derive_import - sympy_only:6.2f} s")

    start = time.perf_counter()
    from derive.pipeline import verify_library
    from derive.registry import EXAMPLES, names

    names()
    t_import = time.perf_counter() - start
    start = time.perf_counter()
    verify_library()
    for build in EXAMPLES.values():
        build()
    t_verify = time.perf_counter() - start
    print(f"load the library             {t_import:6.2f} s")
    print(f"derive + verify everything   {t_verify:6.2f} s")

    from derive.build.driver import SHEET_DIR, compile_latex, render_tex, sheet_names

    out = Path(tempfile.mkdtemp(prefix="derive-bench-"))
    t_render = t_tex = 0.0
    for name in sheet_names():
        start = time.perf_counter()
        tex = render_tex(SHEET_DIR / f"{name}.tex.j2")
        t_render += time.perf_counter() - start
        path = out / f"{name}.tex"
        path.write_text(tex)
        start = time.perf_counter()
        compile_latex(path)
        t_tex += time.perf_counter() - start
    print(f"render templates             {t_render:6.2f} s")
    print(f"LaTeX compile (latexmk)      {t_tex:6.2f} s")
    total = t_import + t_verify + t_render + t_tex
    print(f"share outside the TeX engine {100 * (total - t_tex) / total:6.1f} %")
    shutil.rmtree(out)

    # Figures alone: their data and LaTeX code, then a document of every figure compiled.
    from derive.registry import FIGURES
    from derive.render.figures import figure_latex, gallery_template

    for build in FIGURES.values():
        build.cache_clear()  # type: ignore[attr-defined]  (measure from scratch)
    start = time.perf_counter()
    codes = [figure_latex(build()) for build in FIGURES.values()]
    t_fig = time.perf_counter() - start
    out = Path(tempfile.mkdtemp(prefix="derive-bench-figures-"))
    (out / "figures.tex.j2").write_text(gallery_template(sorted(FIGURES)))
    tex = out / "figures.tex"
    tex.write_text(render_tex(out / "figures.tex.j2"))
    start = time.perf_counter()
    compile_latex(tex)
    t_fig_tex = time.perf_counter() - start
    shutil.rmtree(out)
    print(f"figures: data + LaTeX code  {t_fig:6.2f} s  ({len(codes)} figures)")
    print(f"figures: LaTeX compile      {t_fig_tex:6.2f} s")

    incremental(py)
    variants(py, 200)


def variants(py: str, students: int) -> None:
    """Issue 20's target: 200 students x (exercise + solution) of the C12 sheet in under
    4 minutes, over the cores, from a fresh output folder (the preamble's format made
    before, as after any build)."""
    folder = Path(tempfile.mkdtemp(prefix="derive-bench-variants-"))
    try:
        roster = folder / "roster.csv"
        roster.write_text("id,name\n" + "".join(f"s{n:04d},Student {n}\n"
                                                for n in range(1, students + 1)))
        warm = folder / "warm.csv"
        warm.write_text("id\nwarm\n")
        command = [py, "-m", "derive.cli", "variants", "c12", "--seed", "1"]
        seconds([*command, "--students", str(warm), "--out", str(folder / "warm")])   # format
        before = os.times()
        elapsed = seconds([*command, "--students", str(roster), "--out", str(folder / "out")])
        after = os.times()
        cpu = (after.children_user + after.children_system
               - before.children_user - before.children_system)
        load = os.getloadavg()[0]
        pdfs = len(list((folder / "out").glob("*/*.pdf")))
    finally:
        shutil.rmtree(folder)
    met = elapsed < 240
    print(f"variants: {students} students     {elapsed:6.2f} s  ({pdfs} PDFs + key, "
          f"{elapsed / students:.2f} s a student, {os.cpu_count()} cores)")
    print(f"variants: CPU time            {cpu:6.2f} s  (all processes; load average "
          f"{load:.1f} at the end: other work on the machine slows the wall clock)")
    print(f"issue 20 target:\n  {'met    ' if met else 'NOT met'}  200 students in "
          f"{elapsed:.0f} s (< 240 s)" if students == 200 else "")


def latex_inline_vs_cached() -> tuple[float, float, int]:
    """The LaTeX compile of the three sheets, all started at once as the build does: with
    every figure's code inlined (as before issue 24), and, as the build now does in a fresh
    output folder, with the preamble's format made, the figures compiled once each into the
    figure cache, then the sheets including them; and how many figures."""
    from derive.build.driver import SHEET_DIR, render_document, sheet_names
    from derive.build.figure_cache import FigureCache
    from derive.build.latexmk import LatexJob

    templates = [SHEET_DIR / f"{name}.tex.j2" for name in sheet_names()]
    out = Path(tempfile.mkdtemp(prefix="derive-bench-inline-"))
    sources = [render_document(t).source.encode() for t in templates]
    start = time.perf_counter()
    jobs = [LatexJob(out / f"{t.name.removesuffix('.j2')}", t, source=src)
            for t, src in zip(templates, sources, strict=True)]
    for job in jobs:
        job.finish()
    t_inline = time.perf_counter() - start
    shutil.rmtree(out)
    out = Path(tempfile.mkdtemp(prefix="derive-bench-cached-"))
    figures = FigureCache(out, 120)
    rendered, drawings = [], {}
    for t in templates:
        rendered.append(render_document(t, figures))
        drawings.update(figures.recorded)      # begin() forgets the previous document's
    start = time.perf_counter()
    figures.recorded = drawings
    figures.start()
    jobs = [LatexJob(out / f"{t.name.removesuffix('.j2')}", t, source=r.source.encode(),
                     files=figures.files(r.figures), preamble=figures.preamble())
            for t, r in zip(templates, rendered, strict=True)]
    for job in jobs:
        job.finish()
    t_cached = time.perf_counter() - start
    figures.close()
    shutil.rmtree(out)
    return t_inline, t_cached, len(drawings)



EDITED = ("derive/library/backprop.py",     # a derivation of sheet C only: one reason reworded
          "chain rule over the units $q$ of layer $l + 1$",
          "chain rule, summing over the units $q$ of layer $l + 1$")


def _build(py: str, project: Path, *args: str) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(project)}
    env.pop("DERIVE_CACHE", None)   # the copy's own verdict cache, as an author has it
    env.pop("PYTHONDONTWRITEBYTECODE", None)   # Python's default: modules compiled once
    start = time.perf_counter()
    proc = subprocess.run([py, "-m", "derive.cli", "build", *args], cwd=project, env=env,
                          capture_output=True, text=True, check=True)
    return time.perf_counter() - start, proc.stdout


def _figures_compiled(output: str) -> int:
    found = re.search(r"(\d+) figures? compiled into", output)
    return int(found.group(1)) if found else 0


def incremental(py: str) -> None:
    """Issue 24's targets, measured in a copy of the project (the edit must not touch the
    working tree): a clean build, one derivation's module edited, a no-op rebuild."""
    runs = [latex_inline_vs_cached() for _ in range(2)]   # the better of two: shared cores
    t_inline, t_cached = min(r[0] for r in runs), min(r[1] for r in runs)
    n_figures = runs[0][2]
    print(f"LaTeX, figures inlined       {t_inline:6.2f} s  (three sheets side by side)")
    print(f"LaTeX, figures compiled once {t_cached:6.2f} s  ({n_figures} figures, then "
          "the sheets; fresh folder)")
    project = Path(tempfile.mkdtemp(prefix="derive-bench-project-"))
    try:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for part in ("derive", "templates"):       # derive/templates: a link to templates/
            shutil.copytree(ROOT / part, project / part, ignore=ignore, symlinks=True)
        shutil.copy(ROOT / "pyproject.toml", project)   # a checkout: output in its build/
        _build(py, project, "--out", "warm")          # the verdict cache, as after any build
        t_clean, out = _build(py, project)
        compiled_clean = _figures_compiled(out)
        t_noop, _ = _build(py, project)
        module, old, new = EDITED
        path = project / module
        text = path.read_text()
        if old not in text:
            raise SystemExit(f"bench: {module} no longer says {old!r}; update EDITED")
        path.write_text(text.replace(old, new, 1))
        t_edit, out = _build(py, project)
        rebuilt = re.findall(r"(\S+)\.pdf built", out)
        compiled_edit = _figures_compiled(out)
        t_force, out = _build(py, project, "--force")
        compiled_force = _figures_compiled(out)
    finally:
        shutil.rmtree(project)
    print(f"clean build (derive build)   {t_clean:6.2f} s  (verdicts cached, no figure cache "
          f"or .aux; {compiled_clean} figures compiled)")
    print(f"edit one derivation module   {t_edit:6.2f} s  (rebuilt: "
          f"{', '.join(Path(r).name for r in rebuilt) or 'nothing'}; {compiled_edit} figures "
          "compiled)")
    print(f"no-op rebuild (derive build) {t_noop:6.2f} s")
    print(f"forced rebuild, figure cache {t_force:6.2f} s  ({compiled_force} figures compiled)")
    print("issue 24 targets:")
    checks = [
        (f"edit -> PDF / clean build       {t_edit / t_clean:5.2f}  (<= 0.20)",
         t_edit <= 0.2 * t_clean),
        (f"edit -> PDF                     {t_edit:5.2f} s (< 5 s)", t_edit < 5),
        (f"clean build / LaTeX inlined     {t_clean / t_inline:5.2f}  (<= 0.60; whole build)",
         t_clean <= 0.6 * t_inline),
        (f"LaTeX cached / LaTeX inlined    {t_cached / t_inline:5.2f}  (<= 0.60; LaTeX only)",
         t_cached <= 0.6 * t_inline),
        (f"no-op rebuild                   {t_noop:5.2f} s (< 0.2 s)", t_noop < 0.2),
        (f"figures compiled once           {compiled_clean} of {n_figures}, then "
         f"{compiled_edit} and {compiled_force}", compiled_clean <= n_figures
         and compiled_edit == compiled_force == 0),
    ]
    for line, met in checks:
        print(f"  {'met    ' if met else 'NOT met'}  {line}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="derive's benchmarks (make bench)")
    parser.add_argument("--only", choices=["variants"], help="run only this part")
    parser.add_argument("--students", type=int, default=200, help="for --only variants")
    options = parser.parse_args()
    if options.only == "variants":
        variants(sys.executable, options.students)
    else:
        main()
        import check_speed
        check_speed.main()
