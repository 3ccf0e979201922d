"""The import-linter contracts of pyproject.toml hold, and each one fails when broken.

Each check runs ``lint-imports`` on a small fixture tree: packages with the real names (every
module the contracts name, plus the intended path api -> workflow -> geo), with the project's
contracts copied from pyproject.toml. The clean tree keeps every contract (so indirect paths
allowed by a contract stay allowed); one breaking module per contract must break it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from machi.settings import PROJECT_ROOT

CONFIG = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS: list[dict[str, Any]] = CONFIG["contracts"]
ROOTS: list[str] = CONFIG["root_packages"]

# The layering DESIGN.md wants, which every contract must allow.
INTENDED = {
    "machi.cli": ["api.route", "workflow.usecase"],
    "api.route": ["workflow.usecase", "workflow.db", "fastapi"],
    "workflow.usecase": ["geo.db", "routing.solver", "maps.builder", "print.worksheet"],
    "workflow.db": ["geo.db", "sqlalchemy"],
    "geo.db": ["sqlalchemy", "psycopg"],
    "geo.areas": ["shapely", "geo.errors"],
    "routing.solver": ["ortools", "routing.checker"],
    # The one allowed cross-import of the lower layer: paper reads the screen's road style.
    "print.streetmap": ["maps.roadstyle"],
}


def _named_modules(contract: dict[str, Any]) -> list[str]:
    layers = [m.strip() for layer in contract.get("layers", []) for m in layer.split("|")]
    named = contract.get("source_modules", []) + contract.get("forbidden_modules", []) + layers
    return [m for m in named if m.split(".")[0] in ROOTS]


def _module_file(root: Path, module: str) -> Path:
    """The file of ``module`` in the fixture tree (``__init__.py`` when it is a package)."""
    package = root.joinpath(*module.split("."))
    return package / "__init__.py" if package.is_dir() else package.with_suffix(".py")


def _write_tree(root: Path) -> None:
    modules = set(ROOTS) | set(INTENDED) | {m for c in CONTRACTS for m in _named_modules(c)}
    modules |= {m for targets in INTENDED.values() for m in targets if m.split(".")[0] in ROOTS}
    parents = {".".join(m.split(".")[:i]) for m in modules for i in range(1, m.count(".") + 1)}
    for package in sorted(parents | set(ROOTS)):
        root.joinpath(*package.split(".")).mkdir(parents=True, exist_ok=True)
        root.joinpath(*package.split("."), "__init__.py").touch()
    for module in sorted(modules - parents - set(ROOTS)):
        root.joinpath(*module.split(".")).with_suffix(".py").touch()
    for module, targets in INTENDED.items():
        _add_imports(root, module, targets)


def _add_imports(root: Path, module: str, targets: list[str]) -> None:
    path = _module_file(root, module)
    lines = "".join(f"import {target}\n" for target in targets)
    path.write_text(path.read_text() + lines)


def _lint(root: Path) -> str:
    """Run lint-imports on ``root`` with the project's contracts; its report."""
    head = {"root_packages": ROOTS, "include_external_packages": True}
    text = "[tool.importlinter]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in head.items())
    for contract in CONTRACTS:
        body = "".join(f"{k} = {json.dumps(v)}\n" for k, v in contract.items())
        text += "\n[[tool.importlinter.contracts]]\n" + body
    (root / "contracts.toml").write_text(text)
    lint_imports = Path(sys.executable).with_name("lint-imports")
    command = [str(lint_imports), "--config", "contracts.toml", "--no-cache"]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert "Analyzed" in done.stdout, done.stdout + done.stderr
    return done.stdout


def _breakers(contract: dict[str, Any]) -> dict[str, list[str]]:
    """Imports that break ``contract``: each source (or lower layer) importing what it must not."""
    if contract["type"] == "forbidden":
        return dict.fromkeys(contract["source_modules"], contract["forbidden_modules"])
    if contract["type"] == "layers":
        layers = [[m.strip() for m in layer.split("|")] for layer in contract["layers"]]
        return {low[0]: [high[0]] for high, low in zip(layers, layers[1:], strict=False)}
    raise AssertionError(f"no breaker written for {contract['type']} contracts")


def test_fixture_tree_keeps_every_contract(tmp_path: Path) -> None:
    _write_tree(tmp_path)
    report = _lint(tmp_path)
    for contract in CONTRACTS:
        assert f"{contract['name']} KEPT" in report, report


@pytest.mark.parametrize("contract", CONTRACTS, ids=[c["name"][:40] for c in CONTRACTS])
def test_contract_fails_when_broken(tmp_path: Path, contract: dict[str, Any]) -> None:
    _write_tree(tmp_path)
    breakers = _breakers(contract)
    for module, targets in breakers.items():
        _add_imports(tmp_path, module, targets)
    report = _lint(tmp_path)
    assert f"{contract['name']} BROKEN" in report, report
    if contract["type"] == "forbidden":  # every forbidden module is reported, not only one
        for module, targets in breakers.items():
            for target in targets:
                assert f"{module} -> {target} (l." in report, (module, target, report)


@pytest.mark.slow
def test_real_tree_keeps_every_contract() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint_imports)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for contract in CONTRACTS:
        assert f"{contract['name']} KEPT" in done.stdout
