"""Errors of the answer language: values that carry a message and the column where it went wrong.

They are raised inside the engine and turned into verdicts at its edge; a learner never sees a
traceback.
"""
from __future__ import annotations


class MathError(Exception):
    """A problem with what was typed; `column` is 0-based, or None when no place applies."""

    kind = "error"

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.column = column

    def caret(self, text: str) -> str:
        """The input line with a caret under the offending column (empty when there is none)."""
        if self.column is None:
            return ""
        # control characters (an escape sequence, a NUL) must not reach the terminal as they are
        line = "".join(ch if ch.isprintable() else " " if ch.isspace() else "\N{REPLACEMENT CHARACTER}"
                       for ch in text)
        start = max(0, self.column - 60)
        return f"{line[start:start + 80]}\n{' ' * (self.column - start)}^"

    def __str__(self) -> str:
        if self.column is None:
            return self.message
        return f"{self.message} (at column {self.column + 1})"


class ParseError(MathError):
    kind = "parse"


class ShapeError(MathError):
    kind = "shape"


class DeclarationError(MathError):
    kind = "declaration"
