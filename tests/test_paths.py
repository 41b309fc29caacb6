"""Where derive's files are (derive/paths.py), and packaging: a wheel installed into a fresh
virtual environment outside the repository renders a user's document."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from derive import paths

ROOT = Path(__file__).resolve().parents[1]


def test_templates_are_package_data_found_through_importlib_resources() -> None:
    assert paths.TEMPLATE_DIR == ROOT / "templates"      # the link derive/templates, resolved
    assert (ROOT / "derive" / "templates").resolve() == ROOT / "templates"
    assert (paths.SHEET_DIR / "B-two-layer-mlp.tex.j2").is_file()
    assert (paths.TEMPLATE_DIR / "partials" / "derivation.tex.j2").is_file()


def test_the_verdict_cache_is_in_build_in_a_repository_else_the_users_cache() -> None:
    assert paths.IN_REPOSITORY
    assert paths.verdict_cache_dir({}) == ROOT / "build" / ".cache" / "verdicts"
    assert paths.verdict_cache_dir({"DERIVE_CACHE": "off"}) is None
    assert paths.verdict_cache_dir({"DERIVE_CACHE": "/x/y"}) == Path("/x/y")
    assert paths.user_cache_dir({"XDG_CACHE_HOME": "/c"}) == Path("/c/derive")
    assert paths.user_cache_dir({"XDG_CACHE_HOME": "relative"}) == \
        Path.home() / ".cache" / "derive"       # the XDG rule: a relative path is ignored


USER_DOCUMENT = r"""((* extends "base.tex.j2" *))
((* block title *))My own notes((* endblock *))
((* block body *))
((( derivation("sigmoid-derivative") )))
((( example("a1-linear-neuron") )))
((* endblock *))
"""


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, f"{args[:3]} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_a_wheel_installed_outside_the_repository_renders_a_document(
        tmp_path: Path) -> None:
    if shutil.which("latexmk") is None:
        pytest.fail("latexmk missing: `make test` installs TeX Live before running the tests")
    # Build from a copy, so that setuptools' build/ and egg-info stay out of the repository.
    source = tmp_path / "source"
    shutil.copytree(ROOT / "derive", source / "derive",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    _run([sys.executable, "-m", "pip", "wheel", source, "-w", tmp_path / "wheels", "--no-deps",
          "--no-build-isolation", "-q"], tmp_path)
    (wheel,) = (tmp_path / "wheels").glob("derive-*.whl")
    members = zipfile.ZipFile(wheel).namelist()
    assert "derive/templates/base.tex.j2" in members
    assert "derive/templates/partials/derivation.tex.j2" in members
    assert "derive/templates/sheets/C-backprop-cross-entropy.tex.j2" in members

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], tmp_path)
    _run([venv / "bin" / "python", "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt",
          wheel], tmp_path, timeout=300)

    user = tmp_path / "user"
    user.mkdir()
    (user / "doc.tex.j2").write_text(USER_DOCUMENT)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "DERIVE_CACHE", "VIRTUAL_ENV")}
    env |= {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": f"{venv / 'bin'}:{env['PATH']}"}
    where = _run([venv / "bin" / "python", "-c", "import derive; print(derive.__file__)"],
                 user, env).stdout
    assert str(venv) in where and str(ROOT) not in where
    _run([venv / "bin" / "derive", "render", "doc.tex.j2", "--out", "out"], user, env)
    pdf = user / "out" / "doc.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = _run(["pdftotext", pdf, "-"], user).stdout
    assert "My own notes" in text and "sigmoid" in text
    cached = list((tmp_path / "cache" / "derive" / "verdicts").glob("sigmoid-derivative-*.json"))
    assert len(cached) == 1
    site = Path(where.strip()).parent
    assert not list(site.rglob("*.json"))[1:], "nothing but verify_costs.json beside the code"

    # The sheets ship too: one of them as Markdown, from the installed package's templates.
    shown = _run([venv / "bin" / "derive", "build", "C-backprop-cross-entropy", "--format",
                  "markdown", "--out", "md"], user, env, timeout=300)
    assert "C-backprop-cross-entropy.md" in shown.stdout
    assert (user / "md" / "markdown" / "C-backprop-cross-entropy.md").stat().st_size > 10_000
