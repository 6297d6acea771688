"""Errors that name where bad input is and what was expected."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Problem:
    """One problem in one place of one input file."""

    file: str
    message: str
    line: int | None = None  # 1-based line in the file (the header is line 1)
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column '{self.column}'"
        found = f" (found {self.value!r})" if self.value is not None else ""
        return f"{where}: {self.message}{found}"


class DataError(Exception):
    """Raised when raw data fail validation; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:25])
        more = f"\n  ... and {len(problems) - 25} more" if len(problems) > 25 else ""
        super().__init__(f"{len(problems)} problem(s) in the raw data:\n{shown}{more}")


class ScenarioError(ValueError):
    """A scenario file failed validation; ``problems`` lists each message (defined here, with
    the other located errors, so the command line catches it without importing pydantic)."""

    def __init__(self, file: str, problems: list[str]):
        self.file = file
        self.problems = problems
        super().__init__(f"{file}: {len(problems)} problem(s)\n"
                         + "\n".join(f"  - {p}" for p in problems))
