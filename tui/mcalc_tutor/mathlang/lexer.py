"""Tokenizer for the answer language: turns text into (kind, text, column) tokens.

It accepts ASCII and unicode spellings (ᵀ, ⁻¹, ·, ⊙, ‖, Greek) and rejects everything else with
the column of the first character it cannot read. It never evaluates anything.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import ParseError
from .symbols import SUBSCRIPT_DIGITS

MAX_INPUT_LENGTH = 2000
MAX_NUMBER_DIGITS = 30


@dataclass(frozen=True)
class Token:
    kind: str  # NUM NAME OP POST LP RP LB RB LC RC COMMA SEMI BAR DBAR SUB END
    text: str
    col: int
    spaced: bool = False  # whitespace before it: `det X X^{-T}` ends det's bare argument at the space


_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6",
                 "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-", "ᵀ": "T", "ᵗ": "T", "⊤": "T"}
_SUBSCRIPT_CHARS = "₀₁₂₃₄₅₆₇₈₉"
_DIGITS = "0123456789"
# an exponent part is not followed by a letter, though it may be by a superscript (1e3ᵀ, 1e3²)
_NUMBER = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+(?!(?![⁰¹²³⁴⁵⁶⁷⁸⁹ᵀᵗ])\w))?")
_LATEX_WORDS = {"cdot": ("OP", "*"), "times": ("OP", "*"), "top": ("POST", "T"), "odot": ("OP", "⊙"),
                "circ": ("OP", "⊙"), "sqrt": ("NAME", "sqrt"), "ln": ("NAME", "ln"), "log": ("NAME", "log"),
                "exp": ("NAME", "exp"), "sin": ("NAME", "sin"), "cos": ("NAME", "cos"), "tan": ("NAME", "tan"),
                "det": ("NAME", "det"), "operatorname": ("SKIP", ""), "left": ("SKIP", ""), "right": ("SKIP", ""),
                "|": ("DBAR", "‖"), "infty": ("NAME", "inf"), "pi": ("NAME", "π"), "nabla": ("BAD", "∇")}
_SINGLE = {"(": "LP", ")": "RP", "[": "LB", "]": "RB", "{": "LC", "}": "RC", ",": "COMMA",
           ";": "SEMI", "|": "BAR", "‖": "DBAR", "_": "SUB"}
_OPS = {"+": "+", "-": "-", "−": "-", "–": "-", "*": "*", "/": "/", "^": "^", "·": "·", "⋅": "·",
        "×": "*", "∙": "*", "⊙": "⊙", "∘": "⊙", "⊘": "⊘", "÷": "/", "√": "√", "∑": "BAD", "∇": "BAD", "∂": "BAD"}


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens; raise ParseError(message, column) on the first bad character."""
    if len(text) > MAX_INPUT_LENGTH:
        raise ParseError(f"the answer is too long ({len(text)} characters; at most {MAX_INPUT_LENGTH})", None)
    if "\x00" in text:
        raise ParseError("the answer contains a NUL byte", text.index("\x00"))
    text = unicodedata.normalize("NFC", text)
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            m = _NUMBER.match(text, i)
            if m.end() < n and text[m.end()] == "." and (m.group(1).count(".") or m.end() + 1 < n and
                                                         text[m.end() + 1] in _DIGITS + "."):
                raise ParseError("malformed number: a number has at most one decimal point", i)
            digits = sum(c.isdigit() for c in m.group(1))
            if digits > MAX_NUMBER_DIGITS:
                raise ParseError(f"number too long ({digits} digits; at most {MAX_NUMBER_DIGITS})", i)
            tokens.append(Token("NUM", m.group(0), i))
            i = m.end()
            continue
        if ch.isalpha() and ch not in _SUPERSCRIPTS:
            j = i + 1
            while j < n and text[j] not in _SUPERSCRIPTS and (_is_name_char(text[j]) or text[j] in _SUBSCRIPT_CHARS or
                             (text[j] == "_" and j + 1 < n and (text[j + 1].isalnum() or text[j + 1] == "{")
                              )):
                if text[j] == "_" and text[j + 1] == "{":
                    close = text.find("}", j)
                    if close == -1 or not text[j + 2:close].isalnum():
                        break
                    j = close + 1
                    continue
                j += 1
            tokens.append(Token("NAME", text[i:j], i))
            i = j
            continue
        if ch in _SUPERSCRIPTS:
            j = _run_end(text, i, _SUPERSCRIPTS)
            tokens.append(Token("POST", "".join(_SUPERSCRIPTS[c] for c in text[i:j]), i))
            i = j
            continue
        if ch in _SUBSCRIPT_CHARS:
            j = _run_end(text, i, _SUBSCRIPT_CHARS)
            tokens.append(Token("SUBNUM", text[i:j].translate(SUBSCRIPT_DIGITS), i))
            i = j
            continue
        if ch == "\\":
            m = re.match(r"\\([A-Za-z]+|\|)", text[i:])
            if not m:
                raise ParseError("unexpected backslash", i)
            word = m.group(1)
            if word not in _LATEX_WORDS and text.startswith("_", i + len(m.group(0))):
                i += 1  # \delta_z: read on as the name delta_z, subscript and all
                continue
            kind, value = _LATEX_WORDS.get(word, ("NAME", word))
            if kind == "BAD":
                raise ParseError(f"'{value}' is not part of the answer language; write the result itself", i)
            if kind != "SKIP":
                tokens.append(Token(kind, value, i))
            i += len(m.group(0))
            continue
        two = text[i:i + 2]
        if two == "**":
            tokens.append(Token("OP", "^", i)); i += 2; continue
        if two == "./":
            tokens.append(Token("OP", "⊘", i)); i += 2; continue
        if two == ".^":
            tokens.append(Token("OP", "^", i)); i += 2; continue
        if two == ".*":
            tokens.append(Token("OP", "⊙", i)); i += 2; continue
        if two == "||":
            tokens.append(Token("DBAR", "‖", i)); i += 2; continue
        if two == ".T" and not (i + 2 < n and (text[i + 2].isalnum() or text[i + 2] == "_")):
            tokens.append(Token("POST", "T", i)); i += 2; continue
        if ch in ("'", "′", "’"):
            tokens.append(Token("POST", "'", i)); i += 1; continue
        if ch in _OPS:
            if _OPS[ch] == "BAD":
                raise ParseError(f"'{ch}' is not part of the answer language; write the result itself", i)
            tokens.append(Token("OP", _OPS[ch], i)); i += 1; continue
        if ch in _SINGLE:
            tokens.append(Token(_SINGLE[ch], "‖" if ch == "‖" else ch, i)); i += 1; continue
        if ch == "∞":  # ‖x‖_∞, as the pretty printer writes it
            tokens.append(Token("NAME", "∞", i)); i += 1; continue
        if ch == "=":
            raise ParseError("write only the right-hand side (no '=')", i)
        name = unicodedata.name(ch, "")
        shown = ch if ch.isprintable() else repr(ch)
        raise ParseError(f"unexpected character {shown}" + (f" ({name.lower()})" if name else ""), i)
    tokens.append(Token("END", "", n))
    return [Token(t.kind, t.text, t.col, True) if 0 < t.col <= n and text[t.col - 1].isspace() else t
            for t in tokens]



def _run_end(text: str, i: int, chars) -> int:
    """Where the run of characters from `chars` that starts at i ends (superscripts, subscripts)."""
    while i < len(text) and text[i] in chars:
        i += 1
    return i


def _is_name_char(ch: str) -> bool:
    """Letters, ASCII digits and underscores continue a name; superscripts and ²-like digits do not."""
    return ch in _DIGITS or (ch.isalpha() and ch not in _SUPERSCRIPTS)
