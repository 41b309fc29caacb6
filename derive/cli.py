"""The command line: ``derive list | show | verify | build | render | watch | variants``.

Bad input gets a one-line message on stderr and a non-zero exit, never a traceback: 2 for
what the user wrote (an unknown name, a refuted or undecided step, a contradictory domain,
a library that does not load), 1 for a failed build (a template or LaTeX error).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Any

from derive.errors import DeriveError


def _cmd_list(args: argparse.Namespace) -> int:
    from derive.build.driver import sheet_names
    from derive.registry import DERIVATIONS, EXAMPLES, FIGURES, names

    names()  # loads the library
    for name in sorted(DERIVATIONS):
        print(f"derivation  {name}")
    for name in sorted(EXAMPLES):
        print(f"example     {name}")
    for name in sorted(FIGURES):
        print(f"figure      {name}")
    for name in sheet_names():
        print(f"sheet       {name}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from derive.pipeline import get
    from derive.render import formats

    obj = get(args.name)
    print(formats.FORMATS[args.format](obj))
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from derive.pipeline import verify_library
    from derive.verify import refutations

    start = time.perf_counter()
    derivations = verify_library(args.names or None)
    failed = 0
    for d in derivations:
        tally = d.tally()
        print(f"{d.name}: {sum(tally.values())} steps, {tally['proved']} proved, "
              f"{tally['checked']} checked, {tally['refuted']} refuted, "
              f"{tally['undecided']} undecided")
        for line in refutations(d):
            print(f"  {line}", file=sys.stderr)
            failed += 1
    print(f"derive: {len(derivations)} derivation{'s' * (len(derivations) != 1)} verified in "
          f"{time.perf_counter() - start:.2f} s")
    return 2 if failed else 0


def _build_markdown(sheets: list[str], out_dir: Path) -> int:
    from derive.build.driver import sheet_names
    from derive.errors import UnknownNameError
    from derive.paths import SHEET_DIR
    from derive.pipeline import Catalogue
    from derive.render.environment import make_environment
    from derive.render.markdown import write_sheet_markdown

    catalogue = Catalogue()
    env = make_environment([SHEET_DIR], catalogue.names)
    for name in sheets:
        if name not in sheet_names():
            raise UnknownNameError("sheet", name, sheet_names())
        target = write_sheet_markdown(env, f"{name}.tex.j2", name, catalogue, out_dir)
        print(f"derive: {target}", flush=True)
    return 0


def _figure_pdfs(out_dir: Path, timeout: float) -> Any:
    """figure_pdfs(env, figures) for the HTML build: each figure compiled (or found) in the
    build's figure cache, name -> PDF; None without the cache or without TeX."""
    import shutil

    try:
        from derive.build.figure_cache import FigureCache
        from derive.build.latexmk import folder_lock
        from derive.render.figures import compiled_figures, figure_latex
    except ImportError:
        return None
    if shutil.which("latexmk") is None:
        return None

    def pdfs(env: Any, figures: list[Any]) -> dict[str, Path]:
        found: dict[str, Path] = {}
        with folder_lock(out_dir), contextlib.closing(FigureCache(out_dir, timeout)) as cache:
            cache.begin(env)
            with compiled_figures(cache.include):
                for fig in figures:
                    figure_latex(fig)
            cache.start()
            for key, (name, _) in cache.recorded.items():
                try:
                    cache.files([key])
                    found[name] = cache.pdf(key)
                except DeriveError as err:
                    print(f"derive: {err}; drawn from its data instead", file=sys.stderr)
        return found
    return pdfs


def _build_html(sheets: list[str], out_dir: Path, timeout: float) -> int:
    from derive.build.driver import sheet_names
    from derive.errors import UnknownNameError
    from derive.paths import SHEET_DIR
    from derive.pipeline import Catalogue
    from derive.render.environment import make_environment
    from derive.render.html import write_sheet_html

    catalogue = Catalogue()
    env = make_environment([SHEET_DIR], catalogue.names)
    figure_pdfs = _figure_pdfs(out_dir, timeout)
    for name in sheets:
        if name not in sheet_names():
            raise UnknownNameError("sheet", name, sheet_names())
        target, how = write_sheet_html(env, f"{name}.tex.j2", name, catalogue, out_dir,
                                       figure_pdfs)
        ways = sorted(set(how.values()))
        print(f"derive: {target}" + (" (figures: " + "; ".join(
            f"{sum(v == w for v in how.values())} {w}" for w in ways) + ")" if how else ""),
            flush=True)
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from derive.build.driver import build_sheets, sheet_names

    if args.format == "markdown":
        return _build_markdown(args.sheets or sheet_names(), Path(args.out))
    if args.format == "html":
        return _build_html(args.sheets or sheet_names(), Path(args.out), args.timeout)
    start = time.perf_counter()

    def progress(message: str) -> None:
        print(f"derive: [{time.perf_counter() - start:5.1f} s] {message}", flush=True)

    for result in build_sheets(args.sheets or sheet_names(), Path(args.out), args.force,
                               progress, args.timeout):
        if result.skipped:
            print(f"derive: {result.pdf} up to date", flush=True)
    return 0


def _cmd_render(args: argparse.Namespace) -> int:
    from derive.build.driver import build_document

    doc = Path(args.document)
    if not doc.is_file():
        raise DeriveError(f"no such document: {doc}" if not doc.exists()
                          else f"{doc}: not a file (a Jinja-LaTeX document such as notes.tex.j2)")
    result = build_document(doc.resolve(), Path(args.out), force=args.force,
                            timeout=args.timeout)
    print(f"derive: {result.pdf}")
    return 0


def _cmd_watch(args: argparse.Namespace) -> int:
    from derive.build.watch import watch

    return watch(args.targets, Path(args.out), args.library, args.timeout)


def _cmd_variants(args: argparse.Namespace) -> int:
    from derive.build.variants import run_command

    return run_command(args)


def _timeout_option(command: argparse.ArgumentParser) -> None:
    from derive.build.latexmk import LATEX_TIMEOUT_S

    def seconds(text: str) -> float:
        value = float(text)
        if not 0 < value < 10**6:
            raise ValueError(text)
        return value

    command.add_argument("--timeout", type=seconds, default=LATEX_TIMEOUT_S, metavar="SECONDS",
                         help=f"stop LaTeX on a document after this long (default "
                         f"{LATEX_TIMEOUT_S})")


def _cmd_check(args: argparse.Namespace) -> int:
    from derive.check.command import run_check

    return run_check(args.files, args.format, args.all, Path(args.out))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="derive", description="Machine-checked derivations of "
                                "machine-learning maths, rendered to LaTeX and PDF.")
    p.add_argument("--library", action="append", default=[], metavar="PATH",
                   help="load your own derivations, examples and figures from a .py file or a "
                   "folder of them (repeatable; a derive.toml here or above with "
                   "library = [...] names them too)")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list derivations, worked examples and sheets").set_defaults(
        run=_cmd_list)
    show = sub.add_parser("show", help="show one derivation or worked example")
    show.add_argument("name")
    show.add_argument("--format", choices=["text", "markdown", "latex", "json"],
                      default="text")
    show.set_defaults(run=_cmd_show)
    verify = sub.add_parser("verify", help="verify derivations (all by default)")
    verify.add_argument("names", nargs="*")
    verify.set_defaults(run=_cmd_verify)
    build = sub.add_parser("build", help="build solution sheets (all by default) into build/")
    build.add_argument("sheets", nargs="*")
    build.add_argument("--out", default="build")
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    build.add_argument("--format", choices=["pdf", "markdown", "html"], default="pdf",
                       help="pdf (default), markdown: OUT/markdown/SHEET.md, or html: "
                       "OUT/html/SHEET.html (KaTeX, works offline)")
    _timeout_option(build)
    build.set_defaults(run=_cmd_build)
    render = sub.add_parser("render", help="render and compile your own Jinja-LaTeX document")
    render.add_argument("document")
    render.add_argument("--out", default="build")
    render.add_argument("--force", action="store_true", help="rebuild even if up to date")
    _timeout_option(render)
    render.set_defaults(run=_cmd_render)
    watch = sub.add_parser("watch", help="rebuild sheets or documents (all sheets by default) "
                           "whenever a file they use is saved")
    watch.add_argument("targets", nargs="*", metavar="SHEET|DOC")
    watch.add_argument("--out", default="build")
    _timeout_option(watch)
    watch.set_defaults(run=_cmd_watch)
    check = sub.add_parser("check", help="find the slips in hand-written solutions (.md, .txt, "
                           ".tex): each step and evaluation marked ✓, ✗ or ?")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--format", choices=["text", "json", "pdf"], default="text",
                       help="text (default), json for autograders, or pdf: each solution "
                       "re-typeset with the marks in the margin, into --out")
    check.add_argument("--out", default="build/check", help="where --format pdf writes")
    check.add_argument("--all", action="store_true", help="list the correct steps too")
    check.set_defaults(run=_cmd_check)
    variants = sub.add_parser("variants", help="per-student variants of a sheet: an exercise "
                              "and a solution PDF each, answers.csv/json, the key")
    variants.add_argument("sheet", metavar="SHEET",
                          help="a sheet of templates/variants/ (c12) or a .tex.j2 path")
    variants.add_argument("--students", required=True, metavar="ROSTER.csv",
                          help="CSV with an id column (and optionally name)")
    variants.add_argument("--out", required=True, metavar="DIR")
    variants.add_argument("--seed", type=int, default=0)
    variants.add_argument("--jobs", type=int, default=0, metavar="J",
                          help="parallel students (default: the number of cores)")
    variants.add_argument("--format", choices=["pdf", "moodle", "all"], default="pdf",
                          help="pdf (default): PDFs, answers, key.pdf; moodle: quiz.xml and "
                          "the answers; all: both")
    _timeout_option(variants)
    variants.set_defaults(run=_cmd_variants)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        from derive.user_library import load_library, project_libraries

        for path in [*project_libraries(Path.cwd()), *map(Path, args.library)]:
            load_library(path)
        return int(args.run(args))
    except DeriveError as err:
        print(f"derive: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("derive: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:   # `derive show ... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
