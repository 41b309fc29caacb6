"""Confining TeX to its work folder and the TeX tree.

Two layers.  Where bubblewrap (``bwrap``) runs, TeX runs in a mount namespace that holds only
the programs (/usr), the TeX tree and its work folder: /etc/passwd, the home folders and the
rest of the file system are simply not there; it has no network and its own process ids.
Some containers forbid the namespaces bwrap needs, so it is tried once before it is trusted;
where it fails derive warns once and falls back to the second layer alone.  The second layer
holds everywhere: kpathsea's ``openin_any=p``/``openout_any=p`` refuse absolute and parent
paths to ``\\input``, ``\\openin`` and ``\\openout``, and since pdfTeX's ``\\pdfobj file``,
``\\pdfximage`` and their kin do not ask kpathsea, the record of every file TeX opened
(``-recorder``, the .fls file) is checked after the run: a document that opened anything
outside the work folder and the TeX tree is not built, and its PDF is deleted unread.

``DERIVE_TEX_SANDBOX``: ``auto`` (the default: bwrap where it works), ``bwrap`` (refuse to
build without it), ``off`` (the second layer only).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from derive.errors import LatexError

TEX_TREE_VARS = ("TEXMFROOT", "TEXMFDIST", "TEXMFLOCAL", "TEXMFSYSVAR", "TEXMFSYSCONFIG",
                 "TEXMFHOME", "TEXMFVAR", "TEXMFCONFIG")
DEBIAN_TEX_TREE = ("/usr/share/texlive", "/usr/share/texmf", "/var/lib/texmf", "/etc/texmf")
_warned: list[str] = []


@functools.cache
def tex_tree() -> tuple[str, ...]:
    """The folders of the TeX installation TeX may read (those that exist)."""
    roots = set(DEBIAN_TEX_TREE)
    try:
        out = subprocess.run(["kpsewhich", *(f"-var-value={v}" for v in TEX_TREE_VARS)],
                             capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    for line in out.splitlines():
        roots.update(p.strip("!{}") for p in line.split(":") if p.startswith(("/", "!!/")))
    found = {os.path.normpath(r) for r in roots if os.path.isdir(r)}
    found |= {os.path.realpath(r) for r in found}
    return tuple(sorted(found))


def _within(path: str, roots: tuple[str, ...] | list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def bwrap_command(work: Path, command: list[str]) -> list[str]:
    """command run by bubblewrap, seeing /usr, the TeX tree and work (writable) only."""
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        top = Path("/") / name
        if top.is_symlink():
            args += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            args += ["--ro-bind", str(top), str(top)]
    for root in tex_tree():
        if not _within(root, ["/usr"]) and not os.path.islink(root):
            args += ["--ro-bind", root, root]
    args += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
             "--bind", str(work), str(work), "--chdir", str(work), *command]
    return args


@functools.cache
def bwrap_usable() -> str | None:
    """None if bwrap runs a program here, else why not (tried once per process)."""
    if shutil.which("bwrap") is None:
        return "bwrap is not installed (Debian package bubblewrap)"
    with tempfile.TemporaryDirectory() as tmp:
        try:
            proc = subprocess.run(bwrap_command(Path(tmp), ["true"]), capture_output=True,
                                  text=True, timeout=30, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"bwrap does not run: {err}"
    if proc.returncode != 0:
        why = proc.stderr.strip() or f"exit {proc.returncode}"
        return f"bwrap does not run here: {why[:200]}"
    return None


def confine(work: Path, command: list[str]) -> list[str]:
    """command as it should run in work: under bwrap, or as it is (see the module notes)."""
    mode = os.environ.get("DERIVE_TEX_SANDBOX", "auto")
    if mode == "off":
        return command
    why = bwrap_usable()
    if why is None:
        return bwrap_command(work, command)
    if mode == "bwrap":
        raise LatexError(f"DERIVE_TEX_SANDBOX=bwrap, but {why}")
    if not _warned:
        _warned.append(why)
        print(f"derive: warning: {why}; TeX runs without a mount namespace, confined by "
              "kpathsea (openin_any=p) and derive's check of the files it opened",
              file=sys.stderr, flush=True)
    return command


def files_outside(fls: Path, work: Path) -> list[str]:
    """The files TeX opened outside its work folder and the TeX tree, from its recorder
    file (a missing or tampered record counts as such a file)."""
    try:
        data = fls.read_bytes()
    except OSError:
        return [f"{fls.name} (no record of the files TeX opened)"]
    if b"\0" in data or not data.startswith(b"PWD "):
        return [f"{fls.name} (the record of the files TeX opened was tampered with)"]
    here = [os.path.normpath(str(work)), os.path.realpath(work)]
    inputs = (*tex_tree(), *here)
    pwd, outside = str(work), []
    for line in data.decode(errors="replace").splitlines():
        kind, _, name = line.partition(" ")
        if kind == "PWD":
            pwd = name
            continue
        path = os.path.normpath(os.path.join(pwd, name))
        if kind == "INPUT" and _within(path, inputs):
            continue
        if kind == "OUTPUT" and _within(path, here) and not path.endswith(".fls"):
            continue
        outside.append(name or line)
    return outside
