"""Benchmark of a clean `make pdf`: import, derive + verify, render, LaTeX; then a no-op rebuild.

Run with `make bench`. Prints seconds per phase and the share spent outside the TeX engine.
"""

from __future__ import annotations

import os
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

    # What a user waits for: every sheet built from scratch, verification and LaTeX overlapped.
    derive = str(Path(py).with_name("derive"))
    out = Path(tempfile.mkdtemp(prefix="derive-bench-build-"))
    whole = seconds([derive, "build", "--force", "--out", str(out)])
    shutil.rmtree(out)
    print(f"clean build (derive build)   {whole:6.2f} s  (phases above overlap here)")
    subprocess.run([derive, "build"], check=True, cwd=ROOT, capture_output=True)
    print(f"no-op rebuild (derive build) {seconds([derive, 'build']):6.2f} s")


if __name__ == "__main__":
    main()
