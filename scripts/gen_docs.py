"""Regenerate the generated tables of docs/model.md (parameters, calibration) from the model.

    python scripts/gen_docs.py          # rewrite the block in place (idempotent)
    python scripts/gen_docs.py --check  # exit 1 if the block is out of date, change nothing

Each table lives between two marker lines; everything outside them is hand-written and left
alone. The parameter table is exactly ``model.export.specs_markdown()``, i.e. ``python -m model
params --format markdown``; the calibration table is ``model.calibration.calibration_markdown()``
(measured by running the model).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from model.calibration import calibration_markdown  # noqa: E402
from model.export import specs_markdown  # noqa: E402
from model.flows import flows_markdown  # noqa: E402

DOC = ROOT / "docs" / "model.md"
BEGIN = "<!-- BEGIN PARAMETER TABLE (generated: python -m model params --format markdown) -->"
END = "<!-- END PARAMETER TABLE -->"
#: Every generated block: (begin marker, end marker, what fills it).
BLOCKS = (
    (BEGIN, END, specs_markdown),
    (
        "<!-- BEGIN CALIBRATION TABLE (generated: model.calibration.calibration_markdown) -->",
        "<!-- END CALIBRATION TABLE -->",
        calibration_markdown,
    ),
    (
        "<!-- BEGIN FLOW TABLE (generated: model.flows.flows_markdown) -->",
        "<!-- END FLOW TABLE -->",
        flows_markdown,
    ),
)


def _marker_lines(lines: list[str], begin: str = BEGIN, end: str = END) -> tuple[int, int]:
    """Indices of the BEGIN and END marker lines; ValueError unless each occurs once, in order."""
    begins = [i for i, line in enumerate(lines) if line.strip() == begin]
    ends = [i for i, line in enumerate(lines) if line.strip() == end]
    if len(begins) != 1 or len(ends) != 1 or begins[0] > ends[0]:
        raise ValueError(f"{DOC.name} needs one {begin!r} line, then one {end!r} line")
    return begins[0], ends[0]


def generated_block(text: str, begin: str = BEGIN, end: str = END) -> str:
    """The text between a pair of marker lines, without surrounding blank lines."""
    lines = text.splitlines()
    first, last = _marker_lines(lines, begin, end)
    return "\n".join(lines[first + 1 : last]).strip("\n")


def expected_block() -> str:
    return specs_markdown().strip("\n")


def render(text: str) -> str:
    """``text`` with every generated block replaced by what the model says now."""
    for begin, end, produce in BLOCKS:
        lines = text.splitlines()
        first, last = _marker_lines(lines, begin, end)
        new = [*lines[: first + 1], "", produce().strip("\n"), "", *lines[last:]]
        text = "\n".join(new) + "\n"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Regenerate the generated tables of docs/model.md."
    )
    parser.add_argument("--check", action="store_true", help="only report whether it is current")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    new = render(text)
    if args.check:
        if new != text:
            print(f"{DOC.relative_to(ROOT)} is out of date: run python scripts/gen_docs.py")
            return 1
        return 0
    if new != text:
        DOC.write_text(new, encoding="utf-8")
        print(f"rewrote the generated tables in {DOC.relative_to(ROOT)}")
    else:
        print(f"{DOC.relative_to(ROOT)} is already current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
