"""The six operators of an ordered family — <Prefix>Equals, NotEquals, LessThan,
LessThanEquals, GreaterThan, GreaterThanEquals — built from one parser of values.

Numeric and Date operators differ only in how a value becomes a point (a Decimal, an instant)
and in what validation says about a value that is not one. Policy values that do not parse are
left out (validation rejects them); a context value that does not parse matches nothing, for
the negated operator too (it cannot be compared). No policy variables are substituted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from harness.iam.conditions.base import (
    BaseOperator,
    Binder,
    Comparison,
    Compiler,
    Point,
    comparison_test,
    constant,
    first_invalid,
)


def ordered_operators(family: str, parse: Callable[[str], Point | None], needs: str
                      ) -> tuple[BaseOperator, ...]:
    """`family` is the operator prefix ("Numeric"); `needs` ends the validation message
    "<family> operator <name> needs <needs>, got "<value>"" ("numbers")."""

    def compiler(comparison: Comparison) -> Compiler:
        def compile_values(values: tuple[str, ...], _variables_enabled: bool) -> Binder:
            points = [p for p in map(parse, values) if p is not None]
            compare = comparison_test(comparison, points)

            def test(value: str) -> bool | None:
                point = parse(value)
                return None if point is None else compare(point)

            return constant(test)

        return compile_values

    def validate(operator_name: str, values: Sequence[str]) -> str | None:
        bad = first_invalid(values, lambda value: parse(value) is not None)
        if bad is None:
            return None
        return f'{family} operator {operator_name} needs {needs}, got "{bad}"'

    equals = compiler("eq")
    return (
        BaseOperator(f"{family}Equals", equals, validate),
        BaseOperator(f"{family}NotEquals", equals, validate, negated=True),
        BaseOperator(f"{family}LessThan", compiler("lt"), validate),
        BaseOperator(f"{family}LessThanEquals", compiler("le"), validate),
        BaseOperator(f"{family}GreaterThan", compiler("gt"), validate),
        BaseOperator(f"{family}GreaterThanEquals", compiler("ge"), validate),
    )
