from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROGRAM_MANAGER = "program_manager", _("Program manager")
    APPLICANT = "applicant", _("Applicant")
    EVALUATOR = "evaluator", _("Evaluator")
    INVESTOR = "investor", _("Investor")
    REGULATION_LIAISON = "regulation_liaison", _("Regulation liaison")
    COUNCIL_MEMBER = "council_member", _("Council member")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


# The ministry side that acts: builds calls, runs evaluation, portfolios and settlements, moves proposals.
MINISTRY_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.ADMINISTRATOR})
# Roles that read everything the ministry side reads and change nothing.
READ_ONLY_ROLES = frozenset({Role.COUNCIL_MEMBER, Role.AUDITOR})
# Roles that read every organisation's directory entry; applicants see their own only. The regulation
# liaison is here for the institutions behind a regulation, not for their ledgers.
ROLES_SEEING_ALL_ORGANIZATIONS = MINISTRY_ROLES | READ_ONLY_ROLES | {Role.REGULATION_LIAISON}
