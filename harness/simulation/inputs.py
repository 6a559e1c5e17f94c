"""Requests to the simulator (harness.simulation.custom_policy) as they come from a file, a
stream or a line of a batch, and their answers.

Input is taken as bytes and decoded here, so that text that is not UTF-8, an empty file, a line
too long to be a request or JSON that is not a request is answered like any other bad request:
an error naming the source (and the line, in a batch; the other lines go on). A failure of the
simulator itself is AWS's InternalFailure, for that request only. Case files
(harness.simulation.cases, the format of tests/iam/cases/) are run and compared with the answers
they expect.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from harness.iam.errors import PolicyValidationError
from harness.iam.json_reader import MAX_DOCUMENT_CHARS, loads_strict
from harness.simulation.cases import load_case_files, run_case
from harness.simulation.custom_policy import SimulationInputError, escaped, shown

# Re-exported: every request is answered through this module's `simulate`, where tests replace it.
from harness.simulation.custom_policy import simulate as simulate

# The most a request may be, in bytes: loads_strict refuses longer request text anyway, and
# reading stops here, so that a runaway file or line is never held in memory whole.
MAX_REQUEST_BYTES = MAX_DOCUMENT_CHARS
STDIN = "<stdin>"
# AWS's answer when a request fails for a reason of the service's own: the common error
# InternalFailure, HTTP 500 (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html;
# SimulateCustomPolicy's own errors, InvalidInput and PolicyEvaluation, are about the input).
INTERNAL_FAILURE = (
    "InternalFailure: The request processing has failed because of an unknown error, "
    "exception or failure."
)
# The most `run_batch` remembers: answers to lines of at most 16 KiB, 4096 of them (some 64 MiB
# of lines and answers at the very worst).
_REMEMBERED_LINE = 16 * 1024
_REMEMBERED_LINES = 4096
EXIT_INVALID = 2
"""The status of a request that cannot be answered (and of case files that cannot be read)."""
EXIT_FAILURE = 1
"""The status of the simulator's own failure (and of a case that disagrees)."""


class RequestReadError(ValueError):
    """Input that is not a request's JSON text — empty, too long, not UTF-8, not JSON — with
    the source it was read from in the message."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One request's answer: AWS's EvaluationResults, or an error and the exit status it calls
    for (EXIT_INVALID for a request that cannot be answered, EXIT_FAILURE for the simulator's
    own failure)."""

    result: dict[str, Any] | None = None
    error: str = ""
    status: int = 0


@dataclass(frozen=True, slots=True)
class Line:
    """A line of a batch: its number (from 1) and content, or only the mark that it was longer
    than a request may be (its content is then not kept)."""

    number: int
    data: bytes | str
    too_long: bool = False


def run_batch(stream: IO[bytes] | IO[str], out: IO[str], source: str = STDIN) -> int:
    """Every line gets exactly one answer line, in order; a bad line answers {"Error": …}.
    Returns EXIT_FAILURE if the simulator failed on a line (InternalFailure), else 0.

    A batch repeats requests (the same case for many callers, a test run's cases over and
    over): the answer to a request is a function of its text alone (a simulation carries no
    clock, the reference and the parsed policies are fixed for the process), so a line that
    repeats an earlier line word for word is answered with the answer written then. Only
    answers are kept, never errors (an error names its line)."""
    status = 0
    answered: dict[bytes | str, str] = {}
    for line in lines(stream, MAX_REQUEST_BYTES):
        if not line.too_long and not line.data.strip():
            continue
        known = answered.get(line.data)
        if known is not None:
            out.write(known)
            out.flush()
            continue
        outcome = _batch_outcome(line, source)
        text = json.dumps(_batch_answer(outcome, line.number)) + "\n"
        if (outcome.result is not None and not line.too_long
                and len(line.data) <= _REMEMBERED_LINE and len(answered) < _REMEMBERED_LINES):
            answered[line.data] = text
        out.write(text)
        # Each answer as soon as it is known: a producer feeding the batch through a pipe reads
        # it before sending the next request.
        out.flush()
        if outcome.status == EXIT_FAILURE:
            status = EXIT_FAILURE
    return status


def run_cases(paths: Sequence[str], out: IO[str], err: IO[str]) -> int:
    """Run every case of the files; one line on `out` per case that disagrees, then a count.
    Returns EXIT_INVALID if a file (or a case of it) could not be read, else EXIT_FAILURE if a
    case disagrees, else 0. The readable files' cases are run either way."""
    loaded = load_case_files(paths)
    for problem in loaded.problems:
        print(f"securecart simulate: {problem}", file=err)
    agree = disagree = 0
    for case_file in loaded.files:
        for case in case_file.cases:
            # `simulate` is looked up here, at call time, so that it is the same function a
            # single request goes through.
            verdict = run_case(case, simulate)
            if verdict.agrees:
                agree += 1
                continue
            disagree += 1
            out.write(escaped(f"{case.file}: {case.id}: {verdict.describe()}") + "\n")
            out.flush()
    total = agree + disagree
    out.write(f"{total} cases in {len(loaded.files)} files: {agree} agree, {disagree} disagree\n")
    out.flush()
    if loaded.problems:
        return EXIT_INVALID
    return EXIT_FAILURE if disagree else 0


def _batch_answer(outcome: Outcome, number: int) -> dict[str, Any]:
    if outcome.result is not None:
        return outcome.result
    return {"Error": f"line {number}: {outcome.error}"}


def _batch_outcome(line: Line, source: str) -> Outcome:
    if line.too_long:
        return Outcome(error=_too_long_message(source), status=EXIT_INVALID)
    return decide(line.data, source)


def decide(data: bytes | str, source: str) -> Outcome:
    """Answer one request given as the bytes (or text) read from `source`."""
    try:
        return Outcome(result=simulate(read_request(data, source)))
    except (RequestReadError, SimulationInputError, PolicyValidationError) as error:
        return Outcome(error=str(error), status=EXIT_INVALID)
    except Exception as error:
        # The last resort, for a bug: it costs this request its answer, not the batch its
        # other lines, and never prints a traceback.
        detail = shown(f"{type(error).__name__}: {error}", limit=300)
        return Outcome(error=f"{INTERNAL_FAILURE} ({detail})", status=EXIT_FAILURE)


# --- reading -------------------------------------------------------------------------------


def read_request(data: bytes | str, source: str) -> Any:
    """The request's JSON value, or a RequestReadError naming `source` and the place."""
    if _too_long(data):
        raise RequestReadError(_too_long_message(source))
    text = data if isinstance(data, str) else _decode(data, source)
    # A leading byte-order mark is ignored, as RFC 8259 section 8.1 allows a parser to: editors
    # on Windows write one.
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise RequestReadError(f"{source}: empty: a request is a JSON object")
    try:
        return loads_strict(text)
    except PolicyValidationError as error:
        # The request is not a policy: its JSON is the request's problem, not a
        # MalformedPolicyDocument.
        where = f" at {_place(error.location)}" if error.location else ""
        raise RequestReadError(f"{source}: {error.problem}{where}") from None


def read_bounded(stream: IO[bytes]) -> bytes:
    """A request's bytes, but never more than a request and its final newline may be, plus
    one: enough to tell an input too long without reading a runaway one whole."""
    return stream.read(MAX_REQUEST_BYTES + 2)


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - data.rfind(b"\n", 0, error.start)
        where = _place(f"line {line} byte {column}")
        problem = f"{error.reason} 0x{data[error.start]:02x}"
        raise RequestReadError(f"{source}: not UTF-8: {problem} at {where}") from None


def _place(location: str) -> str:
    """'line 1 column 7' → 'column 7': a batch line (and many a request file) is one line."""
    return location.removeprefix("line 1 ")


def lines(stream: IO[bytes] | IO[str], limit: int) -> Iterator[Line]:
    """The stream's lines, numbered from 1. A line longer than `limit` is read through in
    pieces of `limit` and dropped, only marked too long: memory stays bounded by `limit`."""
    number = 0
    while data := stream.readline(limit + 1):
        number += 1
        if len(data) > limit and not _ends_line(data):
            _skip_line(stream, limit)
            yield Line(number, "", too_long=True)
        else:
            yield Line(number, data)


def _skip_line(stream: IO[bytes] | IO[str], limit: int) -> None:
    while piece := stream.readline(limit):
        if _ends_line(piece):
            return


def _ends_line(data: bytes | str) -> bool:
    return data.endswith(b"\n") if isinstance(data, bytes) else data.endswith("\n")


def _too_long(data: bytes | str) -> bool:
    """More than MAX_REQUEST_BYTES, a final newline aside."""
    content = data[:-1] if _ends_line(data) else data
    return len(content) > MAX_REQUEST_BYTES


def _too_long_message(source: str) -> str:
    return f"{source}: longer than {MAX_REQUEST_BYTES} bytes, the most a request may be"
