"""Fail when a translation catalogue has an untranslated or fuzzy entry, or does not compile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "src" / "doyak" / "locale"


def main() -> int:
    failures = 0
    catalogues = sorted(LOCALE.parent.glob("**/locale/*/LC_MESSAGES/*.po"))
    if not catalogues:
        print(f"no catalogues under {LOCALE}")
        return 1
    for po in catalogues:
        result = subprocess.run(
            ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
            capture_output=True, text=True, env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
        )
        stats = (result.stderr or result.stdout).strip()
        print(f"{po.relative_to(LOCALE.parent)}: {stats}")
        if result.returncode != 0 or "untranslated" in stats or "fuzzy" in stats:
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
