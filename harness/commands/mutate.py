"""`securecart mutate` — would the scenarios notice if a policy statement were gone?

    securecart mutate [--landscape DIR] [--features DIR] [--policy NAME_OR_FILE_GLOB …]
                      [--workers N] [--report DIR] [--format text|json|sarif]
                      [--survivors FILE] [--keep] [--no-replay]

Runs the features once on the landscape with the decision log (the baseline), then, for every
statement of every policy file (those matching --policy when given), a copy of the landscape
with the statement removed and — for a statement with a Condition — with the condition dropped,
deciding each first by replaying the baseline's logged decisions with the mutated policy
(`harness.analysis.replay`) and, where replay cannot tell, running the scenarios whose calls that
policy took part in (`harness.analysis.mutate`); --no-replay reruns every reached mutant.
Prints, per policy, the mutants killed / survived / errored and the survival rate, then every
survivor with its reason; writes the same as JSON to REPORT/mutation.json. A survivor listed in
the landscape's `analysis/survivors.yaml` (or --survivors FILE) is reported with its reviewed
reason (`harness.analysis.survivors`).

Exit 0 when every survivor has a reviewed reason, 1 when one has none, an entry of the
survivors file matches no survivor, a baseline scenario did not pass or a mutant's run errored,
2 on a usage error (an invalid landscape or survivors file, no features, a --policy that
matches no policy).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

from harness.analysis.findings import AcceptedFileError, dumps, to_sarif
from harness.analysis.mutate import (
    MUTATION_JSON,
    Config,
    MutantResult,
    analyse,
    generate_mutants,
    policy_controls,
    report_json,
    report_text,
)
from harness.analysis.survivors import (
    RULES,
    SURVIVORS_FILE,
    load_survivors,
    review,
)
from harness.commands.suite_inputs import UsageError, suite_inputs
from harness.landscape.loader import DEFAULT_DIRECTORY

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "mutate",
        help="mutation-test the policies: remove each statement, drop each condition, and see "
        "whether a scenario fails",
        description=(
            "Run the features once with the decision log, then for every statement of every "
            "policy (or those --policy names) a copy of the landscape without it, and one "
            "without its Condition, running the scenarios that exercise that policy. A mutant "
            "is killed when one of them fails; a survivor is a control the scenarios do not "
            "prove. Exit 0 when the analysis ran, 1 when the baseline or a mutant's run "
            "failed to give an answer, 2 on a usage error."
        ),
    )
    parser.add_argument("--landscape", type=Path, default=None, metavar="DIR",
                        help=f"landscape directory (default: {DEFAULT_DIRECTORY})")
    parser.add_argument("--features", type=Path, default=None, metavar="DIR",
                        help="features directory (default: the features/ directory of the "
                        "landscape's project, else the repository's)")
    parser.add_argument("--policy", action="append", default=None,
                        metavar="NAME_OR_FILE_GLOB",
                        help="only the policy files whose path, file name (with or without "
                        ".json), ARN/name or label matches this glob; repeatable")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="mutants run at once (and xdist workers of the baseline run); "
                        "default 1")
    parser.add_argument("--report", type=Path, default=Path("reports"), metavar="DIR",
                        help=f"where {MUTATION_JSON} and the runs' files go (default: reports)")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                        help="what is printed (default: text; sarif: the survivors as "
                        "findings)")
    parser.add_argument("--survivors", type=Path, default=None, metavar="FILE",
                        help="survivors accepted with a reason (default: "
                        f"DIR/{SURVIVORS_FILE.as_posix()} when it exists)")
    parser.add_argument("--timeout", type=float, default=900.0, metavar="SECONDS",
                        help="a mutant's run longer than this is an error (default: 900)")
    parser.add_argument("--no-replay", dest="replay", action="store_false",
                        help="rerun the scenarios of every reached mutant instead of deciding "
                        "it by replaying the baseline's decisions where that is sound")
    parser.add_argument("--keep", action="store_true",
                        help="keep each mutant's landscape copy under REPORT/mutation/")
    parser.set_defaults(func=run_mutate)


def run_mutate(args: argparse.Namespace) -> int:
    try:
        inputs = suite_inputs(args.landscape, args.features, args.workers)
    except UsageError as error:
        return _usage(str(error))
    landscape_dir, landscape, features = inputs.landscape_dir, inputs.landscape, inputs.features
    patterns: list[str] = args.policy or []
    controls = policy_controls(landscape, patterns)
    if patterns and not controls:
        return _usage(f"--policy {' '.join(patterns)} matches no policy of the landscape")
    survivors_file: Path | None = args.survivors
    if survivors_file is None and (landscape_dir / SURVIVORS_FILE).is_file():
        survivors_file = landscape_dir / SURVIVORS_FILE
    try:
        entries = load_survivors(survivors_file) if survivors_file is not None else ()
    except AcceptedFileError as error:
        return _usage(str(error))
    report: Path = args.report.resolve()
    config = Config(landscape=landscape_dir, features=features, work=report / "mutation",
                    workers=args.workers, timeout=args.timeout, keep=args.keep,
                    replay=args.replay)
    count = len(generate_mutants(controls))
    print(f"securecart mutate: {count} mutants of {len(controls)} policies; running the "
          f"baseline ({features}) on {landscape.name}…", file=sys.stderr, flush=True)

    lock = threading.Lock()
    done = [0]

    def progress(result: MutantResult) -> None:
        with lock:
            done[0] += 1
            print(f"[{done[0]}/{count}] {result.status:<8} {result.mutant.id} "
                  f"(by {result.by}, {result.seconds:.1f} s)", file=sys.stderr, flush=True)

    analysis = analyse(config, patterns, progress)
    reviewed = review(analysis.results, entries, landscape_dir,
                      survivors_file or landscape_dir / SURVIVORS_FILE,
                      [c.file for c in analysis.controls])
    data = report_json(analysis.controls, reviewed.results, analysis.baseline,
                       landscape=landscape_dir, features=features, seconds=analysis.seconds,
                       stale=reviewed.stale, survivors_file=survivors_file)
    report.mkdir(parents=True, exist_ok=True)
    path = report / MUTATION_JSON
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if args.format == "json":
        print(json.dumps(data, indent=2))
    elif args.format == "sarif":
        findings = [*reviewed.findings, *reviewed.stale]
        print(dumps(to_sarif("securecart mutate", RULES, findings)), end="")
    else:
        print(report_text(data))
        print(f"report: {path}")
    if analysis.baseline.not_passed or not analysis.baseline.passed:
        print("securecart mutate: the baseline did not pass entirely (see "
              f"{config.work / 'baseline' / 'pytest.log'})", file=sys.stderr)
        return EXIT_FINDINGS
    totals = data["totals"]
    failing = totals["error"] or totals["unexplained"] or reviewed.stale
    return EXIT_FINDINGS if failing else EXIT_OK


def _usage(message: str) -> int:
    print(f"securecart mutate: {message}", file=sys.stderr)
    return EXIT_USAGE
