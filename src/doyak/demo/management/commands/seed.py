from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from doyak.demo.seeding import SCALES, demo_logins, seed_run


class Command(BaseCommand):
    help = "Load realistic reference data (organisations, researchers, programs, one login per role)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--quiet", action="store_true", help="Print no logins.")

    def handle(self, *args, scale, seed, quiet, **options):
        console = Console()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            tasks: dict[str, int] = {}

            def report(label: str, done: int, total: int) -> None:
                if label not in tasks:
                    tasks[label] = progress.add_task(label, total=total)
                progress.update(tasks[label], completed=done, total=total)

            added = seed_run(scale=scale, seed=seed, progress=report)
        console.print("Added: " + ", ".join(f"{k} {v:,}" for k, v in added.items()))
        if not quiet:
            table = Table(title="doyak demo logins (http://127.0.0.1:8000)")
            for column in ("Role", "Username", "Password"):
                table.add_column(column)
            for row in demo_logins():
                table.add_row(*row)
            console.print(table)
