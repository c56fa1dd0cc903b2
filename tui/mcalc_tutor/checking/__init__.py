"""Checking answers: the layered equivalence check and the Verdict it returns.

Imports neither Textual nor the app; numpy is needed, sympy only for symbolic confirmation.
"""
