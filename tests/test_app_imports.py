"""What gets imported when: the engine never imports the UI, and the app's first screen comes up
before numpy and sympy are imported (they are warmed in the background afterwards). Checked in
fresh interpreters, the only way to prove that a deferral defers."""
from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
import textwrap

import mcalc_tutor

CORE = ("mathlang", "checking", "content", "lab", "grading", "progress")


def _run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_engine_imports_neither_textual_nor_the_app():
    modules = [name for _, name, _ in pkgutil.walk_packages(mcalc_tutor.__path__, "mcalc_tutor.")
               if name.split(".")[1] in CORE]
    assert len(modules) > 20
    loaded = _run(f"""
        import importlib, json, sys
        for name in {modules!r}:
            importlib.import_module(name)
        print(json.dumps(sorted(m for m in sys.modules
                                if m.split('.')[0] in ('textual', 'textual_plotext')
                                or m.startswith('mcalc_tutor.app'))))
    """)
    assert loaded == []


def test_starting_the_cli_imports_no_ui_and_no_heavy_library():
    loaded = _run("""
        import json, sys
        import mcalc_tutor.cli, mcalc_tutor.app.main
        mcalc_tutor.cli.build_parser()
        print(json.dumps(sorted(m for m in ('textual', 'numpy', 'sympy', 'plotext') if m in sys.modules)))
    """)
    assert loaded == []


def test_the_first_screen_comes_before_numpy_and_sympy(tmp_path):
    result = _run(f"""
        import asyncio, json, sys
        from mcalc_tutor.app.app import TutorApp

        async def main():
            app = TutorApp({str(tmp_path)!r})
            shown = {{}}
            original = app._first_screen_shown

            def first_screen():
                shown.update(heavy=sorted(m for m in ('numpy', 'sympy', 'textual_plotext', 'mcalc_tutor.mathlang')
                                          if m in sys.modules),
                             screen=type(app.screen).__name__)
                original()

            app._first_screen_shown = first_screen
            async with app.run_test(size=(80, 24)) as pilot:
                for _ in range(100):
                    await pilot.pause(0.1)
                    if app.course.bank_loaded:
                        break
                await app.workers.wait_for_complete()
                shown.update(later=sorted(m for m in ('numpy', 'sympy') if m in sys.modules),
                             bank=app.course.bank_loaded)
            print(json.dumps(shown))

        asyncio.run(main())
    """)
    assert result["screen"] == "MapScreen"
    assert result["heavy"] == []                      # the map was up before any of them (the answer
    # language too: the exercise model carries form rules and precision as plain records)
    assert result["later"] == ["numpy", "sympy"]      # then the engine was warmed in the background
    assert result["bank"]
