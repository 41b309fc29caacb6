from __future__ import annotations

import shutil
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
def without_fdiff_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn off the verifier's first defence against a wrong derivative rule (each function's
    fdiff checked against its meaning, derive.context.check_function_derivatives), so that a
    test can see the second: finite differences and the independent oracles."""
    import derive.context

    monkeypatch.setattr(derive.context, "_derivative_disagreement", lambda cls, used=(): None)
