"""Regenerate the parameter table in docs/model.md from the parameter declarations.

    python scripts/gen_docs.py          # rewrite the block in place (idempotent)
    python scripts/gen_docs.py --check  # exit 1 if the block is out of date, change nothing

The table lives between two marker lines; everything outside them is hand-written and left alone.
Its content is exactly ``model.export.specs_markdown()``, i.e. ``python -m model params
--format markdown``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from model.export import specs_markdown  # noqa: E402

DOC = ROOT / "docs" / "model.md"
BEGIN = "<!-- BEGIN PARAMETER TABLE (generated: python -m model params --format markdown) -->"
END = "<!-- END PARAMETER TABLE -->"


def _marker_lines(lines: list[str]) -> tuple[int, int]:
    """Indices of the BEGIN and END marker lines; ValueError unless each occurs once, in order."""
    begins = [i for i, line in enumerate(lines) if line.strip() == BEGIN]
    ends = [i for i, line in enumerate(lines) if line.strip() == END]
    if len(begins) != 1 or len(ends) != 1 or begins[0] > ends[0]:
        raise ValueError(f"{DOC.name} needs one {BEGIN!r} line, then one {END!r} line")
    return begins[0], ends[0]


def generated_block(text: str) -> str:
    """The text between the marker lines, without surrounding blank lines."""
    lines = text.splitlines()
    begin, end = _marker_lines(lines)
    return "\n".join(lines[begin + 1 : end]).strip("\n")


def expected_block() -> str:
    return specs_markdown().strip("\n")


def render(text: str) -> str:
    """``text`` with the generated block replaced by the current parameter table."""
    lines = text.splitlines()
    begin, end = _marker_lines(lines)
    new = [*lines[: begin + 1], "", expected_block(), "", *lines[end:]]
    return "\n".join(new) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the parameter table of docs/model.md.")
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
        print(f"rewrote the parameter table in {DOC.relative_to(ROOT)}")
    else:
        print(f"{DOC.relative_to(ROOT)} is already current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
