"""app.py: the Flask server answers, PORT is validated, and model/ stays free of UI imports."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import port_from_env, server

UI_PACKAGES = {"dash", "dash_bootstrap_components", "flask", "flask_caching", "plotly"}


@pytest.mark.parametrize("path", ["/health", "/", "/assets/style.css"])
def test_server_answers(path: str) -> None:
    with server.test_client().get(path) as response:  # closes a served file's handle
        assert response.status_code == 200


def test_index_page_has_title_and_stylesheet() -> None:
    html = server.test_client().get("/").get_data(as_text=True)
    assert "<title>Seed & Soil Explorer</title>" in html  # Dash writes the title unescaped
    assert '<link rel="stylesheet" href="/assets/style.css' in html


@pytest.mark.parametrize(("raw", "port"), [("8050", 8050), ("1", 1), ("65535", 65535)])
def test_port_from_env_accepts_valid_ports(raw: str, port: int, monkeypatch) -> None:
    monkeypatch.setenv("PORT", raw)
    assert port_from_env() == port


def test_port_defaults_to_8050(monkeypatch) -> None:
    monkeypatch.delenv("PORT", raising=False)
    assert port_from_env() == 8050


@pytest.mark.parametrize("raw", ["abc", "0", "65536", "-1", "80.5", " 80", "８０", ""])
def test_invalid_port_exits_with_one_line_message(raw: str, monkeypatch) -> None:
    monkeypatch.setenv("PORT", raw)
    with pytest.raises(SystemExit) as exit_info:  # SystemExit(str): stderr line, status 1
        port_from_env()
    assert exit_info.value.code == f"app.py: PORT must be an integer from 1 to 65535, got {raw!r}"


def imported_top_level_packages(source: str) -> set[str]:
    """Top-level names of absolute imports in `source` (relative imports stay in-package)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names


def test_model_never_imports_ui_packages(repo_root: Path) -> None:
    """Dependency direction is dashboard -> model, never back: the model is pure numerics."""
    model_dir = repo_root / "model"
    if not model_dir.is_dir():
        pytest.skip("model/ does not exist yet")
    sources = sorted(model_dir.rglob("*.py"))
    assert sources, "model/ exists but holds no Python files"
    offenders = {
        str(path.relative_to(repo_root)): sorted(found)
        for path in sources
        if (found := imported_top_level_packages(path.read_text()) & UI_PACKAGES)
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "env, message",
    [
        ({"SEED_SOIL_SWEEP_BUDGET": "lots"}, "SEED_SOIL_SWEEP_BUDGET='lots'"),
        ({"REDIS_URL": "http://example"}, "REDIS_URL='http://example'"),
        ({"SEED_SOIL_JOB_THREADS": "0"}, "SEED_SOIL_JOB_THREADS='0'"),
        ({"SEED_SOIL_ANALYSIS_BUDGET": "99999"}, "SEED_SOIL_ANALYSIS_BUDGET='99999'"),
    ],
)
@pytest.mark.slow
def test_a_bad_environment_variable_stops_start_up_with_one_line(env, message, repo_root) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=repo_root,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("app.py: configuration error: ") and message in lines[0]
