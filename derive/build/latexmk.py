"""Running latexmk safely: a private work folder, no shell escape, restricted and checked file
access (derive.build.sandbox), resource limits, its own process group killed whole, and a PDF
that is checked before anyone sees it.

A :class:`LatexJob` starts latexmk at once and is finished (waited for and checked) later,
so several documents compile side by side while Python renders the next one.  A watchdog
thread holds each run to its time limit and its work folder to a size, from the start.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from derive.build import sandbox
from derive.errors import LatexError

LATEX_TIMEOUT_S = 120            # default of --timeout: sheet A, the largest, takes 5-16 s
MAX_PAGES = 500                  # the sheets have 15 to 40
MAX_FILE_BYTES = 128 * 2**20     # any one file TeX writes (RLIMIT_FSIZE): its log, its PDF
MAX_WORK_BYTES = 512 * 2**20     # everything in its work folder together
RUN_PREFIX = ".run-"             # private work folders: .work/.run-NAME-XXXXXXXX
SUPERVISOR = Path(__file__).with_name("supervise.py")
LATEXMK = ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
           "-no-shell-escape", "-recorder"]


# The date a build stamps into its PDF (creation and modification dates, the trailer ID):
# SOURCE_DATE_EPOCH when the user sets it, else this fixed one, so that two builds of the
# same sources give byte-identical PDFs.
DEFAULT_SOURCE_DATE_EPOCH = "1735689600"   # 2025-01-01T00:00:00Z


def reproducible_dates() -> dict[str, str]:
    """The environment that makes pdfTeX's dates (and so its output) reproducible."""
    return {"SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_SOURCE_DATE_EPOCH),
            "FORCE_SOURCE_DATE": "1"}


def latexmk_command(tex_name: str) -> list[str]:
    """latexmk on tex_name, TeX stopping itself after MAX_PAGES pages (the PDF's page count
    is checked afterwards as well: a document can remove the hook)."""
    cap = (rf"\AddToHook{{shipout/after}}{{\ifnum\ReadonlyShipoutCounter>{MAX_PAGES} "
           rf"\errmessage{{derive: more than {MAX_PAGES} pages}}\fi}}")
    return [*LATEXMK, f"-usepretex={cap}", tex_name]


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)   # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _say(message: str) -> None:
    print(f"derive: {message}", file=sys.stderr, flush=True)


@contextmanager
def folder_lock(folder: Path, progress: Callable[[str], None] = _say) -> Iterator[None]:
    """Hold the folder's build lock (an exclusive flock on folder/.derive.lock); a second
    build into the same folder says that it waits, and waits."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / ".derive.lock", os.O_RDWR | os.O_CREAT, 0o666 & ~_UMASK)
    except OSError as err:
        raise LatexError(f"{folder}: cannot build there: {err.strerror}") from err
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(f"waiting: another build into {folder} is running ...")
            fcntl.flock(fd, fcntl.LOCK_EX)
        for stale in (folder / ".work").glob(f"{RUN_PREFIX}*"):   # runs of killed builds
            shutil.rmtree(stale, ignore_errors=True)
        yield
    finally:
        os.close(fd)                     # releases the lock


def work_folder(tex_path: Path) -> Path:
    """Where the last latexmk run on a .tex file left its auxiliary files and log."""
    return tex_path.parent / ".work" / tex_path.stem


def latex_log(tex_path: Path) -> Path:
    """LaTeX's log of the last run on a .tex file (overfull lines, warnings, errors)."""
    return work_folder(tex_path) / f"{tex_path.stem}.log"


FORMAT = "derive"    # a precompiled preamble in a run's work folder: derive.fmt


def tex_environment(work: Path) -> dict[str, str]:
    """TeX's settings for a run in work: no shell escape, reads and writes restricted."""
    return {**os.environ, "openin_any": "p", "openout_any": "p", "shell_escape": "f",
            "TEXMFOUTPUT": str(work), "max_print_line": "10000",   # unwrapped log
            **reproducible_dates()}


class LatexJob:
    """One latexmk run on a .tex file's source, started on creation; :meth:`finish` waits
    and checks, and returns the new PDF's bytes (nothing beside the .tex is written).

    It runs in a private folder (.work/.run-NAME-*), confined (see derive.build.sandbox),
    in its own process group under a supervisor (derive/build/supervise.py) that sets
    its limits and takes the whole group down if derive dies; the watchdog kills the group
    at the time limit or when the folder outgrows MAX_WORK_BYTES.  Once finished, the run's
    folder becomes work_folder(tex_path), where its log can be read.
    """

    def __init__(self, tex_path: Path, template: Path | None = None,
                 timeout: float = LATEX_TIMEOUT_S, source: bytes | None = None,
                 files: dict[str, Path] | None = None,
                 preamble: tuple[Path, bytes] | None = None) -> None:
        if shutil.which("latexmk") is None:
            raise LatexError("latexmk is not installed; run `make pdf` (it installs TeX Live)")
        self.tex_path, self.template, self.timeout = tex_path, template, timeout
        data = self.source = tex_path.read_bytes() if source is None else source
        self.lines = data.decode(errors="replace").splitlines()
        (tex_path.parent / ".work").mkdir(parents=True, exist_ok=True)
        self.work = Path(tempfile.mkdtemp(dir=tex_path.parent / ".work",
                                          prefix=f"{RUN_PREFIX}{tex_path.stem}-")).resolve()
        os.chmod(self.work, 0o777 & ~_UMASK)
        latexmk = latexmk_command(tex_path.name)
        if preamble is not None and data.startswith(preamble[1]):
            # the class and preamble, precompiled (derive.build.tex_format): TeX reads the
            # rest, the preamble's lines left blank so that line numbers stay the same
            data = b"\n" * preamble[1].count(b"\n") + data[len(preamble[1]):]
            _place(preamble[0], self.work / f"{FORMAT}.fmt")
            latexmk[-1:-1] = [f"-pdflatex=pdflatex -fmt={FORMAT} %O %P"]   # %P: with pretex
        (self.work / tex_path.name).write_bytes(data)
        _seed(work_folder(tex_path), self.work, tex_path.stem)
        for name, path in (files or {}).items():   # what the document includes: figures
            _place(path, self.work / name)
        self.killed: str | None = None
        command = [sys.executable, "-I", "-S", str(SUPERVISOR), str(int(timeout) + 1),
                   str(MAX_FILE_BYTES), *sandbox.confine(self.work, latexmk)]
        env = tex_environment(self.work)
        self.deadline = time.monotonic() + timeout
        with open(self.work / "latexmk.out", "wb") as out:   # the .log holds what we read
            self.proc = subprocess.Popen(command, cwd=self.work, env=env, stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        self.watchdog = threading.Thread(target=self._watch, daemon=True)
        self.watchdog.start()

    def _watch(self) -> None:
        """Until the run ends: kill its group at the deadline or when it writes too much."""
        while True:
            try:   # wait without reaping, so the group id stays ours until it is swept
                done = os.waitid(os.P_PID, self.proc.pid,
                                 os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
            if done is not None:
                break
            if time.monotonic() > self.deadline:
                self.killed = f"LaTeX took longer than {self.timeout:g} s (--timeout)"
            elif _size(self.work) > MAX_WORK_BYTES:
                self.killed = f"LaTeX wrote more than {MAX_WORK_BYTES >> 20} MB"
            if self.killed:
                break
            time.sleep(0.05)
        self._kill_group()

    def _kill_group(self) -> None:
        if self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)   # latexmk, sh, pdflatex: all
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()

    def finish(self) -> bytes:
        """Wait for latexmk; the new PDF's bytes if it built a whole, readable PDF from
        allowed files only, else a LatexError naming the cause and the offending line."""
        while self.watchdog.is_alive():
            self.watchdog.join(0.2)          # interruptible (Ctrl-C)
        outside = sandbox.files_outside(self.work / f"{self.tex_path.stem}.fls", self.work)
        self._settle()
        if self.killed:
            raise LatexError(f"{self.tex_path}: {self.killed}; stopped")
        built = self.work / f"{self.tex_path.stem}.pdf"
        if outside:
            built.unlink(missing_ok=True)
            raise LatexError(f"{self.tex_path}: TeX opened {outside[0]}, outside its work "
                             "folder and the TeX tree; not built")
        if self.proc.returncode != 0 and _largest(self.work) >= MAX_FILE_BYTES:
            raise LatexError(f"{self.tex_path}: LaTeX wrote more than "
                             f"{MAX_FILE_BYTES / 2**20:g} MB to one file; stopped")
        if self.proc.returncode != 0 or not built.exists():
            raise LatexError(latex_error_message(self.work / f"{self.tex_path.stem}.log",
                                                 self.tex_path, self.template, self.lines,
                                                 self.work))
        data = built.read_bytes()
        check_pdf(built, data, self.tex_path)
        return data

    def _settle(self) -> None:
        """Move the run's folder to work_folder(tex_path) (the caller holds the lock)."""
        final = work_folder(self.tex_path)
        shutil.rmtree(final, ignore_errors=True)
        try:
            os.rename(self.work, final)
            self.work = final.resolve()
        except OSError:
            pass

    def cancel(self) -> None:
        """Stop latexmk if it is still running (a sibling document failed, Ctrl-C)."""
        self._kill_group()
        if self.work.name.startswith(RUN_PREFIX):
            shutil.rmtree(self.work, ignore_errors=True)


# What a run leaves that the next run of the same document starts from: LaTeX's cross-
# references and latexmk's record of what they were, so that a document whose labels did not
# change needs one pass, not two.  Taken only from a run that built its PDF.
SEEDS = (".aux", ".out", ".toc", ".lof", ".lot", ".fdb_latexmk")


def _seed(previous: Path, work: Path, stem: str) -> None:
    if not (previous / f"{stem}.pdf").is_file():
        return
    for suffix in SEEDS:
        try:
            shutil.copyfile(previous / f"{stem}{suffix}", work / f"{stem}{suffix}")
            # dated long ago: whatever LaTeX writes over it in this run has another time, so
            # latexmk compares the contents (a heading of the same length changed within
            # the same second went unnoticed, and the outline kept the old one)
            os.utime(work / f"{stem}{suffix}", (0, 0))
        except OSError:
            pass


def _place(source: Path, target: Path) -> None:
    """A copy of a file in a run's work folder (a copy, not a link: what the document's
    TeX may write there must not reach the original)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _sizes(folder: Path) -> list[int]:
    """The sizes of the files in a work folder and in its folders (figures/)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    sizes = []
    for e in entries:
        try:
            if e.is_dir(follow_symlinks=False):
                sizes += _sizes(Path(e.path))
            else:
                sizes.append(e.stat(follow_symlinks=False).st_size)
        except OSError:   # gone meanwhile
            pass
    return sizes


def _size(folder: Path) -> int:
    return sum(_sizes(folder))


def _largest(folder: Path) -> int:
    return max(_sizes(folder), default=0)


def check_pdf(path: Path, data: bytes, tex_path: Path) -> None:
    """A LatexError unless data is a whole PDF that opens and has 1 to MAX_PAGES pages."""
    tail = data[-2048:]
    if not data.startswith(b"%PDF-") or b"startxref" not in tail or b"%%EOF" not in tail:
        raise LatexError(f"{tex_path}: LaTeX wrote an incomplete PDF; not built")
    if shutil.which("pdfinfo") is None:
        return
    proc = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          errors="replace", timeout=60)
    pages = re.search(r"^Pages:\s+(\d+)", proc.stdout, re.MULTILINE)
    if proc.returncode != 0 or pages is None:
        why = (proc.stderr.strip().splitlines() or ["pdfinfo failed"])[0]
        raise LatexError(f"{tex_path}: the PDF LaTeX wrote does not open ({why}); not built")
    if not 1 <= int(pages.group(1)) <= MAX_PAGES:
        raise LatexError(f"{tex_path}: the PDF has {pages.group(1)} pages (allowed: 1 to "
                         f"{MAX_PAGES}); not built")


def compile_latex(tex_path: Path, template: Path | None = None,
                  timeout: float = LATEX_TIMEOUT_S) -> Path:
    """Compile a .tex file with latexmk (see :class:`LatexJob`) and put the PDF beside it;
    on failure a previous PDF stays as it was."""
    with folder_lock(tex_path.parent):
        pdf = tex_path.with_suffix(".pdf")
        write_atomically(pdf, LatexJob(tex_path, template, timeout).finish())
    return pdf


FILE_LINE = re.compile(r"^((?:\./)?[^\s:!][^:\n]*\.[A-Za-z]+):(\d+): (.*)$", re.MULTILINE)
NOT_FOUND = re.compile(r"^! LaTeX Error: File `([^']+)' not found", re.MULTILINE)
AFTERMATH = ("Emergency stop", " ==> Fatal error occurred")


def latex_error_message(log: Path, tex_path: Path, template: Path | None,
                        lines: list[str] | None = None, work: Path | None = None) -> str:
    """One line: the LaTeX error, the offending line and file (an \\input file or package
    where the error is in one), and where in the template it came from."""
    text = log.read_text(errors="replace") if log.exists() else ""
    lines = tex_path.read_text().splitlines() if lines is None else lines
    missing = NOT_FOUND.search(text)
    if missing is not None:
        wanted = missing.group(1)
        stem = wanted.rsplit(".", 1)[0]
        line_no = next((n for n, line in enumerate(lines, 1)
                        if stem in line and not line.lstrip().startswith("%")), 0)
        kind = {"sty": "package", "cls": "document class"}.get(wanted.rsplit(".", 1)[-1],
                                                               "file")
        source = lines[line_no - 1].strip() if line_no else ""
        why = (f"missing {kind} {stem}: {wanted} is not in the TeX tree (install it, or "
               "remove it from the document)")
        if wanted.startswith("/") or ".." in Path(wanted).parts:
            why = (f"{wanted} may not be read: TeX reads only its work folder and the TeX "
                   "tree")
        return (f"{tex_path}:{line_no}: {why} [{source[:120]}]"
                f"{_origin(lines, line_no, source, template)}")
    found = [m for m in FILE_LINE.finditer(text) if not m.group(3).startswith(AFTERMATH)]
    if not found:
        bang = re.search(r"^! (.*)$", text, re.MULTILINE)
        why = (bang.group(1) if bang else "the document has no pages"
               if "\nNo pages of output." in text else f"see {log}")
        return f"{tex_path}: LaTeX failed: {why}"
    file, line_no, message = found[0].group(1), int(found[0].group(2)), found[0].group(3)
    if Path(file).name != tex_path.name or file.startswith("/"):   # an \input file, a package
        here = Path(file) if file.startswith("/") or work is None else work / file
        other = here.read_text(errors="replace").splitlines() if here.is_file() else []
        source = other[line_no - 1].strip() if 0 < line_no <= len(other) else ""
        shown = file.removeprefix("./")
        return (f"{shown}:{line_no}: {message.strip()} [{source[:120]}] (in a file read by "
                f"{tex_path}; the PDF was not built)")
    source = lines[line_no - 1].strip() if 0 < line_no <= len(lines) else ""
    origin = _origin(lines, line_no, source, template)
    return f"{tex_path}:{line_no}: {message.strip()} [{source[:120]}]{origin}"


def _origin(lines: list[str], line_no: int, source: str, template: Path | None) -> str:
    """Where a .tex line came from: a derivation's marker above it, or the template line."""
    for earlier in reversed(lines[: line_no - 1]):
        if earlier.startswith("% derive: end"):
            break
        if earlier.startswith("% derive: "):
            return f" (inside {earlier.removeprefix('% derive: ')})"
    if template is not None and source:
        for n, tline in enumerate(template.read_text().splitlines(), 1):
            if source in tline or tline.strip() == source:
                return f" (from {template}:{n})"
    return ""
