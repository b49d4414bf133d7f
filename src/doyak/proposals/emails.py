"""E-mail to the applicant on submission and on the decision, sent after the transaction commits.

The person's language is not stored, so each message carries Korean first and English below it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

SUBJECTS = {
    "submitted": lambda p: _("[doyak] Proposal %(ref)s submitted") % {"ref": p.reference},
    "evaluated": lambda p: _("[doyak] Evaluation result for proposal %(ref)s") % {"ref": p.reference},
    "reinstated": lambda p: _("[doyak] Appeal upheld for proposal %(ref)s") % {"ref": p.reference},
    "decided": lambda p: _("[doyak] Selection result for proposal %(ref)s") % {"ref": p.reference},
}


def proposal_email_recipients(proposal) -> list[str]:
    """The person who started the proposal and, when different, the principal investigator."""
    out = []
    if proposal.created_by_id and proposal.created_by.email:
        out.append(proposal.created_by.email)
    if proposal.pi_id and proposal.pi.email and proposal.pi.email not in out:
        out.append(proposal.pi.email)
    return out


def proposal_email_render(*, proposal, template: str) -> tuple[str, str]:
    parts, subjects = [], []
    for lang in ("ko", "en"):
        with translation.override(lang):
            subjects.append(SUBJECTS[template](proposal))
            parts.append(render_to_string(f"proposals/email/{template}.txt", {"proposal": proposal}).strip())
    return f"{subjects[0]} / {subjects[1]}", "\n\n----------------------------------------\n\n".join(parts) + "\n"


def proposal_email_schedule(*, proposal, template: str) -> None:
    """Send on commit (never for a transaction that rolls back)."""
    recipients = proposal_email_recipients(proposal)
    if not recipients:
        return
    subject, body = proposal_email_render(proposal=proposal, template=template)

    def send() -> None:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)

    transaction.on_commit(send)
