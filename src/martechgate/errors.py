"""The error types, and the one table that maps them to exit codes.

Every command ends in one of three codes (docs/exit-codes.md):
0 done and nothing blocks, 1 done and something blocks, 2 could not run as asked.
Findings are values, not exceptions: only "could not run" is raised.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_CANNOT_RUN = 2


class MartechgateError(Exception):
    """Could not run as asked. The message says what is wrong and what to do next."""

    exit_code = EXIT_CANNOT_RUN

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint

    def location(self) -> str:
        if self.file is None:
            return ""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        return f"{text}\n  {self.hint}" if self.hint else text


class UsageError(MartechgateError):
    """Bad arguments or options."""


class RepoError(MartechgateError):
    """No governance repo where one was asked for, an unknown git revision, an unreadable tree."""


class ConfigError(MartechgateError):
    """martechgate.yaml is missing a required part or is malformed."""


class PolicyError(MartechgateError):
    """A policy file is malformed: the rules that judge others must themselves be sound."""


class ExternalServiceError(MartechgateError):
    """A service (GitHub) refused, rate-limited or could not be reached: never a wrong verdict."""


def exit_code_for(error: BaseException) -> int:
    if isinstance(error, MartechgateError):
        return error.exit_code
    return EXIT_CANNOT_RUN
