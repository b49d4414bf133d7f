from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionGroup(models.TextChoices):
    """5극3특: five mega-regions and three special provinces."""

    CAPITAL = "capital", _("Capital region")
    DONGNAM = "dongnam", _("Dongnam (southeast)")
    DAEGYEONG = "daegyeong", _("Daegyeong")
    JUNGBU = "jungbu", _("Jungbu (Chungcheong)")
    HONAM = "honam", _("Honam")
    GANGWON = "gangwon", _("Gangwon special province")
    JEONBUK = "jeonbuk", _("Jeonbuk special province")
    JEJU = "jeju", _("Jeju special province")


NON_CAPITAL = "non_capital"
