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


# Roles that read every organisation's records (the ministry side); applicants see their own only.
ROLES_SEEING_ALL_ORGANIZATIONS = frozenset(
    {Role.PROGRAM_MANAGER, Role.COUNCIL_MEMBER, Role.AUDITOR, Role.ADMINISTRATOR, Role.REGULATION_LIAISON}
)
READ_ONLY_ROLES = frozenset({Role.COUNCIL_MEMBER, Role.AUDITOR})
