"""Settings read from DOYAK_* environment variables. See base.py."""

from .base import *  # noqa: F401,F403
