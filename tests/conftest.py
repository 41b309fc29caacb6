from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sheet A built once into a temporary build folder."""
    if shutil.which("latexmk") is None:
        pytest.fail("latexmk missing: `make test` installs TeX Live before running the tests")
    from derive.build.driver import build_sheet

    out = tmp_path_factory.mktemp("build")
    return build_sheet("A-neurons-networks-graphs", out, force=True).pdf


@pytest.fixture()
def torch() -> Any:
    """PyTorch (CPU, float64) for an oracle test; without it, only that test is skipped."""
    module = pytest.importorskip("torch", reason="`make test` installs torch==2.13.0 (CPU)")
    module.set_default_dtype(module.float64)
    return module


@pytest.fixture()
def without_fdiff_check() -> Iterator[None]:
    """The verifier's own check of each fdiff turned off (tests.caches.fdiff_check_off)."""
    from tests.caches import fdiff_check_off

    with fdiff_check_off():
        yield
