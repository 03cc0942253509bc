"""Command line: ``python -m model run|compare|export-sbml|scenarios|hypotheses|params``.

Bad input (unknown key or scenario, non-number, value out of range, bad days) exits with status 2
and one line on stderr naming the key, the value and the allowed range. Never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import NoReturn

from model.errors import InvalidInput
from model.export import (
    comparison_text,
    hypotheses_table,
    result_to_json,
    scenarios_table,
    specs_table,
    time_series_csv,
)
from model.hypotheses import HYPOTHESES, get_hypothesis
from model.parameters import PARAMETER_SPECS, Parameters
from model.scenarios import SCENARIOS, Scenario, get_scenario
from model.solve import simulate, validate_days

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line (status 2) instead of a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m model",
        description="Seed & Soil model of the pre-metastatic niche.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="simulate a scenario and print readouts or time series")
    _add_parameter_options(run)
    run.add_argument("--days", help="simulated days (default: the scenario's, or 30)")
    run.add_argument("--format", choices=("json", "csv"), default="json")

    compare = sub.add_parser(
        "compare", help="run one experiment under several hypotheses, side by side"
    )
    _add_parameter_options(compare, hypothesis=False)
    compare.add_argument(
        "--hypothesis",
        action="append",
        required=True,
        metavar="NAME",
        help=f"a hypothesis to compare (repeat; one of: {', '.join(HYPOTHESES)})",
    )
    compare.add_argument("--days", help="simulated days (default: the scenario's, or 30)")
    compare.add_argument("--format", choices=("text", "json"), default="text")

    sbml = sub.add_parser("export-sbml", help="write the model with its parameters as SBML")
    _add_parameter_options(sbml)
    sbml.add_argument("--output", help="file to write (default: standard output)")

    for name, what in (
        ("scenarios", "list the named scenarios"),
        ("hypotheses", "list the named hypotheses and their mechanism switches"),
        ("params", "list parameters"),
    ):
        cmd = sub.add_parser(name, help=what)
        formats = ("text", "json", "markdown") if name == "params" else ("text", "json")
        cmd.add_argument("--format", choices=formats, default="text")
    return parser


def _add_parameter_options(parser: argparse.ArgumentParser, *, hypothesis: bool = True) -> None:
    parser.add_argument("--scenario", help=f"one of: {', '.join(SCENARIOS)} (default: defaults)")
    if hypothesis:
        parser.add_argument(
            "--hypothesis",
            help=f"set the mechanism switches of one of: {', '.join(HYPOTHESES)} "
            "(after the scenario, before --set)",
        )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter (repeatable); `python -m model params` lists the keys",
    )


def _parameters(
    args: argparse.Namespace, hypothesis: str | None = None
) -> tuple[Scenario | None, Parameters]:
    """The scenario named by --scenario (if any), then the hypothesis's switches, then the
    --set overrides."""
    scenario = get_scenario(args.scenario) if args.scenario else None
    base = dict(scenario.overrides) if scenario else {}
    hypothesis = hypothesis or getattr(args, "hypothesis", None)
    switches = dict(get_hypothesis(hypothesis).switches) if hypothesis else {}
    return scenario, Parameters({**base, **switches, **_parse_sets(args.set)})


def _days(args: argparse.Namespace, scenario: Scenario | None) -> float | None:
    if args.days is not None:
        return validate_days(args.days)
    return scenario.days if scenario else None


def _parse_sets(pairs: Sequence[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--set {pair!r} must look like KEY=VALUE")
        overrides[key.strip()] = value
    return overrides


def _run(args: argparse.Namespace) -> str:
    scenario, params = _parameters(args)
    result = simulate(params, _days(args, scenario))
    name = scenario.name if scenario else None
    if args.format == "csv":
        return time_series_csv(result, name)
    return json.dumps(result_to_json(result, name), indent=2)


def _compare(args: argparse.Namespace) -> str:
    names = list(dict.fromkeys(args.hypothesis))  # each once, in the order given
    runs = {}
    for name in names:
        scenario, params = _parameters(args, name)
        runs[name] = simulate(params, _days(args, scenario))
    label = scenario.name if scenario else None
    if args.format == "json":
        return json.dumps(
            {
                "scenario": label,
                "hypotheses": {n: result_to_json(r, label) for n, r in runs.items()},
            },
            indent=2,
        )
    return comparison_text(runs, label)


def _export_sbml(args: argparse.Namespace) -> str:
    from model.sbml import to_sbml  # libsbml loads only when asked for

    _, params = _parameters(args)
    text = to_sbml(params)
    if args.output is None:
        return text
    try:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as exc:
        raise InvalidInput(f"cannot write {args.output!r}: {exc.strerror}") from None
    return f"wrote {args.output}"


def _scenarios(args: argparse.Namespace) -> str:
    if args.format == "json":
        return json.dumps(scenarios_table(), indent=2)
    return "\n".join(f"{s.name:30} {s.days:>6g} d  {s.title}" for s in SCENARIOS.values())


def _hypotheses(args: argparse.Namespace) -> str:
    if args.format == "json":
        return json.dumps(hypotheses_table(), indent=2)
    return "\n".join(
        f"{h.name:14} {h.title}  (" + ", ".join(f"{k}={v:g}" for k, v in h.switches.items()) + ")"
        for h in HYPOTHESES.values()
    )


def _params(args: argparse.Namespace) -> str:
    if args.format == "json":
        return json.dumps(specs_table(), indent=2)
    if args.format == "markdown":
        from model.export import specs_markdown

        return specs_markdown()
    return "\n".join(
        f"{s.name:32} {s.default!s:>9}  {s.range_text:22} {s.unit:14} {s.meaning}"
        for s in PARAMETER_SPECS
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    handler = {
        "run": _run,
        "compare": _compare,
        "export-sbml": _export_sbml,
        "scenarios": _scenarios,
        "hypotheses": _hypotheses,
        "params": _params,
    }[args.command]
    try:
        output = handler(args)
    except InvalidInput as exc:
        print(f"python -m model: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    sys.stdout.write(output if output.endswith("\n") else output + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
