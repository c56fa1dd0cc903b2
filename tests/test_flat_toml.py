"""The fast submission reader (grading/flat_toml.py) against tomllib: whenever it gives an answer it
is tomllib's, key order included, and it never accepts what tomllib refuses."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcalc_tutor._toml import tomllib
from mcalc_tutor.grading import flat_toml
from mcalc_tutor.grading.template import template


def _tomllib(text: str):
    try:
        return "ok", tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return "error", None


def _fast(text: str):
    try:
        return "ok", flat_toml._flat(text)
    except flat_toml._Unsure:
        return "unsure", None


def _same(a, b) -> bool:
    """Equal, and with the same key order at every level (the grader keeps the file's order)."""
    return json.dumps(a, ensure_ascii=False, default=repr) == json.dumps(b, ensure_ascii=False, default=repr) and a == b


keys = st.sampled_from(["a", "b", "c", "meta", "answers", "seed", "student", "x-1", "a_b", "true", "0",
                        '"a"', "a.b", "a b", "", "é"])
strings = st.lists(st.sampled_from(list('ab x∇ᵀ"\\\'#\t\n\x01\x7f=[]') + ["\\n", "\\t", "\\u0041", "\\e"]),
                   max_size=8).map("".join)
values = st.one_of(
    strings.map(lambda s: f'"{s}"'),
    strings.map(lambda s: f"'{s}'"),
    strings.map(lambda s: f'"""{s}"""'),
    strings.map(lambda s: f'"""\n{s}"""'),
    st.sampled_from(["0", "-0", "+7", "12", "01", "1_000", "1.5", "1e3", "0x1F", "true", "false", "truex",
                     "[1, 2]", "{a = 1}", "1979-05-27", "inf", "", '"unterminated', '""""']),
)
headers = st.lists(keys, min_size=1, max_size=3).map(lambda ks: "[" + ".".join(ks) + "]")
spacing = st.sampled_from(["", " ", "\t", "  "])
comments = st.sampled_from(["", " # note", "# ∇f", " #\x01", " # a = 1"])
lines = st.one_of(
    st.tuples(spacing, keys, spacing, spacing, values, comments).map(lambda t: f"{t[0]}{t[1]}{t[2]}={t[3]}{t[4]}{t[5]}"),
    st.tuples(spacing, headers, comments).map(lambda t: "".join(t)),
    st.sampled_from(["", "# comment", "   ", "[[a]]", "[ a ]", "[a]]", "a.b = 1", "= 1", "\ufeffa = 1"]),
)
documents = st.lists(lines, max_size=12).map("\n".join)


@given(documents)
def test_fast_path_is_tomllib_or_unsure(text):
    fast, expected = _fast(text), _tomllib(text)
    if fast[0] == "ok":
        assert expected[0] == "ok", f"the fast reader accepted what tomllib refuses: {text!r}"
        assert _same(fast[1], expected[1]), text


@given(documents)
def test_loads_gives_what_tomllib_gives(text):
    expected = _tomllib(text)
    if expected[0] == "error":
        with pytest.raises(tomllib.TOMLDecodeError):
            flat_toml.loads(text)
    else:
        assert _same(flat_toml.loads(text), expected[1])


@pytest.mark.parametrize("text, value", [
    ('a = "x\\"y\\\\z\\n\\t"', 'x"y\\z\n\t'),
    ('a = """\nline 1\nline 2\n"""', "line 1\nline 2\n"),
    ('a = """one line"""', "one line"),
    ("a = 'C:\\path'", "C:\\path"),
    ("a = -0", 0),
    ("a = +12", 12),
    ("a = true", True),
    ('a = "∇f = (A + Aᵀ) x"   # done', "∇f = (A + Aᵀ) x"),
])
def test_values_the_fast_path_takes(text, value):
    assert _fast(text) == ("ok", {"a": value})
    assert tomllib.loads(text) == {"a": value}


@pytest.mark.parametrize("text", [
    'a = "x"\na = "y"',  # a key twice
    "[meta]\n[meta]",  # a table twice
    "[a]\nb = 1\n[a.b]",  # a value's name as a table
    "[a.b]\n[a]\nb = 1",  # a table's name as a value
    'a = "x"\r\n',  # CRLF: tomllib's business
    'a = "\\u0041"', 'a = 1.5', 'a = [1]', 'a.b = 1', '"a" = 1', 'a = """say "hi" """',
])
def test_what_the_fast_path_leaves_to_tomllib(text):
    assert _fast(text)[0] == "unsure"
    assert flat_toml.loads(text) == tomllib.loads(text) if _tomllib(text)[0] == "ok" else True


def test_a_filled_template_takes_the_fast_path(tmp_path: Path):
    """The shape students hand in — the template of every exercise, comments, triple-quoted blanks,
    filled in — is read without tomllib, to the same result."""
    from mcalc_tutor.content.loader import load_bank

    ids = [ex.id for ex in load_bank().exercises]
    text = template(ids, 0)
    filled = (text.replace('= """\n"""', '= """\nd f = 2 xᵀ A dx\n∇f = 2 A x\n"""')
              .replace('= ""\n', '= "2 A x"\n'))
    for doc in (text, filled):
        fast = _fast(doc)
        assert fast[0] == "ok"
        assert _same(fast[1], tomllib.loads(doc))
