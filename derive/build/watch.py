"""``derive watch``: rebuild sheets and documents when a file they use is saved.

Every half second it reads the modification times of what the targets use (their templates,
the builders' modules, derive's code: derive.build.incremental, as their last build recorded
it); when one changed it runs ``derive build`` / ``derive render`` in a fresh process (so that
edited modules are imported anew; the build itself redoes only what changed), and says what
it rebuilt and how long it took.  Ctrl-C stops it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from derive.build import incremental
from derive.build.driver import Document, _sheet_template, sheet_names
from derive.errors import DeriveError
from derive.paths import SHEET_DIR

POLL_S = 0.5


def _targets(names: list[str], out_dir: Path) -> tuple[list[str], list[Path]]:
    """Sheet names and document paths of the watch's arguments (default: every sheet)."""
    sheets, docs = [], []
    for name in names or sheet_names():
        if name in sheet_names():
            sheets.append(name)
        elif Path(name).is_file():
            docs.append(Path(name).resolve())
        else:
            _sheet_template(name)     # raises: an unknown sheet, naming the known ones
    for doc in docs:
        Document(doc, out_dir).check_outputs()
    return sheets, docs


def _times(files: list[Path]) -> dict[Path, int]:
    times = {}
    for path in files:
        try:
            times[path] = path.stat().st_mtime_ns
        except OSError:
            times[path] = -1
    return times


def watch(names: list[str], out_dir: Path, library: list[str], timeout: float,
          say: Callable[[str], None] = print, poll: float = POLL_S,
          rounds: int | None = None) -> int:
    """Build the targets, then rebuild them whenever a file they use changes (rounds: stop
    after that many builds, for tests).  0 when stopped with Ctrl-C."""
    sheets, docs = _targets(names, out_dir)
    base = [sys.executable, "-m", "derive.cli", *(a for p in library for a in ("--library", p))]
    common = ["--out", str(out_dir), "--timeout", f"{timeout:g}"]
    commands = ([[*base, "build", *sheets, *common]] if sheets else []) + \
        [[*base, "render", str(doc), *common] for doc in docs]
    templates = [SHEET_DIR / f"{s}.tex.j2" for s in sheets] + docs

    def inputs() -> list[Path]:
        return sorted({f for t in templates
                       for f in incremental.watched_files(t, Document(t, out_dir).stamp)})

    built = 0
    try:
        changed: list[Path] = []
        while True:
            start = time.perf_counter()
            for command in commands:
                subprocess.run(command, check=False)
            built += 1
            what = ", ".join(str(p) for p in changed[:3]) + " ..." * (len(changed) > 3)
            why = f"after a change to {what}" if changed else "first build"
            say(f"derive: watch: {why}: done in {time.perf_counter() - start:.2f} s; "
                "watching for changes (Ctrl-C stops)")
            if rounds is not None and built >= rounds:
                return 0
            before = _times(inputs())
            while True:
                time.sleep(poll)
                now = _times(list(before))
                changed = [p for p in before if now[p] != before[p]]
                if changed:
                    break
    except KeyboardInterrupt:
        say("derive: watch stopped")
        return 0
    except OSError as err:
        raise DeriveError(f"watch: {err}") from err
