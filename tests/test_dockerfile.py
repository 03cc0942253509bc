"""The Dockerfile's build-time steps, run here without a Docker engine (none on CI machines)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path


def _warm_up_command(dockerfile: str) -> list[str]:
    """The ``RUN python -c ...`` step that fills the numba cache (line continuations joined)."""
    joined = dockerfile.replace("\\\n", " ")
    match = re.search(r"^RUN (python -c .*?)(?: && |$)", joined, flags=re.MULTILINE)
    assert match, "the Dockerfile no longer warms the numba cache at build time"
    return shlex.split(match.group(1))


def test_the_image_build_compiles_the_model_and_the_batch_solver(repo_root, tmp_path) -> None:
    dockerfile = (repo_root / "Dockerfile").read_text()
    assert "NUMBA_CACHE_DIR=/tmp/numba-cache" in dockerfile
    command = _warm_up_command(dockerfile)
    cache = tmp_path / "numba-cache"
    done = subprocess.run(
        [sys.executable, *command[1:]],
        cwd=repo_root,
        env={**os.environ, "NUMBA_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    cached = {Path(f).name.split(".")[0] for f in map(str, cache.rglob("*.nbi"))}
    assert {"equations", "batch"} <= cached, cached  # both compiled modules left their index
