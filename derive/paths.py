"""Where derive's own files are: templates and sheets (package data), build output and the
verdict cache.

Templates are package data (``derive/templates``; in the repository a link to the top-level
``templates/``), found through :mod:`importlib.resources`, so an installed wheel renders.  In a
repository checkout, output and cache go to its ``build/``; installed elsewhere, output goes to
``./build`` and the verdict cache to the user's cache directory (``$XDG_CACHE_HOME/derive``).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

PACKAGE_DIR = Path(str(resources.files("derive")))
ROOT = PACKAGE_DIR.resolve().parent
TEMPLATE_DIR = Path(str(resources.files("derive").joinpath("templates"))).resolve()
SHEET_DIR = TEMPLATE_DIR / "sheets"
# A source checkout (an editable install or the tests): derive/ beside pyproject.toml.
IN_REPOSITORY = (ROOT / "pyproject.toml").is_file() and TEMPLATE_DIR == ROOT / "templates"
BUILD_DIR = ROOT / "build" if IN_REPOSITORY else Path("build")


def user_cache_dir(environ: os._Environ[str] | dict[str, str] = os.environ) -> Path:
    """derive's folder in the user's cache directory (XDG_CACHE_HOME, else ~/.cache)."""
    base = environ.get("XDG_CACHE_HOME", "")
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "derive"


def verdict_cache_dir(environ: os._Environ[str] | dict[str, str] = os.environ) -> Path | None:
    """Where verified verdicts are kept: DERIVE_CACHE if set (``off``: nowhere), else the
    repository's build/.cache/verdicts, else the user's cache directory; never beside an
    installed package."""
    setting = environ.get("DERIVE_CACHE", "")
    if setting == "off":
        return None
    if setting:
        return Path(setting)
    return BUILD_DIR / ".cache" / "verdicts" if IN_REPOSITORY \
        else user_cache_dir(environ) / "verdicts"
