"""docs/model.md stays in step with the model: generated table, every parameter, every scenario."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from model.export import specs_markdown
from model.organs import ORGANS
from model.parameters import PARAMETER_SPECS
from model.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parents[1]
HINT = "docs/model.md is out of date: run `python scripts/gen_docs.py`"


def _load_gen_docs():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen_docs = _load_gen_docs()


@pytest.fixture(scope="module")
def doc() -> str:
    return (ROOT / "docs" / "model.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def prose(doc: str) -> str:
    """The hand-written part: everything outside the generated table."""
    block = gen_docs.generated_block(doc)
    return doc.replace(block, "")


def test_generated_table_matches_the_parameter_declarations(doc: str) -> None:
    assert gen_docs.generated_block(doc) == specs_markdown().strip("\n"), HINT


def test_regenerating_is_idempotent(doc: str) -> None:
    assert gen_docs.render(doc) == doc, HINT


def test_every_parameter_is_named_in_the_document(doc: str) -> None:
    missing = [s.name for s in PARAMETER_SPECS if f"`{s.name}`" not in doc]
    assert not missing, f"not in docs/model.md: {missing}; {HINT}"


def test_every_parameter_is_explained_outside_the_generated_table(prose: str) -> None:
    """The equations section maps each symbol to its parameter (per organ: ``prefix.<organ>``)."""
    missing = []
    for spec in PARAMETER_SPECS:
        prefix, dot, organ = spec.name.partition(".")
        if dot and organ in ORGANS:
            if f"{prefix}.<organ>" not in prose:
                missing.append(f"{prefix}.<organ>")
        elif f"`{spec.name}`" not in prose:
            missing.append(spec.name)
    assert not missing, f"document these in docs/model.md (symbols, events or readouts): {missing}"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_scenario_has_a_heading_or_table_row(doc: str, name: str) -> None:
    heading = re.compile(rf"^#+ .*{re.escape(name)}", re.MULTILINE)
    row = re.compile(rf"^\|.*`{re.escape(name)}`.*\|", re.MULTILINE)
    assert heading.search(doc) or row.search(doc), f"scenario {name!r} is not in docs/model.md"
