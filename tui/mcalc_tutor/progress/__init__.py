"""The learner's saved progress: every attempt, hint and reveal in a SQLite file, committed before
the app says "checked". Must never import Textual, the app, numpy or sympy, and never crash the
app over a bad file: a damaged database is set aside with a message and a fresh one started.
"""
