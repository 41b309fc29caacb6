"""A user's own derivations, examples and figures, in modules outside derive's package.

``derive --library PATH`` (a ``.py`` file, or a folder whose ``*.py`` files are loaded in
name order), or a project file ``derive.toml`` naming them, imports each module once; its
``@derivation``, ``@example`` and ``@figure`` decorators register the names beside the
library's own.  The folder of each module is put
on ``sys.path`` first, so the modules of one folder can import each other.
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path

import tomllib

from derive.errors import DeriveError


class LibraryError(DeriveError):
    """A user library that cannot be found or loaded; the message names the file and line."""

    exit_code = 2


PROJECT_FILE = "derive.toml"


def project_libraries(start: Path) -> list[Path]:
    """The libraries a project file names: ``derive.toml`` in ``start`` or the nearest folder
    above it, ``library = ["mylib", "more.py"]``, paths relative to the file."""
    for folder in (start.resolve(), *start.resolve().parents):
        project = folder / PROJECT_FILE
        if project.is_file():
            try:
                settings = tomllib.loads(project.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
                raise LibraryError(f"{project}: {err}") from err
            paths = settings.get("library", [])
            if isinstance(paths, str):
                paths = [paths]
            if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
                raise LibraryError(f"{project}: library must be a path or a list of paths")
            return [folder / p for p in paths]
    return []


def modules_in(path: Path) -> list[Path]:
    """The module files a library path stands for."""
    if path.is_dir():
        return sorted(p for p in path.glob("*.py") if not p.name.startswith(("_", ".")))
    if path.is_file() and path.suffix == ".py":
        return [path]
    raise LibraryError(f"no such library: {path} (a .py file or a folder of them)")


def load_library(path: Path) -> list[str]:
    """Import every module of a user library; return their module names."""
    from derive.registry import loaded_library

    loaded_library()   # derive's own names first: a user's name may not hide one of them
    loaded = []
    for file in modules_in(path):
        name = f"derive_user_{file.stem}_{abs(hash(file.resolve())) % 10**8}"
        if name not in sys.modules:
            _import(file, name)
        loaded.append(name)
    return loaded


def _import(file: Path, name: str) -> None:
    folder = str(file.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise LibraryError(f"{file}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except DeriveError as err:
        del sys.modules[name]
        raise LibraryError(f"{file}: {err}") from err
    except Exception as err:  # noqa: BLE001  (a user's module may raise anything)
        del sys.modules[name]
        raise LibraryError(f"{file}{_line_of(err, file)}: {type(err).__name__}: {err}") from err


def _line_of(err: BaseException, file: Path) -> str:
    """":LINE" of the innermost frame of ``file`` in the error's traceback, if any."""
    if isinstance(err, SyntaxError) and err.lineno:
        return f":{err.lineno}"
    lines = [frame.lineno for frame in traceback.extract_tb(err.__traceback__)
             if Path(frame.filename).resolve() == file.resolve()]
    return f":{lines[-1]}" if lines else ""
