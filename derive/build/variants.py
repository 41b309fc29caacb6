"""Per-student variants: ``derive variants SHEET --students ROSTER.csv --out DIR``.

A variant sheet (templates/variants/NAME.tex.j2) names the parametrised examples it varies
(``((* set vary = ["c12-scalar-network"] *))``); everything else on it stays as it is.  For
each student, each varied example's parameters are drawn (derive.numeric.parameters:
deterministic in the seed and the student's id), the example is computed, and the draw is
kept only if the example meets its constraints and passes its checks (back-propagation
against the closed form, the gradients against central differences of an independent
NumPy objective); else it is drawn again.  The sheet is rendered twice, exercise and
solution, and compiled by the build's hardened LaTeX job with the precompiled preamble,
students spread over the cores.  Everything is written into a temporary folder, moved
into place only when complete (derive.build.variant_outputs).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from derive.build import variant_outputs as outputs
from derive.build.driver import template_errors
from derive.build.figure_cache import FigureCache
from derive.build.latex_batch import compile_documents
from derive.build.latexmk import LATEX_TIMEOUT_S, folder_lock, write_atomically
from derive.build.roster import Student
from derive.errors import DeriveError, UnknownNameError
from derive.numeric.parameters import ParameterSpace, draw, independent_disagreement
from derive.paths import BUILD_DIR, TEMPLATE_DIR
from derive.proof import WorkedExample

VARIANT_DIR = TEMPLATE_DIR / "variants"
EXERCISE = "partials/exercise.tex.j2"
KINDS = ("exercise", "solution")
BATCH = 4     # students whose documents share one LaTeX run


class VariantError(DeriveError):
    """A variant run that cannot go on (its exit code carried from a worker)."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class VariantSheet:
    """A sheet with per-student variants: its template and the examples it varies."""

    name: str
    template: Path
    vary: tuple[str, ...]


@dataclass
class Variant:
    """One student's varied examples, the parameters drawn and how many draws failed."""

    student: Student
    examples: dict[str, WorkedExample] = field(default_factory=dict)
    parameters: dict[str, dict[str, float]] = field(default_factory=dict)
    redraws: dict[str, int] = field(default_factory=dict)
    differenced: dict[str, int] = field(default_factory=dict)   # gradients checked so
    referenced: dict[str, int] = field(default_factory=dict)    # values checked in NumPy


def variant_sheet_names() -> list[str]:
    return sorted(p.name.removesuffix(".tex.j2") for p in VARIANT_DIR.glob("*.tex.j2"))


def find_sheet(name: str) -> VariantSheet:
    """The variant sheet NAME (templates/variants/NAME.tex.j2, or a path to a template),
    with the examples it varies, each a registered parametrised example."""
    from derive.registry import EXAMPLES, VARIANTS, loaded_library
    from derive.render.environment import make_environment

    path = Path(name)
    template = path if name.endswith(".tex.j2") and path.is_file() \
        else VARIANT_DIR / f"{name}.tex.j2"
    if not template.is_file():
        raise UnknownNameError("variant sheet", name, variant_sheet_names())
    env = make_environment([template.parent.resolve()])
    with template_errors(template):
        vary = varied_examples(env.parse(template.read_text()))
    if not vary:
        raise VariantError(f"{template}: the sheet varies no example (write "
                           '((* set vary = ["an-example"] *)) at its top)')
    loaded_library()
    for example in vary:
        if example not in EXAMPLES:
            raise UnknownNameError("example", example, sorted(EXAMPLES))
        if example not in VARIANTS:
            raise UnknownNameError("parametrised example", example, sorted(VARIANTS))
    return VariantSheet(template.name.removesuffix(".tex.j2"), template.resolve(),
                        tuple(vary))


def varied_examples(tree: Any) -> list[str]:
    """The names a template's top-level ``((* set vary = [...] *))`` lists (Jinja's tree)."""
    import jinja2.nodes as nodes

    for node in tree.body:
        if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name) \
                and node.target.name == "vary":
            try:
                value = node.node.as_const()   # type: ignore[attr-defined]
            except nodes.Impossible:
                raise VariantError("vary must be a list of example names written out") \
                    from None
            if not (isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)):
                raise VariantError(f"vary must be a list of example names, not {value!r}")
            return list(value)
    return []


def check_failure(space: ParameterSpace, example: WorkedExample) -> str | None:
    """Why a computed variant may not be shipped, or None: its comparisons disagree
    (back-propagation against the closed form), a quantity differs from the space's
    independent NumPy reference, or a gradient from central differences of the space's
    NumPy objective, each at the example's own givens."""
    for c in example.comparisons:
        scale = max(1.0, abs(float(c.left)), abs(float(c.right)))
        if not c.abs_error <= 1e-9 * scale:
            return f"a comparison differs by {c.abs_error:.3g}"
    return independent_disagreement(space, example)


def draw_variant(name: str, seed: int, student: Student) -> tuple[WorkedExample,
                                                                  dict[str, float], int]:
    """A checked variant of the parametrised example ``name`` for a student, its
    parameters, and how many draws were rejected first."""
    from derive.registry import VARIANTS

    space, build = VARIANTS[name]
    made: dict[str, WorkedExample] = {}

    def accept(values: dict[str, float]) -> str | None:
        example = build(values)
        made["last"] = example
        return space.violated(example) or check_failure(space, example)

    values, redraws = draw(space, seed, f"{name}/{student.id}", accept, name=name)
    return made["last"], values, redraws


def make_variant(sheet: VariantSheet, seed: int, student: Student) -> Variant:
    from derive.registry import VARIANTS

    variant = Variant(student)
    for name in sheet.vary:
        ex, values, redraws = draw_variant(name, seed, student)
        variant.examples[name], variant.parameters[name] = ex, values
        variant.redraws[name] = redraws
        space = VARIANTS[name][0]
        variant.differenced[name] = len(space.gradients) if space.objective is not None else 0
        variant.referenced[name] = len(space.reference(values)) if space.reference else 0
    return variant


class _VariantCatalogue:
    """The pipeline's catalogue, but a student's own varied examples."""

    def __init__(self, variant: Variant | None) -> None:
        from derive.pipeline import Catalogue

        self.inner = Catalogue()
        self.variant = variant

    def derivation(self, name: str) -> Any:
        return self.inner.derivation(name)

    def example(self, name: str) -> WorkedExample:
        if self.variant is not None and name in self.variant.examples:
            return self.variant.examples[name]
        return self.inner.example(name)

    def figure(self, name: str) -> Any:
        return self.inner.figure(name)

    def names(self) -> list[str]:
        return self.inner.names()

    def prepare(self, derivations: list[str]) -> None:
        self.inner.prepare(derivations)


def render_variant(sheet: VariantSheet, variant: Variant, solution: bool) -> str:
    """The exercise (questions and the student's givens) or the solution sheet's LaTeX."""
    from derive.registry import VARIANTS
    from derive.render.environment import make_environment, render_template

    catalogue = _VariantCatalogue(variant)
    env = make_environment([sheet.template.parent], catalogue.names)

    def exercise(name: str) -> str:
        ex = catalogue.example(name)
        space = VARIANTS[name][0] if name in VARIANTS else None
        return str(env.get_template(EXERCISE).render(
            ex=ex, questions=outputs.questions(space, ex) if space else []))

    student = {"id": variant.student.id, "name": variant.student.name}
    with template_errors(sheet.template):
        return render_template(env, sheet.template.name, catalogue, solution=solution,
                               student=student, exercise=exercise,
                               differenced=sum(variant.differenced.values()),
                               referenced=sum(variant.referenced.values()))


@dataclass(frozen=True)
class _Run:
    """What every student's job needs (set before the workers fork)."""

    sheet: VariantSheet
    students: list[Student]
    seed: int
    staging: Path
    preamble: tuple[Path, bytes] | None
    head: str
    timeout: float
    pdf: bool


_RUN: list[_Run] = []


def _chunk_job(indices: list[int]) -> list[dict[str, Any]]:
    """Draw, check and render the students' pairs, compile them in one LaTeX run
    (derive.build.latex_batch); their answers (or the first error)."""
    run = _RUN[0]
    results, sources, names = [], [], []
    for index in indices:
        student = run.students[index]
        try:
            variant = make_variant(run.sheet, run.seed, student)
            if run.pdf:
                for kind in KINDS:
                    sources.append(render_variant(run.sheet, variant, kind == "solution"))
                    names.append(f"{student.id}-{kind}")
        except DeriveError as err:
            return [{"index": index, "error": f"{student.id}: {err}", "exit": err.exit_code}]
        results.append({"index": index, "rows": outputs.answer_rows(variant),
                        "parameters": variant.parameters, "redraws": variant.redraws})
    if run.pdf:
        scratch = run.staging / ".work" / f"batch-{indices[0]}"
        try:
            pdfs = compile_documents(scratch, names, sources, run.head, run.preamble,
                                     run.timeout, run.sheet.template)
        except DeriveError as err:
            return [{"index": indices[0], "error": str(err), "exit": err.exit_code}]
        for name, pdf in zip(names, pdfs, strict=True):
            sid, kind = name.rsplit("-", 1)
            write_atomically(run.staging / sid / f"{kind}.pdf", pdf)
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def _progress_bar(done: int, total: int, began: float) -> str:
    width = 30
    filled = width * done // max(total, 1)
    return (f"derive: variants [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
            f"students, {time.perf_counter() - began:.1f} s")


def build_variants(sheet_name: str, students: list[Student], out_dir: Path, seed: int = 0,
                   jobs: int | None = None, formats: tuple[str, ...] = ("pdf",),
                   timeout: float = LATEX_TIMEOUT_S,
                   progress: Callable[[str], None] | None = None) -> Path:
    """Every student's exercise and solution PDFs (formats: "pdf"), answers.csv,
    answers.json, the instructor's key (key.pdf) and, with "moodle", quiz.xml, into
    out_dir, which appears only when everything is there."""
    sheet = find_sheet(sheet_name)
    outputs.check_target(out_dir)
    jobs = max(1, jobs or os.cpu_count() or 1)
    pdf = "pdf" in formats
    preamble, head = None, ""
    if pdf:   # the precompiled preamble, kept with derive build's figures (under its lock)
        from derive.render.environment import make_environment

        with folder_lock(BUILD_DIR):
            cache = FigureCache(BUILD_DIR, timeout, workers=1)
            cache.begin(make_environment([sheet.template.parent]))
            preamble, head = cache.preamble(), cache.head()
            cache.close()
    try:   # warm the caches the workers inherit; fail early, before anything is written
        render_variant(sheet, make_variant(sheet, seed, students[0]), True)
    except DeriveError as err:
        raise VariantError(f"{students[0].id}: {err}", err.exit_code) from None
    staging = outputs.staging_folder(out_dir)
    try:
        _RUN[:] = [_Run(sheet, students, seed, staging, preamble, head, timeout, pdf)]
        results = _run_all(len(students), jobs, progress)
        failed = [r for r in results if "error" in r]
        if failed:
            raise VariantError(failed[0]["error"], failed[0]["exit"])
        outputs.write_outputs(staging, sheet, students, seed, results, formats, preamble,
                              timeout)
        shutil.rmtree(staging / ".work", ignore_errors=True)
        outputs.install(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        _RUN.clear()
    return out_dir


def _run_all(count: int, jobs: int, progress: Callable[[str], None] | None
             ) -> list[dict[str, Any]]:
    """Every student's job, in chunks of BATCH students in roster order (one LaTeX run
    each; the same chunks whatever ``jobs``, so that the PDFs' bytes, whose font subsets
    are the chunk's, depend on the roster and seed alone) over ``jobs`` forked workers;
    stops at the first error."""
    began = time.perf_counter()
    chunks = [list(range(at, min(at + BATCH, count))) for at in range(0, count, BATCH)]
    results: list[dict[str, Any]] = []

    def note(chunk: list[dict[str, Any]]) -> bool:
        results.extend(chunk)
        if progress is not None:
            progress(_progress_bar(len(results), count, began))
        return any("error" in r for r in chunk)

    if jobs == 1 or len(chunks) == 1 or "fork" not in multiprocessing.get_all_start_methods():
        for chunk in chunks:
            if note(_chunk_job(chunk)):
                break
        return sorted(results, key=lambda r: r["index"])
    with multiprocessing.get_context("fork").Pool(min(jobs, len(chunks))) as pool:
        for done in pool.imap_unordered(_chunk_job, chunks):
            if note(done):
                pool.terminate()
                break
    return sorted(results, key=lambda r: r["index"])


def run_command(args: Any) -> int:
    """``derive variants``: read the roster, build, say where everything went."""
    import sys

    from derive.build.roster import read_roster

    if args.jobs < 0:
        raise VariantError("--jobs must be at least 1 (0: the number of cores)")
    students = read_roster(Path(args.students))
    formats = {"pdf": ("pdf",), "moodle": ("moodle",), "all": ("pdf", "moodle")}[args.format]
    tty = sys.stderr.isatty()
    last = [-1.0]

    def progress(line: str) -> None:   # a bar redrawn in place, or a line every 10 %
        if tty:
            print(f"\r{line}", end="", file=sys.stderr, flush=True)
        elif time.perf_counter() - last[0] >= 10 or " 0/" in line or line.count("#") == 30:
            last[0] = time.perf_counter()
            print(line, file=sys.stderr, flush=True)

    began = time.perf_counter()
    out = build_variants(args.sheet, students, Path(args.out), args.seed, args.jobs or None,
                         formats, args.timeout, progress)
    if tty:
        print(file=sys.stderr)
    print(f"derive: {len(students)} variants of {args.sheet} in {out} "
          f"({time.perf_counter() - began:.1f} s)")
    return 0
