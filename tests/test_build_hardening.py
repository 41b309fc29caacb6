"""Hostile documents, faults and concurrent builds (issue 22, the build side): each attack
fails safely: nothing leaks, no TeX process lives on, no half-written PDF is ever seen."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
import zlib
from pathlib import Path

import pytest

from derive.build import latexmk, sandbox
from derive.build.driver import build_document, build_documents
from derive.build.latexmk import LatexError, check_pdf, folder_lock, latex_error_message
from derive.cli import main

ROOT = Path(__file__).resolve().parents[1]
SMALL = "\\documentclass{article}\n\\begin{document}\n%s\n\\end{document}\n"
SECRET = "derive-secret-4711"
MODES = ["auto", "off"]          # bwrap where it runs; the second layer alone


def document(folder: Path, body: str, name: str = "doc") -> Path:
    path = folder / f"{name}.tex.j2"
    path.write_text(SMALL % body)
    return path


def no_file_holds(folder: Path, text: str) -> bool:
    data = text.encode()
    return not any(data in p.read_bytes() or data in zlib_streams(p.read_bytes())
                   for p in folder.rglob("*") if p.is_file())


def zlib_streams(data: bytes) -> bytes:
    """The inflated streams of a PDF (the embedded file is compressed)."""
    out = []
    for chunk in data.split(b"stream")[1:]:
        try:
            out.append(zlib.decompressobj().decompress(chunk.lstrip(b"\r\n")))
        except zlib.error:
            pass
    return b"".join(out)


def processes_mentioning(tag: str) -> list[int]:
    """Live (not zombie) processes whose command line names tag."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if tag.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def gone(tag: str, within: float = 5.0) -> bool:
    end = time.monotonic() + within
    while processes_mentioning(tag):
        if time.monotonic() > end:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DERIVE_TEX_SANDBOX", request.param)
    return str(request.param)


# -- confinement ---------------------------------------------------------------------------

@pytest.mark.parametrize("attack", [
    "\\immediate\\pdfobj stream file {%(abs)s}\\pdfcatalog{/X \\the\\pdflastobj\\space 0 R}",
    "\\immediate\\pdfobj stream file {%(parent)s}\\pdfcatalog{/X \\the\\pdflastobj\\space 0 R}",
    "\\pdfximage{%(png)s}\\pdfrefximage\\pdflastximage",
    "\\input{%(abs)s}",
    "\\newread\\r\\openin\\r=%(abs)s \\read\\r to\\x \\texttt{\\x}",
])
def test_tex_reads_nothing_outside_its_work_folder_and_the_tex_tree(
        tmp_path: Path, mode: str, attack: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n")
    png = tmp_path / "secret.png"
    png.write_bytes(tiny_png())
    out = tmp_path / "out"
    parent = "../../../secret.txt"          # from out/.work/.run-doc-XXXX
    doc = document(tmp_path, attack % {"abs": secret, "parent": parent, "png": png})
    with pytest.raises(LatexError) as err:
        build_document(doc, out)
    assert "\n" not in str(err.value) and SECRET not in str(err.value)
    assert not (out / "doc.pdf").exists() and not list(out.rglob("*.pdf"))
    assert no_file_holds(out, SECRET)


def test_pdfobj_of_etc_passwd_is_refused(tmp_path: Path, mode: str) -> None:
    doc = document(tmp_path, "\\immediate\\pdfobj stream file {/etc/passwd}"
                   "\\pdfcatalog{/X \\the\\pdflastobj\\space 0 R}")
    with pytest.raises(LatexError, match="/etc/passwd"):
        build_document(doc, tmp_path / "out")
    assert not list((tmp_path / "out").rglob("*.pdf"))
    assert no_file_holds(tmp_path / "out", "root:x:0:0")


def test_bwrap_hides_the_rest_of_the_file_system(tmp_path: Path) -> None:
    why = sandbox.bwrap_usable()
    if why is not None:
        pytest.skip(why)                   # the fallback is tested above in mode 'off'
    (tmp_path / "work").mkdir()
    run = subprocess.run(sandbox.bwrap_command(tmp_path / "work", [
        "sh", "-c", f"test -e /etc/passwd || test -e {tmp_path}/secret || echo hidden; "
        "kpsewhich article.cls"]), capture_output=True, text=True, timeout=30)
    assert run.stdout.splitlines()[0] == "hidden" and run.stdout.strip().endswith("article.cls")
    assert sandbox.confine(tmp_path, ["x"])[0] == "bwrap"


def test_the_file_record_is_checked(tmp_path: Path) -> None:
    fls = tmp_path / "doc.fls"
    tree = sandbox.tex_tree()[0]
    fls.write_text(f"PWD {tmp_path}\nINPUT doc.tex\nINPUT {tree}/x.sty\nOUTPUT doc.log\n")
    assert sandbox.files_outside(fls, tmp_path) == []
    fls.write_text(f"PWD {tmp_path}\nINPUT {tree}/../../../etc/shadow\nOUTPUT ../x\n"
                   "OUTPUT doc.fls\n")
    assert sandbox.files_outside(fls, tmp_path) == [f"{tree}/../../../etc/shadow", "../x",
                                                    "doc.fls"]
    fls.write_bytes(b"\0\0\0INPUT doc.tex\n")
    assert sandbox.files_outside(fls, tmp_path) != []


# -- limits and processes ------------------------------------------------------------------

def test_timeout_kills_the_whole_process_group(tmp_path: Path, mode: str) -> None:
    tag = f"loop{uuid.uuid4().hex[:8]}"
    doc = document(tmp_path, "\\def\\x{\\x}\\x", name=tag)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "derive.cli", "render", str(doc), "--out",
                           str(tmp_path / "out"), "--timeout", "1.5"], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 1 and "longer than 1.5 s (--timeout)" in proc.stderr
    assert proc.stderr.count("\n") == 1 and time.monotonic() - start < 30
    assert gone(tag, within=1.0)           # pdflatex too, not only latexmk


def test_sigkill_of_derive_takes_tex_with_it(tmp_path: Path, mode: str) -> None:
    tag = f"orphan{uuid.uuid4().hex[:8]}"
    tex = tmp_path / f"{tag}.tex"
    tex.write_text(SMALL % "\\def\\x{\\x}\\x")
    code = ("import sys; from pathlib import Path; from derive.build.latexmk import "
            f"compile_latex; compile_latex(Path({str(tex)!r}), timeout=100)")
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    try:
        end = time.monotonic() + 30
        while not any(b"pdflatex" in Path(f"/proc/{p}/cmdline").read_bytes()
                      for p in processes_mentioning(tag) if Path(f"/proc/{p}").exists()):
            assert time.monotonic() < end, "pdflatex never started"
            time.sleep(0.1)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    assert gone(tag), processes_mentioning(tag)


def test_interrupt_stops_latex(tmp_path: Path) -> None:
    tag = f"intr{uuid.uuid4().hex[:8]}"
    tex = tmp_path / f"{tag}.tex"
    tex.write_text(SMALL % "\\def\\x{\\x}\\x")
    with folder_lock(tmp_path):
        job = latexmk.LatexJob(tex, timeout=100)
        time.sleep(0.5)
        job.cancel()                       # what build_documents does on Ctrl-C
    assert gone(tag, within=1.0) and not list((tmp_path / ".work").glob(".run-*"))


def test_output_flood_is_cut_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(latexmk, "MAX_FILE_BYTES", 2 * 2**20)
    doc = document(tmp_path, "\\loop\\message{%s}\\iftrue\\repeat" % ("flood " * 40))
    with pytest.raises(LatexError, match="LaTeX wrote more than 2 MB to one file; stopped"):
        build_document(doc, tmp_path / "out", timeout=60)
    sizes = [p.stat().st_size for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert max(sizes) <= 2 * 2**20


def test_page_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(latexmk, "MAX_PAGES", 5)
    many = "\\count255=0 \\loop x\\newpage\\advance\\count255 by 1 \\ifnum\\count255<9 \\repeat"
    with pytest.raises(LatexError, match=r"doc.tex:3: derive: more than 5 pages"):
        build_document(document(tmp_path, many), tmp_path / "out")
    # a document that removes the hook is stopped by the check of the PDF itself
    pdf = tmp_path / "out" / "ok.pdf"
    build_document(document(tmp_path, many.replace("9", "3"), "ok"), tmp_path / "out")
    monkeypatch.setattr(latexmk, "MAX_PAGES", 2)
    with pytest.raises(LatexError, match="has 3 pages"):
        check_pdf(pdf, pdf.read_bytes(), pdf)
    with pytest.raises(LatexError, match="incomplete PDF"):
        check_pdf(pdf, pdf.read_bytes()[:-400], pdf)


def test_verifier_workers_die_with_their_parent() -> None:
    code = ("import multiprocessing, time\n"
            "from concurrent.futures import ProcessPoolExecutor\n"
            "from derive.batch import _start_worker\n"
            "pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context('fork'), "
            "initializer=_start_worker)\n"
            "[pool.submit(time.sleep, 0.01).result() for _ in range(4)]\n"
            "print(*pool._processes, flush=True)\n"
            "time.sleep(100)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    assert parent.stdout is not None
    workers = [int(p) for p in parent.stdout.readline().split()]
    assert len(workers) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    end = time.monotonic() + 5
    while any(alive(w) for w in workers) and time.monotonic() < end:
        time.sleep(0.05)
    assert not any(alive(w) for w in workers)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# -- concurrent and failed builds ----------------------------------------------------------

BUILDS = 10      # per process; two processes into one folder: 20 concurrent builds

RACE = """
import re, subprocess, sys
from pathlib import Path
from derive.build.driver import build_document
doc, out = Path(sys.argv[1]), Path(sys.argv[2])
for _ in range(int(sys.argv[3])):
    build_document(doc, out, force=True)
    info = subprocess.run(["pdfinfo", str(out / "doc.pdf")], capture_output=True, text=True)
    assert info.returncode == 0 and re.search(r"Pages: +2\\s", info.stdout), info.stderr
    stamp = (out / ".stamps" / "doc.sha256").read_text()
    assert len(stamp) == 64
"""


def test_two_builds_into_one_folder_leave_whole_pdfs(tmp_path: Path) -> None:
    doc = document(tmp_path, "one\\newpage two")
    out = tmp_path / "out"
    racers = [subprocess.Popen([sys.executable, "-c", RACE, str(doc), str(out), str(BUILDS)],
                               cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [r.communicate(timeout=300)[1] for r in racers]
    assert [r.returncode for r in racers] == [0, 0], errors
    check_pdf(out / "doc.pdf", (out / "doc.pdf").read_bytes(), out)   # raises if broken
    assert not list((out / ".work").glob(".run-*")) and not list(out.glob(".doc.*"))


def test_a_second_build_waits_and_says_so(tmp_path: Path) -> None:
    doc = document(tmp_path, "waited")
    out = tmp_path / "out"
    with folder_lock(out):
        proc = subprocess.Popen([sys.executable, "-m", "derive.cli", "render", str(doc),
                                 "--out", str(out)], cwd=tmp_path, stderr=subprocess.PIPE,
                                text=True)
        assert proc.stderr is not None
        assert "waiting: another build into" in proc.stderr.readline()
        time.sleep(0.3)
        assert proc.poll() is None and not (out / "doc.pdf").exists()
    assert proc.wait(timeout=60) == 0 and (out / "doc.pdf").exists()


def test_a_failed_build_keeps_the_last_good_tex_and_pdf(tmp_path: Path) -> None:
    out = tmp_path / "out"
    doc = document(tmp_path, "good")
    build_document(doc, out)
    tex, pdf = (out / "doc.tex").read_bytes(), (out / "doc.pdf").read_bytes()
    doc.write_text(SMALL % "bad\n\\undefinedmacro")
    for _ in range(2):                     # not up to date the second time either
        with pytest.raises(LatexError, match=r"doc.tex:4: Undefined control sequence.*"
                           r"kept as .*doc.failed.tex; doc.tex and .pdf are the last good"):
            build_documents([doc], out)
        assert (out / "doc.tex").read_bytes() == tex and (out / "doc.pdf").read_bytes() == pdf
        assert b"\\undefinedmacro" in (out / "doc.failed.tex").read_bytes()
    doc.write_text(SMALL % "good again")
    assert not build_documents([doc], out)[0].skipped
    assert b"good again" in (out / "doc.tex").read_bytes()
    assert not (out / "doc.failed.tex").exists()


# -- bad input and error messages ----------------------------------------------------------

def test_render_never_overwrites_its_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    notes = tmp_path / "notes.tex"
    notes.write_text(SMALL % "my notes")
    before = notes.read_bytes()
    assert main(["render", str(notes), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "would overwrite it" in err
    assert notes.read_bytes() == before


def test_out_naming_a_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    (tmp_path / "afile").write_text("x")
    doc = document(tmp_path, "x")
    assert main(["render", str(doc), "--out", str(tmp_path / "afile")]) == 1
    assert main(["render", str(doc), "--out", str(tmp_path / "afile" / "sub")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "not a folder" in err[0] and "cannot build there" in err[1]
    with pytest.raises(SystemExit):
        main(["build", "--timeout", "0"])


def test_error_in_an_input_file_names_that_file_and_line(tmp_path: Path) -> None:
    body = ("\\begin{filecontents*}[overwrite]{part.tex}\nfine\n\\oops\n"
            "\\end{filecontents*}\n\\input{part}")
    doc = tmp_path / "doc.tex.j2"
    doc.write_text("\\documentclass{article}\n" + body.split("\\input")[0]
                   + "\\begin{document}\n\\input{part}\n\\end{document}\n")
    with pytest.raises(LatexError, match=r"^part.tex:2: Undefined control sequence. "
                       r"\[\\oops\] \(in a file read by .*doc.tex"):
        build_document(doc, tmp_path / "out")


def test_missing_package_names_the_line_that_loads_it(tmp_path: Path) -> None:
    doc = tmp_path / "doc.tex.j2"
    doc.write_text("\\documentclass{article}\n\n\\usepackage{nosuchpkgxyz}\n"
                   "\\begin{document}\nx\n\\end{document}\n")
    with pytest.raises(LatexError, match=r"doc.tex:3: missing package nosuchpkgxyz: "
                       r"nosuchpkgxyz.sty is not in the TeX tree.*\[\\usepackage"):
        build_document(doc, tmp_path / "out")


def test_error_in_a_tex_tree_file_names_it(tmp_path: Path) -> None:
    log = tmp_path / "doc.log"
    code = tmp_path / "pgfcore.code.tex"
    code.write_text("a\nb\n\\pgf@error\n")
    log.write_text(f"(./doc.tex\n{code}:3: Package pgf Error: no shape.\n"
                   "./doc.tex:9:  ==> Fatal error occurred, no output PDF file produced!\n")
    message = latex_error_message(log, tmp_path / "doc.tex", None, ["x"] * 9, tmp_path)
    assert message.startswith(f"{code}:3: Package pgf Error: no shape. [\\pgf@error] "
                              "(in a file read by")


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
    header = (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"tEXt", SECRET.encode())
            + chunk(b"IEND", b""))

