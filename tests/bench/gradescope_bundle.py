"""Issue 13's measurements, in one run: the Gradescope bundle's size with and without --offline,
setup.sh's time offline (a temporary folder laid out like /autograder, as tests/test_gradescope.py
does), and run_autograder's seconds per submission — math only, and with a code challenge — next to
one `mcalc-tutor grade` call on the same submission with the same installed package. Prints
figures and ratios; asserts nothing.

    python tests/bench/gradescope_bundle.py [--python X.Y] [--repeat N]

--python: the target Python under ~/.pyenv (default 3.10, Gradescope's default image); --repeat:
submissions timed per kind (default 3, the median is printed).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gradescope_sim import (  # noqa: E402
    ROOT,
    autograder_root,
    build_bundle,
    course_folder,
    instructor_install,
    pyenv_pythons,
    python_version,
    right_answers,
    run,
    setup,
    upload,
)
from test_gradescope import ASSIGNMENT, SECRET  # noqa: E402


def timed(action, *args, **kwargs) -> tuple[float, Any]:
    started = time.perf_counter()
    value = action(*args, **kwargs)
    return time.perf_counter() - started, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="3.10")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    major, minor = (int(x) for x in args.python.split("."))
    target = pyenv_pythons().get((major, minor), Path(sys.executable))
    version = python_version(target)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        py = instructor_install(tmp)
        course = course_folder(tmp, ASSIGNMENT, SECRET)
        sizes, build_times = {}, {}
        for offline in (False, True):
            bundle = tmp / ("offline.zip" if offline else "online.zip")
            build_times[offline], _ = timed(build_bundle, py, bundle, course / "assignment.toml",
                                                  course / "secret", version, offline=offline)
            sizes[offline] = bundle.stat().st_size
        ag = tmp / "autograder"
        env = autograder_root(tmp / "offline.zip", ag, target)
        setup_s, _ = timed(setup, ag, env)

        good, max_score = right_answers(course / "assignment.toml", SECRET, "s1")
        code = (ROOT / "solutions" / "gradients" / "gradient_check.py").read_text()
        kinds = {"math only": {"submission.toml": good},
                 "with a code challenge": {"submission.toml": good, "gradient_check.py": code}}
        venv_python = ag / "venv" / "bin" / "python"
        rows = []
        for kind, files in kinds.items():
            autograder, graded, scores, grade_scores = [], [], set(), set()
            for _ in range(args.repeat):
                seconds, data = timed(upload, ag, env, files)
                autograder.append(seconds)
                scores.add(data["score"])
                # the same submission, the same installed package, one `mcalc-tutor grade` call
                toml = ag / "submission" / "submission.toml"
                toml.write_text(files["submission.toml"].replace("[meta]\n", '[meta]\nstudent = "s1"\n', 1)
                                if 'student = "s1"' not in files["submission.toml"] else files["submission.toml"])
                argv = [str(venv_python), "-m", "mcalc_tutor", "grade", str(toml), "--assignment",
                        str(ag / "source" / "assignment.toml"), "--secret-file", str(course / "secret"),
                        "--format", "gradescope"]
                seconds, proc = timed(run, argv, env=env, cwd=ag)
                graded.append(seconds)
                grade_scores.add(json.loads(proc.stdout)["score"])
            rows.append((kind, statistics.median(autograder), statistics.median(graded), sorted(scores), sorted(grade_scores)))

    print(f"target Python {version} ({target}); bundle built by a non-editable install; {args.repeat} runs each")
    print(f"bundle:   {sizes[False] / 1024:8.0f} KiB without --offline (built in {build_times[False]:.1f} s)")
    print(f"          {sizes[True] / 1024 ** 2:8.1f} MiB with --offline    (built in {build_times[True]:.1f} s), "
          f"{sizes[True] / sizes[False]:.0f}x")
    print(f"setup.sh offline: {setup_s:.1f} s")
    print(f"{'submission':<22} {'run_autograder':>15} {'mcalc-tutor grade':>18} {'ratio':>6}  scores (of {max_score:g})")
    for kind, autograder_s, grade_s, scores, grade_scores in rows:
        print(f"{kind:<22} {autograder_s:>13.2f} s {grade_s:>16.2f} s {autograder_s / grade_s:>5.2f}x  "
              f"{'/'.join(f'{s:g}' for s in scores)} and {'/'.join(f'{s:g}' for s in grade_scores)}")


if __name__ == "__main__":
    main()
