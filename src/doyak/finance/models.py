"""Research-fund ledger and settlement: transactions, evidence, runs, flags. The agreement and its approved
budget live in ``doyak.agreements``."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doyak.core.labels import choice_label
from doyak.core.models import BackgroundRun, LeasedRun

from .enums import (
    RESUMABLE_RUN_STATUSES,
    Category,
    Evidence,
    FlagCode,
    FlagStatus,
    MerchantType,
    RunPurpose,
    RunScope,
    RunStatus,
    SampleReason,
    Severity,
    TransactionSource,
)


class Transaction(models.Model):
    """One spending record (card, transfer, tax invoice). Negative amounts are refunds or cancellations."""

    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.PROTECT, related_name="transactions")
    txn_id = models.CharField(_("transaction id"), max_length=64)
    category = models.CharField(_("cost category"), max_length=20, choices=Category.choices)
    amount_krw = models.BigIntegerField(_("amount (won)"))
    occurred_at = models.DateTimeField(_("paid at"))
    merchant_id = models.CharField(_("merchant"), max_length=100)
    merchant_type = models.CharField(_("merchant type"), max_length=50)
    evidence = models.CharField(_("evidence"), max_length=12, choices=Evidence.choices, default=Evidence.NONE)
    description = models.CharField(_("description"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=TransactionSource.choices)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        ordering = ["agreement", "-occurred_at", "-id"]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        constraints = [models.UniqueConstraint(fields=["agreement", "txn_id"], name="transaction_unique_id")]
        indexes = [
            models.Index(fields=["agreement", "-occurred_at", "-id"], name="txn_agreement_time_idx"),
            # covering on PostgreSQL: the per-category totals of the ledger page read the index only
            models.Index(fields=["agreement", "category"], include=["amount_krw"], name="txn_agreement_category_idx"),
        ]

    def __str__(self) -> str:
        return self.txn_id

    @property
    def merchant_type_label(self) -> str:
        """The merchant type in words; a type the funds system sent that doyak does not list, as it arrived."""
        return choice_label(MerchantType, self.merchant_type)


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    return f"evidence/{instance.agreement_id}/{instance.sha256[:24]}{instance.extension}"


class EvidenceFile(models.Model):
    """A PDF, JPEG or PNG kept outside the web root; downloaded only through a permission check."""

    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.PROTECT, related_name="evidence_files")
    transaction = models.ForeignKey(Transaction, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="evidence_files")
    flag = models.ForeignKey("Flag", null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence_files")
    file = models.FileField(_("file"), upload_to=evidence_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(self.content_type, "")


class SettlementRun(BackgroundRun):
    """One settlement job over a call, a program or a list of agreements, processed in chunks.

    ``agreement_ids`` is fixed when the run is created, so a resumed run settles the same chunks;
    ``policy_snapshot`` is the policy in force then, so a resumed run uses the same numbers.
    """

    scope = models.CharField(_("scope"), max_length=12, choices=RunScope.choices)
    purpose = models.CharField(_("purpose"), max_length=12, choices=RunPurpose.choices, default=RunPurpose.SETTLEMENT)
    call = models.ForeignKey("calls.Call", verbose_name=_("call"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    program = models.ForeignKey("programs.Program", verbose_name=_("program"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    agreement_ids = models.JSONField(_("agreements"), default=list)
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED,
                              db_index=True)
    chunk_size = models.PositiveIntegerField(_("agreements per chunk"))
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    policy_snapshot = models.JSONField(_("policy used"), default=dict)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # Split into parts (one per chunk), each a task of its own that any worker takes; else one task, in order.
    partitioned = models.BooleanField(_("split into parts"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("settlement run")
        verbose_name_plural = _("settlement runs")

    @property
    def may_resume(self) -> bool:
        """The rule ``settlement_run_resume`` applies: failed, or interrupted while running."""
        return self.status in RESUMABLE_RUN_STATUSES

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_scope_display()} ({self.get_status_display()})"

    @property
    def progress(self) -> int:
        if not self.chunks_total:
            return 100 if self.status == RunStatus.DONE else 0
        return self.chunks_done * 100 // self.chunks_total

    SCOPE_AGREEMENTS_SHOWN = 5  # a run over a list of agreements names this many of them

    @property
    def scope_label(self) -> str:
        if self.call_id:
            return self.call.reference
        if self.program_id:
            return str(self.program)
        # agreements by their numbers (a person reads AG-2026-0012, not a row id); a list of runs looks them up
        # for all its runs at once (``selectors.run_list`` sets ``agreement_numbers``)
        shown = self.agreement_ids[:self.SCOPE_AGREEMENTS_SHOWN]
        numbers = getattr(self, "agreement_numbers", None)
        if numbers is None:
            numbers = dict(apps.get_model("agreements", "Agreement").objects.filter(pk__in=shown)
                           .values_list("pk", "number"))
        return ", ".join(numbers.get(pk, "–") for pk in shown) + (
            "…" if len(self.agreement_ids) > self.SCOPE_AGREEMENTS_SHOWN else "")


class SettlementRunPart(LeasedRun):
    """One project range (chunk) of a partitioned run: its own background task, held by the lease of whichever
    worker took it; a part whose worker died is queued again (``doyak.core.runs``). ``agreement_ids`` are
    fixed when the run is created, so every attempt settles the same range."""

    run = models.ForeignKey(SettlementRun, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveIntegerField(_("part"))
    agreement_ids = models.JSONField(_("agreements"), default=list)
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # when its latest attempt began (a worker took it): the run page's "running since" and the part's duration
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["run", "index"]
        verbose_name = _("settlement run part")
        verbose_name_plural = _("settlement run parts")
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="settlement_run_part_unique")]

    def __str__(self) -> str:
        return f"#{self.run_id}.{self.index}"


class SettlementResult(models.Model):
    """One agreement's figures in one run. Unique per (run, agreement): a resumed chunk replaces, never adds."""

    run = models.ForeignKey(SettlementRun, on_delete=models.CASCADE, related_name="results")
    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.CASCADE, related_name="results")
    spent_krw = models.BigIntegerField(_("spent"))
    eligible_krw = models.BigIntegerField(_("eligible"))
    ineligible_krw = models.BigIntegerField(_("ineligible"))
    review_krw = models.BigIntegerField(_("under review"))
    clawback_krw = models.BigIntegerField(_("clawback"))
    sampled = models.PositiveIntegerField(_("transactions checked"))
    transactions = models.PositiveIntegerField(_("transactions"))
    self_settlement = models.BooleanField(_("self-settlement"))
    government_share_permille = models.PositiveSmallIntegerField(_("government share (‰)"))
    ineligible_after_decisions_krw = models.BigIntegerField(_("ineligible after decisions"), default=0)
    # Evidence items (payment record, supporting documents) of the transactions (engine.settlement_evidence):
    # empty on runs made before they were recorded
    evidence_required = models.PositiveIntegerField(_("evidence items required"), null=True, blank=True)
    evidence_exempted = models.PositiveIntegerField(_("evidence items exempted (small amounts)"), null=True,
                                                    blank=True)
    evidence_self_settled = models.PositiveIntegerField(_("evidence items spared by self-settlement"), null=True,
                                                        blank=True)

    class Meta:
        ordering = ["run", "agreement"]
        verbose_name = _("settlement result")
        verbose_name_plural = _("settlement results")
        constraints = [models.UniqueConstraint(fields=["run", "agreement"], name="settlement_result_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.agreement_id}"


class Flag(models.Model):
    """A rule the engine found broken, on a transaction or (empty ``txn_ref``) on the whole project."""

    run = models.ForeignKey(SettlementRun, on_delete=models.CASCADE, related_name="flags")
    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.CASCADE, related_name="flags")
    transaction = models.ForeignKey(Transaction, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    txn_ref = models.CharField(_("transaction id"), max_length=64, blank=True)
    code = models.CharField(_("flag"), max_length=24, choices=FlagCode.choices)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices)
    amount_at_risk_krw = models.BigIntegerField(_("amount at risk"))
    status = models.CharField(_("status"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN,
                              db_index=True)
    explanation = models.TextField(_("explanation"), blank=True)
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    explained_at = models.DateTimeField(_("explained at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["agreement", "txn_ref", "code"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [models.UniqueConstraint(fields=["run", "agreement", "txn_ref", "code"], name="flag_unique")]
        indexes = [
            models.Index(fields=["agreement", "run", "status"], name="flag_agreement_run_idx"),
            models.Index(fields=["transaction", "run"], name="flag_transaction_idx"),
            # the ledger page's flag list: one page in (status, amount at risk) order without a sort
            models.Index(fields=["agreement", "run", "status", "-amount_at_risk_krw", "txn_ref", "code"],
                         name="flag_ledger_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.txn_ref or '-'}"

    @property
    def label(self) -> str:
        return self.get_code_display()


class FlagSummary(models.Model):
    """Flags of one agreement in one run counted per code, status and month of the transaction (none for a
    project-level flag): what the dashboard and the ledger page show, written when the chunk is settled and
    kept in step by every flag decision, so no page reads every flag."""

    run = models.ForeignKey(SettlementRun, on_delete=models.CASCADE, related_name="flag_summaries")
    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.CASCADE, related_name="flag_summaries")
    code = models.CharField(_("flag"), max_length=24, choices=FlagCode.choices)
    status = models.CharField(_("status"), max_length=10, choices=FlagStatus.choices)
    month = models.DateField(_("month"), null=True, blank=True)
    flags = models.PositiveIntegerField(_("flags"))
    at_risk_krw = models.BigIntegerField(_("amount at risk"))

    class Meta:
        verbose_name = _("flag summary")
        verbose_name_plural = _("flag summaries")
        indexes = [models.Index(fields=["agreement", "run"], name="flag_summary_agreement_idx")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.agreement_id} {self.code} {self.status}: {self.flags}"


class SettlementClose(models.Model):
    """The closed settlement of an agreement: the run it rests on and the clawback it records."""

    agreement = models.OneToOneField("agreements.Agreement", on_delete=models.PROTECT, related_name="settlement_close")
    run = models.ForeignKey(SettlementRun, on_delete=models.PROTECT, related_name="+")
    ineligible_krw = models.BigIntegerField(_("ineligible after decisions"))
    clawback_krw = models.BigIntegerField(_("clawback"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("closed settlement")
        verbose_name_plural = _("closed settlements")

    def __str__(self) -> str:
        return f"{self.agreement} {self.clawback_krw}"


class AuditSampleMonth(models.Model):
    """A self-settlement agreement's month in a run: the facts the monthly audit sample reads and, once the run
    has drawn it, why the sample took the agreement (``reason`` empty: not sampled that month)."""

    run = models.ForeignKey(SettlementRun, on_delete=models.CASCADE, related_name="sample_months")
    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.CASCADE, related_name="+")
    month = models.CharField(_("month"), max_length=7)
    late_filer = models.BooleanField(_("late filer"), default=False)
    stopped = models.BooleanField(_("stopped"), default=False)
    flagged = models.BooleanField(_("flagged"), default=False)
    reason = models.CharField(_("why sampled"), max_length=12, choices=SampleReason.choices, blank=True)

    class Meta:
        ordering = ["run", "month", "agreement"]
        verbose_name = _("audit sample month")
        verbose_name_plural = _("audit sample months")
        constraints = [models.UniqueConstraint(fields=["run", "agreement", "month"], name="finance_sample_month_unique")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.month} {self.agreement_id}"
