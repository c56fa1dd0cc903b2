"""Code that runs inside the sandbox, next to learner code. The runner reads these files as text
(``driver.py`` followed by one challenge's file) and never imports them into the grader."""
