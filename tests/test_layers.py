"""The import layering (pyproject.toml's [tool.importlinter], described in docs/architecture.md) holds: apps import
only downwards, the sandbox imports nothing of ours, and no app has an import cycle. `make lint` runs the same."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_it_keeps_every_import_contract():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout and "KEPT" in result.stdout
