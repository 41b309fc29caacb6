"""`derive watch` (derive/build/watch.py): builds, then rebuilds when a file the document
used is saved, saying what changed and how long it took."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from derive.build.watch import watch
from derive.errors import UnknownNameError


def test_watch_rebuilds_a_document_when_its_template_is_saved(tmp_path: Path) -> None:
    doc = tmp_path / "doc.tex.j2"
    doc.write_text("\\documentclass{article}\n\\begin{document}\nfirst\n\\end{document}\n")
    out = tmp_path / "out"
    said: list[str] = []

    def save_when_built() -> None:
        while not said:
            time.sleep(0.05)
        time.sleep(0.3)
        doc.write_text(doc.read_text().replace("first", "second"))

    saver = threading.Thread(target=save_when_built, daemon=True)
    saver.start()
    assert watch([str(doc)], out, [], 60, say=said.append, poll=0.1, rounds=2) == 0
    assert said[0].startswith("derive: watch: first build: done in")
    assert said[1].startswith(f"derive: watch: after a change to {doc}: done in")
    assert "second" in (out / "doc.tex").read_text()


def test_watch_names_an_unknown_sheet(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="no-such-sheet"):
        watch(["no-such-sheet"], tmp_path, [], 60, rounds=1)
