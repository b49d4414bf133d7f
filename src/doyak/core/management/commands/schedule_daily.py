"""``doyak schedule_daily``: queue the day's jobs (report reminders, agreements in force …) once; run it from
cron (more than once a day is harmless) and let ``doyak db_worker`` execute them."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from doyak.core.daily import daily_jobs_schedule


class Command(BaseCommand):
    help = "Queue every daily job of the day (Korea time) unless it is queued already."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="the day, YYYY-MM-DD (default: today in Korea)")

    def handle(self, *args, **options) -> None:
        day = None
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date takes YYYY-MM-DD") from exc
        for run, created in daily_jobs_schedule(day=day):
            self.stdout.write(f"{run.job} {run.day.isoformat()}: {'queued' if created else run.status}")
