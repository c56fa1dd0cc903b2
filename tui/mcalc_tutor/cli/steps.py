"""`mcalc-tutor steps`: check a derivation line by line, without an exercise."""
from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..checking.steps import StepsVerdict
    from ..mathlang import SymbolTable
    from ._common import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "steps", help="check that each LINE of a derivation follows from the one before",
        description="Check a derivation: each LINE must equal the one before it (lines may be chains "
                    "`a = b`, start with `=`, or be labelled `d f = …`, `∇f = …`, `∂f/∂X = …`). "
                    "Exit 0 when every line follows, 1 when one does not, 2 when a line cannot be read.")
    parser.add_argument("lines", metavar="LINE", nargs="+")
    parser.add_argument("--symbols", default=None,
                        help='declarations, e.g. "A: n×n, x: n" (default: every name is a scalar)')
    parser.add_argument("--differentials", default=None,
                        help='variable: direction pairs, e.g. "x: dx, X: dX" (enables d(…) and ∇f lines)')
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..checking.steps import check_steps

    args.lines = _unprotected(args.lines)
    try:
        symbols = _symbols(args.symbols, args.differentials, args.lines)
    except _OptionError as exc:
        print(f"mcalc-tutor: error: {exc}", file=sys.stderr)
        return 2
    return _emit(check_steps(args.lines, symbols), args.json)


class _OptionError(ValueError):
    """--symbols or --differentials cannot be read: "--option: what is wrong"."""


def _unprotected(lines: list[str]) -> list[str]:
    """Lines that start with a minus sign came through `protect_negative_answers` with a space."""
    return [line[1:] if line.startswith(" -") else line for line in lines]


def _symbols(declarations: str | None, differentials: str | None, lines: list[str]) -> SymbolTable:
    from ..checking.steps import expression_texts
    from ..mathlang import DeclarationError, parse_declarations, parse_differentials
    from .equiv import scalar_symbols_in

    if declarations is None:
        table = scalar_symbols_in(*expression_texts(lines))
        for name in ["d", *_directions(differentials)]:
            table.pop(name, None)
    else:
        try:
            table = parse_declarations(declarations)
        except DeclarationError as exc:
            raise _OptionError(f"--symbols: {exc.message}") from None
    if not differentials:
        return table
    try:
        return parse_differentials(differentials, table)
    except DeclarationError as exc:
        raise _OptionError(f"--differentials: {exc.message}") from None


def _directions(differentials: str | None) -> list[str]:
    """The direction names a --differentials text declares (so they are not taken for scalars)."""
    out = []
    for chunk in (differentials or "").replace(";", ",").split(","):
        variable, _, direction = (p.strip() for p in chunk.partition(":"))
        if variable:
            out.append(direction or f"d{variable}")
    return out


def _emit(verdict: StepsVerdict, as_json: bool) -> int:
    if as_json:
        print(json.dumps(verdict.to_json(), ensure_ascii=False))
    elif verdict.status != "invalid":
        print(verdict.render())
    if verdict.status == "invalid":
        print(("" if as_json else "invalid: ") + verdict.message, file=sys.stderr)
        if verdict.caret and not as_json:
            print(verdict.caret, file=sys.stderr)
    return verdict.exit_code
