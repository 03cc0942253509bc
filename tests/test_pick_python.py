"""scripts/pick-python: the interpreter scripts/start and scripts/test make .venv with."""

import os
import subprocess


def _pick(repo_root, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHON"} | env
    return subprocess.run(
        ["scripts/pick-python"], cwd=repo_root, env=environment, capture_output=True, text=True,
        check=True, timeout=30,
    ).stdout.strip()  # fmt: skip


def test_python_set_is_used_as_it_is(repo_root) -> None:
    assert _pick(repo_root, PYTHON="/opt/some/python3.12") == "/opt/some/python3.12"


def test_the_pick_is_python_3_11_or_newer_able_to_make_a_virtualenv(repo_root) -> None:
    """Debian's own python3 when it can make a virtualenv and is new enough, else python3."""
    debian = "/usr/bin/python3"
    check = "import ensurepip, sys; sys.exit(sys.version_info < (3, 11))"
    eligible = os.path.exists(debian) and subprocess.run([debian, "-c", check]).returncode == 0
    assert _pick(repo_root) == (debian if eligible else "python3")
