"""`mcalc-tutor equiv`: check two expressions for equivalence from the command line."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ._common import emit

if TYPE_CHECKING:
    from ..mathlang import SymbolTable
    from ._common import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "equiv", help="check whether ANSWER is equivalent to EXPECTED",
        description="Check whether ANSWER is equivalent to EXPECTED. Exit 0 equivalent, 1 not, 2 invalid input.")
    parser.add_argument("expected", metavar="EXPECTED")
    parser.add_argument("answer", metavar="ANSWER")
    parser.add_argument("--symbols", default=None,
                        help='declarations, e.g. "A: n×n symmetric, x: n, t: scalar" (default: every name is a scalar)')
    parser.add_argument("--layout", choices=("exact", "either"), default="exact",
                        help="either: accept the transpose of EXPECTED too")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..checking.equivalence import ExpectedAnswerError, check_answer
    from ..checking.verdict import invalid
    from ..mathlang import MathError, parse_declarations

    try:
        if args.symbols is None:
            symbols = scalar_symbols_in(args.expected, args.answer)
        else:
            symbols = parse_declarations(args.symbols)
        # Symbolic confirmation can only relabel a numeric "correct" (method), never change a verdict,
        # and in a one-shot process its sympy import costs more than the whole check (issue 2: cold
        # start within 1.2x of a bare sympy import): the command leaves it out.
        verdict = check_answer(args.expected, args.answer, symbols, layout=args.layout, symbolic=False)
    except MathError as exc:
        verdict = invalid(f"--symbols: {exc.message}")
    except ExpectedAnswerError as exc:
        verdict = invalid(str(exc))
    return emit(verdict, args.json)


def scalar_symbols_in(*texts: str) -> SymbolTable:
    """Without --symbols, every name that is not a function or constant is a scalar."""
    from ..mathlang import Symbol, SymbolTable
    from ..mathlang.lexer import tokenize
    from ..mathlang.parser import CONSTANTS, FUNCTIONS

    table = SymbolTable()
    for text in texts:
        try:
            tokens = tokenize(text)
        except Exception:  # the real parse reports it, with its column
            continue
        for tok in tokens:
            if tok.kind == "NAME" and tok.text not in FUNCTIONS and tok.text not in CONSTANTS \
                    and tok.text not in ("I", "T", "frac") and table.lookup(tok.text) is None:
                table.add(Symbol(tok.text), display=tok.text)
    return table
