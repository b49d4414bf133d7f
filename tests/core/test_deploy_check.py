"""`doyak check --deploy` with production settings reports no warnings."""

import os
import subprocess
import sys


def test_check_deploy_production_settings_clean(tmp_path):
    # production: none of our variables, and not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOYAK_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "doyak.config.settings",
        "DOYAK_SECRET_KEY": "x9!" + "k" * 20 + "Q7#zR2@pL5$wN8%tY1^vB4&mC6*" + "a1b2c3d4e5",
        "DOYAK_ALLOWED_HOSTS": "doyak.example.kr",
        "DOYAK_VAR_DIR": str(tmp_path),
    })
    result = subprocess.run(
        [sys.executable, "-m", "doyak.cli", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True, text=True, env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
