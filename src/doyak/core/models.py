"""Base model and the append-only audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class LeasedRun(models.Model):
    """A run a worker holds by a lease it renews (``doyak.core.runs``); a run whose lease expired is recovered."""

    lease_owner = models.CharField(_("worker"), max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True, db_index=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    # [{"worker", "stopped_at", "detected_at", "detected_by", "resumed_by", "resumed_at"}], oldest first
    recoveries = models.JSONField(_("recoveries"), default=list, blank=True)

    class Meta:
        abstract = True


class BackgroundRun(LeasedRun):
    """When and by whom a background job (assignment, settlement …) was asked for, started and finished."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta(LeasedRun.Meta):
        abstract = True


class DailyRun(BackgroundRun):
    """One daily job on one day (``doyak.core.daily``): unique by job and day, so scheduling it twice queues it
    once, and its lease lets only one worker run it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    job = models.CharField(_("job"), max_length=60)
    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("times started"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta(BackgroundRun.Meta):
        ordering = ["-day", "job"]
        verbose_name = _("daily job run")
        verbose_name_plural = _("daily job runs")
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="daily_run_one_per_job_and_day")]

    def __str__(self) -> str:
        return f"{self.job} {self.day}"


class AppendOnlyQuerySet(models.QuerySet):
    """Rows are written once: bulk updates and deletes are refused."""

    def update(self, **kwargs):  # noqa: ARG002
        raise TypeError(f"{self.model.__name__} is append-only")

    def delete(self):
        raise TypeError(f"{self.model.__name__} is append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} is append-only")


class AuditEvent(AppendOnlyModel):
    """Who did what to which object, and which fields changed. Written by services, never edited.

    Database triggers refuse UPDATE and DELETE (migration 0004); ``seq``, ``prev_hash`` and ``hash`` chain
    the events so that what a database owner changes or deletes behind the triggers is found by
    ``doyak audit verify`` (``doyak.core.audit_chain``). On SQLite, a migration that alters this table
    rebuilds it and drops its triggers: such a migration must create them again
    (``tests/core/test_audit_triggers.py`` fails otherwise)."""

    # Set by audit_record before the hash is computed (not auto_now_add, which would set it after).
    at = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)
    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True, editable=False)
    prev_hash = models.CharField(_("previous event's hash"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
