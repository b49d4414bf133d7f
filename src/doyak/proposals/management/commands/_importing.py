"""Shared by the import commands: find the acting user, run the import, print the per-row report."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from doyak.proposals.imports import ImportFailed


def acting_user(username: str | None):
    User = get_user_model()
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username}")
        return user
    user = (User.objects.filter(is_superuser=True).order_by("id").first()
            or User.objects.filter(role__in=["administrator", "program_manager"]).order_by("id").first())
    if user is None:
        raise CommandError("no administrator or program manager to record the import as; pass --user")
    return user


def run_import(command, service, path: str, username: str | None) -> None:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        result = service(actor=acting_user(username), name=file.name, content=file.read_bytes())
    except ImportFailed as exc:
        for error in exc.errors:
            command.stderr.write(str(error))
        raise CommandError(str(exc.message)) from None
    command.stdout.write(f"imported {result.created} {result.kind}")
