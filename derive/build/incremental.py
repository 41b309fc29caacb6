"""What a document depends on, so that a rebuild redoes only what changed.

A document's fingerprint hashes the files it used the last time it was rendered, recorded
beside its stamp (``.stamps/NAME.deps``): its template and every template Jinja loaded for
it, the source files of the builders of the derivations, examples and figures it asked for
(with the library and numeric modules they import), and derive's own code outside
``library/`` and ``numeric/`` (the verifier, the renderers, the build: they affect every
document).  Checking it reads files and hashes them; it imports neither SymPy nor the library.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from derive.build.latexmk import write_atomically
from derive.paths import PACKAGE_DIR, ROOT

BUILDER_PACKAGES = ("library", "numeric")   # derive's builders: a change there is local


@functools.cache
def core_files() -> list[Path]:
    """derive's code that every document depends on: all of it but library/ and numeric/
    (listed once a process: a file added later counts once something imports it, and then
    the importing file has changed)."""
    return sorted(p for p in PACKAGE_DIR.rglob("*.py")
                  if p.relative_to(PACKAGE_DIR).parts[0] not in BUILDER_PACKAGES)


def _file_hash(path: Path) -> bytes:
    """The SHA-256 of a file's content, b"missing" if it cannot be read; remembered while
    the file's size, modification time and inode stay the same (a build checks derive's
    own code once for all its documents, not once a document)."""
    try:
        st = os.stat(path)
    except OSError:
        return b"missing"
    return _content_hash(path, st.st_size, st.st_mtime_ns, st.st_ino)


@functools.lru_cache(maxsize=4096)
def _content_hash(path: Path, size: int, mtime_ns: int, inode: int) -> bytes:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return b"missing"


def _imports(path: Path, inside_functions: bool = True) -> set[str]:
    """The module names a source file imports at load time (and inside functions)."""
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return set()
    found: set[str] = set()
    for node in ast.walk(tree) if inside_functions else tree.body:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def _is_builder_module(name: str) -> bool:
    return any(name == f"derive.{p}" or name.startswith(f"derive.{p}.")
               for p in BUILDER_PACKAGES)


def module_files(modules: Iterable[str]) -> set[Path]:
    """The source files of the named (loaded) modules, their packages' ``__init__`` files,
    and, transitively, the derive library and numeric modules they import.  A module outside
    derive (a ``--library`` file) counts with its own file."""
    files: set[Path] = set()
    pending, seen = list(modules), set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _source(name)
        if path is None:
            continue
        files.add(path)
        parent = name.rpartition(".")[0]
        while parent:                  # its packages' own files (not what they import)
            init = _source(parent)
            if init is not None:
                files.add(init)
            parent = parent.rpartition(".")[0]
        if path.is_relative_to(PACKAGE_DIR) and path.name != "__init__.py":
            pending.extend(m for m in _imports(path) if _is_builder_module(m))
    return files


def _source(module: str) -> Path | None:
    file = getattr(sys.modules.get(module), "__file__", None)
    return Path(file).resolve() if file is not None and file.endswith(".py") else None


def core_builder_modules() -> set[str]:
    """The library and numeric modules derive's other code imports (figure.py imports
    numeric.vector_graph, say): every document depends on them too."""
    return {m for path in core_files() for m in _imports(path, inside_functions=False)
            if _is_builder_module(m)}


def builder_module(build: Callable[..., object]) -> str:
    """The module a registered builder's function was written in."""
    function = getattr(build, "unverified", build)
    function = getattr(function, "__wrapped__", function)
    return str(getattr(function, "__module__", ""))


@functools.lru_cache(maxsize=4096)
def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _named(line: str) -> Path:
    path = Path(line)
    return path if path.is_absolute() else ROOT / path


def digest(files: Iterable[Path]) -> str:
    """A hash of the files' names and contents (a missing file counts as missing)."""
    h = hashlib.sha256()
    for path in sorted(set(files)):
        h.update(_shown(path).encode() + b"\0")
        h.update(_file_hash(path))
    return h.hexdigest()


def deps_path(stamp: Path) -> Path:
    return stamp.with_suffix(".deps")


def record(stamp: Path, files: Iterable[Path]) -> None:
    """Write the files a document used beside its stamp, one a line."""
    lines = sorted({_shown(p.resolve()) for p in files})
    write_atomically(deps_path(stamp), ("\n".join(lines) + "\n").encode())


def recorded(stamp: Path) -> list[Path] | None:
    """The files recorded beside a stamp, None if there is no record."""
    try:
        text = deps_path(stamp).read_text()
    except (OSError, UnicodeDecodeError):
        return None
    return [_named(line) for line in text.splitlines() if line]


def fingerprint(template: Path, used: Iterable[Path] = ()) -> str:
    """A hash of what a document depends on: its template, the files it used (templates,
    builder modules) and derive's code outside the builders."""
    return digest([template.resolve(), *used, *core_files()])


def watched_files(template: Path, stamp: Path) -> list[Path]:
    """The files whose change makes a document out of date (for ``derive watch``)."""
    return sorted({template.resolve(), *(recorded(stamp) or []), *core_files()})
