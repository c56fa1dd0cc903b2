"""Tokenizer for the answer language: turns text into (kind, text, column) tokens.

It accepts ASCII and unicode spellings (ᵀ, ⁻¹, ·, ⊙, ‖, Greek) and rejects everything else with
the column of the first character it cannot read. It never evaluates anything.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import ParseError
from .functions import LATEX_WORDS, SPELLINGS
from .symbols import GREEK, SUBSCRIPT_DIGITS

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
_LATEX_WORDS = {"cdot": ("OP", "·"), "times": ("OP", "*"), "top": ("POST", "T"), "odot": ("OP", "⊙"),
                "circ": ("OP", "⊙"), "operatorname": ("SKIP", ""), "left": ("SKIP", ""), "right": ("SKIP", ""),
                "|": ("DBAR", "‖"), "infty": ("NAME", "inf"), "pi": ("NAME", "π"), "nabla": ("BAD", "∇"),
                "intercal": ("POST", "T"), "Vert": ("DBAR", "‖"), "lVert": ("DBAR", "‖"), "rVert": ("DBAR", "‖"),
                "vert": ("BAR", "|"), "lvert": ("BAR", "|"), "rvert": ("BAR", "|"), "ast": ("OP", "*"),
                "langle": ("LANGLE", "⟨"), "rangle": ("RANGLE", "⟩"), "partial": ("BAD", "∂"),
                "dfrac": ("NAME", "frac"), "tfrac": ("NAME", "frac"),
                **{size: ("SKIP", "") for size in ("big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
                                                   "biggl", "biggr", "Biggl", "Biggr", "quad", "qquad")},
                **{word: ("NAME", word) for word in LATEX_WORDS}}
_SINGLE = {"(": "LP", ")": "RP", "[": "LB", "]": "RB", "{": "LC", "}": "RC", ",": "COMMA",
           ";": "SEMI", "|": "BAR", "‖": "DBAR", "∥": "DBAR", "_": "SUB"}
_OPS = {"+": "+", "-": "-", "−": "-", "–": "-", "*": "*", "/": "/", "^": "^", "·": "·", "⋅": "·",
        "×": "*", "∙": "·", "∗": "*", "@": "*", "‐": "-", "‑": "-", "⊙": "⊙", "∘": "⊙", "⊘": "⊘", "÷": "/",
        "⁄": "/", ":": ":", "∶": ":", "√": "√", "∑": "BAD", "∇": "BAD", "∂": "BAD"}
# \mathbf{x}, \operatorname{tr}: the letters in braces are the name
_NAME_WRAPPERS = frozenset({"operatorname", "mathrm", "mathbf", "mathit", "mathsf", "boldsymbol", "bm", "text",
                            "textrm", "textbf", "vec"})
_TWO_CHAR = {"**": ("OP", "^"), "./": ("OP", "⊘"), ".^": ("OP", "^"), ".*": ("OP", "⊙"), "||": ("DBAR", "‖"),
             ".'": ("POST", "T")}
_ANGLES = {"⟨": "LANGLE", "〈": "LANGLE", "<": "LANGLE", "⟩": "RANGLE", "〉": "RANGLE", ">": "RANGLE"}
_PRIMES = ("'", "′", "’")


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens; raise ParseError(message, column) on the first bad character."""
    text = _checked(text)
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        found, i = _next_token(text, i)
        tokens.extend(found)
    tokens.append(Token("END", "", n))
    return [Token(t.kind, t.text, t.col, True) if 0 < t.col <= n and text[t.col - 1].isspace() else t
            for t in tokens]


def _checked(text: str) -> str:
    """The text to read, normalized; refuses what is too long or holds a NUL byte."""
    if len(text) > MAX_INPUT_LENGTH:
        raise ParseError(f"the answer is too long ({len(text)} characters; at most {MAX_INPUT_LENGTH})", None)
    if "\x00" in text:
        raise ParseError("the answer contains a NUL byte", text.index("\x00"))
    text = unicodedata.normalize("NFC", text)
    return text if text.isascii() else "".join(map(_compatible, text))


def _compatible(ch: str) -> str:
    """Fullwidth and other compatibility characters (Ａ, （, ＋, 𝑥, 𝐀, µ) as their plain forms (NFKC),
    one character for one so that columns stay right. Superscripts and subscripts are kept: NFKC
    would turn xᵀ into xT and x² into x2."""
    if ch in _SUPERSCRIPTS or ch in _SUBSCRIPT_CHARS or ch.isascii():
        return ch
    plain = unicodedata.normalize("NFKC", ch)
    return plain if len(plain) == 1 else ch


def _next_token(text: str, i: int) -> tuple[list[Token], int]:
    """The token(s) starting at column i (not a space), and where the next one starts."""
    ch = text[i]
    if ch in _DIGITS or (ch == "." and i + 1 < len(text) and text[i + 1] in _DIGITS):
        return _number(text, i)
    if ch.isalpha() and ch not in _SUPERSCRIPTS:
        j = _name_end(text, i + 1)
        return [Token("NAME", text[i:j], i)], j
    if ch in _SUPERSCRIPTS:
        j = _run_end(text, i, _SUPERSCRIPTS)
        return [Token("POST", "".join(_SUPERSCRIPTS[c] for c in text[i:j]), i)], j
    if ch in _SUBSCRIPT_CHARS:
        j = _run_end(text, i, _SUBSCRIPT_CHARS)
        return [Token("SUBNUM", text[i:j].translate(SUBSCRIPT_DIGITS), i)], j
    if ch == "\\":
        return _backslash(text, i)
    if unicodedata.category(ch) == "No" and "⁄" in unicodedata.normalize("NFKC", ch):  # ½, ¾
        return [Token("NUM", unicodedata.normalize("NFKC", ch).replace("⁄", "/"), i)], i + 1
    return _symbol(text, i)


def _number(text: str, i: int) -> tuple[list[Token], int]:
    m = _NUMBER.match(text, i)
    assert m is not None  # the caller saw a digit, or a point before one
    end, n = m.end(), len(text)
    if end < n and text[end] == "." and (m.group(1).count(".") or end + 1 < n and text[end + 1] in _DIGITS + "."):
        raise ParseError("malformed number: a number has at most one decimal point", i)
    digits = sum(c.isdigit() for c in m.group(1))
    if digits > MAX_NUMBER_DIGITS:
        raise ParseError(f"number too long ({digits} digits; at most {MAX_NUMBER_DIGITS})", i)
    return [Token("NUM", m.group(0), i)], end


def _name_end(text: str, j: int) -> int:
    """Where a name that continues at j ends: letters, digits, subscripts, `_1` and `_{12}`."""
    n = len(text)
    while j < n and text[j] not in _SUPERSCRIPTS:
        ch = text[j]
        if _is_name_char(ch) or ch in _SUBSCRIPT_CHARS:
            j += 1
        elif ch == "_" and j + 1 < n and text[j + 1] == "{":
            close = text.find("}", j)
            if close == -1 or not text[j + 2:close].isalnum():
                break
            j = close + 1
        elif ch == "_" and j + 1 < n and text[j + 1].isalnum():
            j += 1
        else:
            break
    return j


def _backslash(text: str, i: int) -> tuple[list[Token], int]:
    """A LaTeX command, or MATLAB's left division after an operand (A\\b, (XᵀX)\\(Xᵀy))."""
    word = re.match(r"\\([A-Za-z]*)", text[i:])
    before = text[:i].rstrip()
    after_operand = bool(before) and (before[-1].isalnum() or before[-1] in ")]}'′ᵀ")
    name = word.group(1) if word else ""
    if after_operand and (text[i + 1:i + 2] in ("(", "[") or
                          (name and name not in _LATEX_WORDS and name not in GREEK and name not in _NAME_WRAPPERS)):
        return [Token("OP", "\\", i)], i + 1
    return _latex(text, i)


def _latex(text: str, i: int) -> tuple[list[Token], int]:
    m = re.match(r"\\([A-Za-z]+|\||[,;:! ])", text[i:])
    if not m:
        raise ParseError("unexpected backslash", i)
    word = m.group(1)
    if word in ",;:! ":  # LaTeX spacing: \, \; \! \ (space)
        return [], i + 2
    end = i + len(m.group(0))
    wrapped = re.match(r"\{([A-Za-z]+)\}", text[end:])
    if word in _NAME_WRAPPERS and wrapped:
        after = end + len(wrapped.group(0))
        if wrapped.group(1) in SPELLINGS and text[after:after + 1].isalpha():
            return [Token("NAME", wrapped.group(1), i)], after  # \operatorname{tr}X: the braces end a function's name
        j = _name_end(text, after)  # \mathrm{d}x, \mathbf{x}_1: the name reads on
        return [Token("NAME", wrapped.group(1) + text[after:j], i)], j
    if word not in _LATEX_WORDS and text.startswith("_", i + len(m.group(0))):
        return [], i + 1  # \delta_z: read on as the name delta_z, subscript and all
    kind, value = _LATEX_WORDS.get(word, ("NAME", word))
    if kind == "BAD":
        raise ParseError(f"'{value}' is not part of the answer language; write the result itself", i)
    if word in _NAME_WRAPPERS:
        kind = "SKIP"  # \mathbf{x + y}: the braces group
    return ([] if kind == "SKIP" else [Token(kind, value, i)]), end


def _symbol(text: str, i: int) -> tuple[list[Token], int]:
    """Operators, brackets, primes and the other one- or two-character tokens."""
    ch, two = text[i], text[i:i + 2]
    if two in _TWO_CHAR:
        kind, value = _TWO_CHAR[two]
        return [Token(kind, value, i)], i + 2
    if two == ".T" and not (i + 2 < len(text) and (text[i + 2].isalnum() or text[i + 2] == "_")):
        return [Token("POST", "T", i)], i + 2
    if ch in _PRIMES:
        return [Token("POST", "'", i)], i + 1
    if ch in _OPS:
        if _OPS[ch] == "BAD":
            raise ParseError(f"'{ch}' is not part of the answer language; write the result itself", i)
        return [Token("OP", _OPS[ch], i)], i + 1
    if ch in _ANGLES:
        return [Token(_ANGLES[ch], ch, i)], i + 1
    if ch in _SINGLE:
        return [Token(_SINGLE[ch], ch, i)], i + 1
    if ch == "∞":  # ‖x‖_∞, as the pretty printer writes it
        return [Token("NAME", "∞", i)], i + 1
    if ch == "=":
        raise ParseError("write only the right-hand side (no '=')", i)
    name = unicodedata.name(ch, "")
    shown = ch if ch.isprintable() else repr(ch)
    raise ParseError(f"unexpected character {shown}" + (f" ({name.lower()})" if name else ""), i)


def _run_end(text: str, i: int, chars) -> int:
    """Where the run of characters from `chars` that starts at i ends (superscripts, subscripts)."""
    while i < len(text) and text[i] in chars:
        i += 1
    return i


def _is_name_char(ch: str) -> bool:
    """Letters, ASCII digits and underscores continue a name; superscripts and ²-like digits do not."""
    return ch in _DIGITS or (ch.isalpha() and ch not in _SUPERSCRIPTS)
