"""Date condition operators.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
("You must specify date/time values with one of the W3C implementations of the ISO 8601 date
formats or in epoch (UNIX) time"; W3C profile: http://www.w3.org/TR/NOTE-datetime).
PMAPPER rows repeat observations nccgroup/PMapper recorded against the IAM policy simulator
(tests/test_local_policy_sim.py, test_datetime_condition_handling).
"""

from __future__ import annotations

import pytest

from harness.iam.conditions import conditions_match, validate_condition_values
from harness.iam.context import ContextKeys
from harness.iam.policy import Condition

T = "2018-08-10T00:00:00Z"  # epoch 1533859200


def holds(operator: str, values: tuple[str, ...], context: str | None) -> bool:
    keys = ContextKeys({} if context is None else {"aws:CurrentTime": context})
    condition = Condition(operator, "aws:CurrentTime", values)
    return conditions_match([condition], keys, variables_enabled=True)


# (operator, policy values, context value or None for missing, expected)
CASES = [
    # The documented example: DateGreaterThan aws:TokenIssueTime "2020-01-01T00:00:01Z".
    ("DateGreaterThan", ("2020-01-01T00:00:01Z",), "2020-06-01T12:00:00Z", True),
    ("DateGreaterThan", ("2020-01-01T00:00:01Z",), "2019-12-31T23:59:59Z", False),
    ("DateGreaterThan", ("2020-01-01T00:00:01Z",), "2020-01-01T00:00:01Z", False),
    # "The aws:TokenIssueTime key is present ... only when the principal uses temporary
    # credentials": absent, the condition is false.
    ("DateGreaterThan", ("2020-01-01T00:00:01Z",), None, False),
    # PMAPPER: DateEquals against ISO and epoch forms, with and without a fraction.
    ("DateEquals", (T,), T, True),
    ("DateEquals", (T,), "1533859200", True),
    ("DateEquals", (T,), "1533859200.0", True),
    ("DateEquals", (T,), "1533859201", False),
    ("DateEquals", (T,), "2018-08-10T00:00:01Z", False),
    # PMAPPER: DateNotEquals.
    ("DateNotEquals", (T,), T, False),
    ("DateNotEquals", (T,), "2018-08-10T00:00:01Z", True),
    # PMAPPER: the ordering operators, one second either side.
    ("DateGreaterThan", (T,), T, False),
    ("DateGreaterThan", (T,), "2018-08-10T00:00:01Z", True),
    ("DateGreaterThanEquals", (T,), "2018-08-09T23:59:59Z", False),
    ("DateGreaterThanEquals", (T,), T, True),
    ("DateGreaterThanEquals", (T,), "2018-08-10T00:00:01Z", True),
    ("DateLessThan", (T,), "2018-08-09T23:59:59Z", True),
    ("DateLessThan", (T,), "2018-08-10T00:00:01Z", False),
    ("DateLessThanEquals", (T,), "2018-08-09T23:59:59Z", True),
    ("DateLessThanEquals", (T,), T, True),
    ("DateLessThanEquals", (T,), "2018-08-10T00:00:01Z", False),
    # Epoch time in the policy, ISO 8601 in the request, and the reverse (aws:EpochTime).
    ("DateLessThan", ("1533859200",), "2018-08-09T23:59:59Z", True),
    ("DateEquals", ("1533859200",), T, True),
    # Time zones: the same instant written with an offset.
    ("DateEquals", (T,), "2018-08-10T02:00:00+02:00", True),
    ("DateEquals", (T,), "2018-08-09T19:00:00-05:00", True),
    ("DateEquals", (T,), "2018-08-10T00:00:00+00:00", True),
    ("DateEquals", (T,), "2018-08-10T00:00:00+0000", True),
    # The coarser W3C forms: date only, year and month, minutes without seconds.
    ("DateEquals", ("2018-08-10",), T, True),
    ("DateEquals", ("2018-08",), "2018-08-01T00:00:00Z", True),
    ("DateEquals", ("2018-08-10T00:00Z",), T, True),
    ("DateEquals", ("2018-08-10T00:00:00",), T, True),  # no designator: UTC
    # Fractions of a second count.
    ("DateEquals", (T,), "2018-08-10T00:00:00.000Z", True),
    ("DateGreaterThan", (T,), "2018-08-10T00:00:00.001Z", True),
    ("DateLessThan", ("2018-08-10T00:00:00.5Z",), "1533859200.4", True),
    # Several values are OR-ed; the negated operator is a NOR and true on an absent key.
    ("DateEquals", ("2011-05-03T00:00:00Z", "2012-10-17T00:00:00Z"), "2012-10-17T00:00:00Z", True),
    ("DateNotEquals", ("2011-05-03T00:00:00Z", "2012-10-17T00:00:00Z"), "2012-10-17", False),
    ("DateNotEquals", (T,), None, True),
    # A context value that is not a date matches nothing, for DateNotEquals too.
    ("DateEquals", (T,), "yesterday", False),
    ("DateNotEquals", (T,), "yesterday", False),
    ("DateLessThan", (T,), "2018-13-01T00:00:00Z", False),
    # An empty value is null — an absent key — not a non-date: DateNotEquals holds.
    ("DateLessThan", (T,), "", False),
    ("DateNotEquals", (T,), "", True),
    ("DateLessThanIfExists", (T,), "", True),
    # IfExists.
    ("DateLessThanIfExists", (T,), None, True),
    ("DateLessThanIfExists", (T,), "2019-01-01T00:00:00Z", False),
    ("DateEqualsIfExists", (T,), T, True),
]


@pytest.mark.parametrize(("operator", "values", "context", "expected"), CASES)
def test_date_operators(
    operator: str, values: tuple[str, ...], context: str | None, expected: bool
) -> None:
    assert holds(operator, values, context) is expected


def test_no_wildcards_in_dates() -> None:
    # "Wildcards are not permitted for date condition operators."
    assert validate_condition_values("DateEquals", "aws:CurrentTime", ["2018-*"]) is not None


@pytest.mark.parametrize(
    "value",
    [
        "2020-01-01T00:00:01Z",
        "2020-01-01T00:00:01.123456789Z",
        "2020-01-01T00:00+01:00",
        "2020-01-01",
        "2020-01",
        "1577836800",
        "1577836800.5",
        "0",
    ],
)
def test_dates_are_accepted(value: str) -> None:
    assert validate_condition_values("DateLessThan", "aws:CurrentTime", [value]) is None


@pytest.mark.parametrize(
    "value",
    [
        "tomorrow",
        "",
        "2020-02-30",
        "2020-01-01T25:00:00Z",
        "2020-01-01T00:00:60Z",
        "2020-01-01T00:00:00+25:00",
        "01/02/2020",
        "-1",
        "${aws:CurrentTime}",
        "\u0661\u0667\u0660\u0666",  # epoch seconds in Arabic-Indic digits
        "\u0662\u0660\u0662\u0660-01-01",
    ],
)
def test_non_dates_are_rejected(value: str) -> None:
    message = validate_condition_values("DateLessThan", "aws:CurrentTime", [value])
    assert message == (
        f'Date operator DateLessThan needs ISO 8601 dates or epoch seconds, got "{value}"'
    )
