"""The result of checking one answer: what we decided, why, and how we read the answer."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

CORRECT, INCORRECT, INVALID, PARTIAL = "correct", "incorrect", "invalid", "partial"
EXIT_CODES = {CORRECT: 0, INCORRECT: 1, PARTIAL: 1, INVALID: 2}


@dataclass(frozen=True)
class Diagnostic:
    """One named finding about a wrong answer: code is stable (for reports), message is for people."""

    code: str  # shape, transpose, sign, factor, symmetric, commute, mistake, undefined, layout
    message: str


@dataclass
class Verdict:
    status: str
    score: float
    message: str
    interpreted: str | None = None
    shape: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    column: int | None = None
    caret: str | None = None
    method: str | None = None  # "numeric", "numeric+symbolic", "exact"

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.diagnostics]

    def to_json(self) -> dict:
        data = asdict(self)
        data["diagnostics"] = [asdict(d) for d in self.diagnostics]
        return data

    def render(self) -> str:
        """Plain text for a terminal: verdict, interpretation, shape, then each diagnostic."""
        lines = [f"{self.status}: {self.message}"]
        if self.caret:
            lines.append(self.caret)
        if self.interpreted is not None:
            lines.append(f"interpreted as: {self.interpreted}")
        if self.shape is not None:
            lines.append(f"shape: {self.shape}")
        for d in self.diagnostics:
            lines.append(f"- [{d.code}] {d.message}")
        return "\n".join(lines)


def invalid(message: str, column: int | None = None, caret: str | None = None) -> Verdict:
    return Verdict(INVALID, 0.0, message, column=column, caret=caret or None)
