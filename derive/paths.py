"""Where derive's own files are: the repository root, templates, sheets and build output."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "derive"
TEMPLATE_DIR = ROOT / "templates"
SHEET_DIR = TEMPLATE_DIR / "sheets"
BUILD_DIR = ROOT / "build"
