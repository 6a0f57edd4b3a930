"""The house keeps its shape: stages import only earlier stages; no oversized rooms."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "satisfaction"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(src: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=src.parent,
        check=False,
    )


def test_import_contract_is_kept():
    result = _lint_imports(ROOT / "src", ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_import_contract_fails_on_a_back_import(tmp_path):
    """A reader that imports the batch runner (a stage to its right) breaks the contract."""
    src = tmp_path / "src"
    shutil.copytree(PACKAGE, src / "satisfaction", ignore=shutil.ignore_patterns("__pycache__"))
    text = src / "satisfaction" / "io" / "text.py"
    text.write_text(
        text.read_text(encoding="utf-8") + "\nfrom satisfaction.run import batch  # noqa\n",
        encoding="utf-8",
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = _lint_imports(src, tmp_path / "pyproject.toml")
    assert result.returncode != 0
    assert "satisfaction.io.text -> satisfaction.run.batch" in result.stdout
    assert "0 kept, 1 broken" in result.stdout


MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 120
ONE_PIECE = "# one piece:"  # a comment at a function's top that says why it cannot be split


def _long_functions(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            top = "\n".join(lines[node.lineno - 1 : node.lineno + 8])
            if length > MAX_FUNCTION_LINES and ONE_PIECE not in top:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({length})")
    return found


def test_no_module_is_oversized():
    sizes = {
        str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}


def test_no_function_is_oversized_without_a_reason():
    assert [f for path in sorted(PACKAGE.rglob("*.py")) for f in _long_functions(path)] == []
