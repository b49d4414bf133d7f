"""engine/ is pure Python: importing every engine module must not import Django."""

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import doyak.engine

ENGINE_DIR = Path(doyak.engine.__file__).parent


def test_engine_modules_import_without_django():
    # given every module under doyak.engine
    modules = [f"doyak.engine.{m.name}" for m in pkgutil.iter_modules([str(ENGINE_DIR)])]
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules) + (
        "print(sorted(n for n in sys.modules if n == 'django' or n.startswith('django.')))"
    )
    # when they are imported in a fresh interpreter, from this source tree (not another installed copy)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ENGINE_DIR.parents[1]), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    # then no django module was loaded
    assert result.stdout.strip() == "[]"
    assert len(modules) >= 1
