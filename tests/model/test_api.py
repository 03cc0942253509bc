"""The public API other tools rely on (MODEL.md, "Public contract")."""

from __future__ import annotations

import ast
from pathlib import Path

import model

CONTRACT = {"Parameters", "simulate", "simulate_batch", "SCENARIOS", "PARAMETER_SPECS"}
MODEL_DIR = Path(model.__file__).resolve().parent
UI_PACKAGES = {"dash", "dash_bootstrap_components", "flask", "flask_caching", "plotly"}


def test_contract_names_are_exported() -> None:
    assert CONTRACT <= set(model.__all__)
    for name in model.__all__:
        assert hasattr(model, name), name


def test_model_imports_no_ui_package() -> None:
    for path in MODEL_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & (UI_PACKAGES | {"dashboard", "app"}), (path.name, roots)
