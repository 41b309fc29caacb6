"""docs/tutorial.md, run as written: its files are saved and its commands run, in order, in an
empty folder outside the repository; then the slip it suggests is made and must fail."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"
BLOCK = re.compile(r"^```(\w+)(?: file=(\S+))?\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks() -> list[tuple[str, str | None, str]]:
    """(language, file name or None, body) of every fenced block, in order."""
    return [(m[1], m[2], m[3]) for m in BLOCK.finditer(TUTORIAL.read_text())]


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    words = shlex.split(command)
    if words[0] == "derive":   # the installed command, as the reader has it
        words = [sys.executable, "-m", "derive.cli", *words[1:]]
    return subprocess.run(words, capture_output=True, text=True, cwd=cwd, timeout=600,
                          env={**os.environ, "DERIVE_CACHE": "off"})


def test_the_tutorial_has_files_and_commands() -> None:
    kinds = [(lang, name) for lang, name, _ in blocks()]
    assert ("python", "mylib/softplus.py") in kinds and ("latex", "notes.tex.j2") in kinds
    assert sum(lang == "sh" for lang, _ in kinds) >= 3


def test_the_tutorial_runs_as_written(tmp_path: Path) -> None:
    outputs = []
    for lang, name, body in blocks():
        if name is not None:
            (tmp_path / name).write_text(body)
        elif lang == "sh":
            for command in body.strip().splitlines():
                proc = run(command, tmp_path)
                assert proc.returncode == 0, f"{command}: {proc.stderr}"
                outputs.append(proc.stdout)
    assert any("softplus-derivative: 3 steps, 3 proved" in out for out in outputs)
    pdf = tmp_path / "out" / "notes.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "The derivative of softplus" in text and "Softplus" in text
    # the slip the tutorial suggests: sigma(-z) for sigma(z) in the last step
    module = tmp_path / "mylib" / "softplus.py"
    source = module.read_text()
    slipped = source.replace("c.eq(sigmoid(z),", "c.eq(sigmoid(-z),")
    assert slipped != source, "the tutorial's last step is not where the test looks for it"
    module.write_text(slipped)
    wrong = run("derive --library mylib verify softplus-derivative", tmp_path)
    assert wrong.returncode == 2
    assert "softplus-derivative: step 3" in wrong.stderr and "refuted" in wrong.stderr
