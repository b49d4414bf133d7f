"""The ``doyak`` console command.

Our own verbs that need no database (the engines' file-in/file-out commands) run without
starting Django, so they answer fast; every other verb is a Django management command.
"""

from __future__ import annotations

import importlib
import os
import sys

# verb -> module exposing ``main(argv: list[str]) -> int``
ENGINE_VERBS: dict[str, str] = {
    "assign": "doyak.cli.assign",
    "select": "doyak.cli.select",
    "settle": "doyak.cli.settle",
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ENGINE_VERBS:
        module = importlib.import_module(ENGINE_VERBS[args[0]])
        return int(module.main(args[1:]) or 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doyak.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["doyak", *args])
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
