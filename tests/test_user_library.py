"""A user's own derivations, loaded with ``derive --library PATH``, through the command line
as a user runs it; and bad input from such a library: a one-line error naming the
derivation, the step and its expressions, exit status 2, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SOFTPLUS = '''
import sympy as sp

from derive.proof import Derivation, Oracle, Step, text
from derive.registry import derivation

z = sp.Symbol("z", real=True)
d = sp.Derivative
softplus = sp.log(1 + sp.exp(z))


def steps(last):
    return [
        Step(d(softplus, z), sp.exp(z) / (1 + sp.exp(z)), text("chain rule")),
        Step(d(softplus, z), last, text("divide by ", sp.exp(z))),
    ]


@derivation("softplus-derivative")
def softplus_derivative():
    """The softplus derivative is the sigmoid."""
    return Derivation(name="softplus-derivative", title="The derivative of softplus",
                      summary=text("It is the sigmoid."), givens=[], domains={z: (-6.0, 6.0)},
                      steps=steps(1 / (1 + sp.exp(-z))),
                      oracles=[Oracle(text("sympy.diff"), 1 / (1 + sp.exp(-z)),
                                      sp.diff(softplus, z))])


@derivation("softplus-wrong")
def softplus_wrong():
    """A slip: the sign of the exponent lost."""
    return Derivation(name="softplus-wrong", title="A wrong derivative of softplus",
                      summary=text("wrong"), givens=[], domains={z: (-6.0, 6.0)},
                      steps=steps(1 / (1 + sp.exp(z))))
'''


def derive(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DERIVE_CACHE": "off"}
    return subprocess.run([sys.executable, "-m", "derive.cli", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=600)


@pytest.fixture()
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "mylib"
    folder.mkdir()
    (folder / "softplus.py").write_text(SOFTPLUS)
    return folder


def test_a_users_derivation_is_listed_verified_and_shown(library: Path) -> None:
    listed = derive("--library", str(library), "list", cwd=library.parent)
    assert listed.returncode == 0 and "derivation  softplus-derivative" in listed.stdout
    assert "derivation  sigmoid-derivative" in listed.stdout      # ours are still there
    verified = derive("--library", str(library), "verify", "softplus-derivative",
                      cwd=library.parent)
    assert verified.returncode == 0, verified.stderr
    assert "softplus-derivative: 2 steps, 2 proved" in verified.stdout
    shown = derive("--library", str(library / "softplus.py"), "show", "softplus-derivative",
                   "--format", "latex", cwd=library.parent)
    assert shown.returncode == 0 and r"\begin{flalign*}" in shown.stdout
    assert r"\derivfits{= \frac{1}{1 + e^{- z}}}" in shown.stdout    # the result's line


def test_a_wrong_step_in_a_users_library_is_exit_2_naming_step_and_expressions(
        library: Path) -> None:
    proc = derive("--library", str(library), "verify", "softplus-wrong", cwd=library.parent)
    assert proc.returncode == 2
    assert "softplus-wrong: step 2 (Derivative(log(exp(z) + 1), z) = 1/(exp(z) + 1)" \
        in proc.stderr
    assert "refuted" in proc.stderr and "counter-example" in proc.stderr


def test_rendering_a_wrong_derivation_writes_nothing(library: Path) -> None:
    doc = library.parent / "notes.tex.j2"
    doc.write_text("\\documentclass{article}\n\\begin{document}\n"
                   "((( derivation('softplus-wrong') )))\n\\end{document}\n")
    out = library.parent / "out"
    proc = derive("--library", str(library), "render", str(doc), "--out", str(out),
                  cwd=library.parent)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "softplus-wrong: step 2" in proc.stderr and "refuted" in proc.stderr
    assert not out.exists() or not [p for p in out.iterdir() if p.suffix in (".tex", ".pdf")]


def test_rendering_a_users_derivation_into_a_users_document(library: Path) -> None:
    doc = library.parent / "notes.tex.j2"
    doc.write_text("\\documentclass{article}\n((* include 'partials/preamble.tex.j2' *))\n"
                   "\\begin{document}\nMy notes.\n((( derivation('softplus-derivative') )))\n"
                   "\\end{document}\n")
    out = library.parent / "out"
    proc = derive("--library", str(library), "render", str(doc), "--out", str(out),
                  cwd=library.parent)
    assert proc.returncode == 0, proc.stderr
    text = subprocess.run(["pdftotext", str(out / "notes.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "My notes." in text and "The derivative of softplus" in text


@pytest.mark.parametrize(("source", "message"), [
    ("import sympy\n\nraise ValueError('oops')\n", "broken.py:3: ValueError: oops"),
    ("def f(:\n", "broken.py:1: SyntaxError"),
    (textwrap.dedent('''
        from derive.registry import derivation

        @derivation("sigmoid-derivative")
        def mine():
            pass
        '''), "derivation 'sigmoid-derivative' is registered twice"),
])
def test_a_library_that_does_not_load_is_one_line_and_exit_2(tmp_path: Path, source: str,
                                                              message: str) -> None:
    (tmp_path / "broken.py").write_text(source)
    proc = derive("--library", str(tmp_path / "broken.py"), "list", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert message in proc.stderr


def test_a_missing_library_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = derive("--library", str(tmp_path / "nowhere"), "list", cwd=tmp_path)
    assert proc.returncode == 2 and "no such library" in proc.stderr


def test_a_failing_derivation_leaves_no_cache_entry(library: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "DERIVE_CACHE": str(cache)}
    for name, status in (("softplus-wrong", 2), ("softplus-derivative", 0)):
        proc = subprocess.run([sys.executable, "-m", "derive.cli", "--library", str(library),
                               "verify", name], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=600)
        assert proc.returncode == status, proc.stderr
        assert len(list(cache.glob("*.json"))) == (0 if status else 1)


def test_a_derivation_named_unlike_its_registration_is_one_line_and_exit_2(
        tmp_path: Path) -> None:
    (tmp_path / "named.py").write_text(SOFTPLUS.replace('name="softplus-derivative"',
                                                        'name="softplus"'))
    proc = derive("--library", str(tmp_path / "named.py"), "verify", "softplus-derivative",
                  cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "registered as 'softplus-derivative' is named 'softplus'" in proc.stderr


def test_a_project_file_names_the_library_for_every_command(library: Path) -> None:
    project = library.parent
    (project / "derive.toml").write_text('library = ["mylib"]\n')
    below = project / "chapter"
    below.mkdir()
    listed = derive("list", cwd=below)       # found in the folder above, paths relative to it
    assert listed.returncode == 0, listed.stderr
    assert "derivation  softplus-derivative" in listed.stdout


@pytest.mark.parametrize("content", ['library = ["mylib"', "library = 3\n"])
def test_a_broken_project_file_is_one_line_and_exit_2(library: Path, content: str) -> None:
    (library.parent / "derive.toml").write_text(content)
    proc = derive("list", cwd=library.parent)
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "derive.toml" in proc.stderr
