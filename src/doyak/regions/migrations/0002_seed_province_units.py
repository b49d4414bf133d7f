"""The province-level units with their 5극3특 groups and periods.

Renamed units (강원 42→51, 전북 45→52) and the 2026-07-01 광주+전남 merger close the old row and
open a new one, so records made before keep the region they had. The merged unit's code is not
yet published (unconfirmed): '53' is used until it is.
"""

import datetime as dt

from django.db import migrations

D = dt.date
EPOCH = D(1949, 8, 15)
SOURCE = "행정표준코드 시도 코드; korea.kr 5극3특"

UNITS = [
    # code, ko, en, group, from, to
    ("11", "서울특별시", "Seoul", "capital", EPOCH, None),
    ("26", "부산광역시", "Busan", "dongnam", EPOCH, None),
    ("27", "대구광역시", "Daegu", "daegyeong", EPOCH, None),
    ("28", "인천광역시", "Incheon", "capital", EPOCH, None),
    ("29", "광주광역시", "Gwangju", "honam", EPOCH, D(2026, 6, 30)),
    ("30", "대전광역시", "Daejeon", "jungbu", EPOCH, None),
    ("31", "울산광역시", "Ulsan", "dongnam", EPOCH, None),
    ("36", "세종특별자치시", "Sejong", "jungbu", D(2012, 7, 1), None),
    ("41", "경기도", "Gyeonggi", "capital", EPOCH, None),
    ("42", "강원도", "Gangwon", "gangwon", EPOCH, D(2023, 6, 10)),
    ("43", "충청북도", "Chungbuk", "jungbu", EPOCH, None),
    ("44", "충청남도", "Chungnam", "jungbu", EPOCH, None),
    ("45", "전라북도", "Jeonbuk", "jeonbuk", EPOCH, D(2024, 1, 17)),
    ("46", "전라남도", "Jeonnam", "honam", EPOCH, D(2026, 6, 30)),
    ("47", "경상북도", "Gyeongbuk", "daegyeong", EPOCH, None),
    ("48", "경상남도", "Gyeongnam", "dongnam", EPOCH, None),
    ("50", "제주특별자치도", "Jeju", "jeju", EPOCH, None),
    ("51", "강원특별자치도", "Gangwon State", "gangwon", D(2023, 6, 11), None),
    ("52", "전북특별자치도", "Jeonbuk State", "jeonbuk", D(2024, 1, 18), None),
    ("53", "전남광주통합특별시", "Jeonnam-Gwangju Special City", "honam", D(2026, 7, 1), None),
]
SUCCESSORS = {"42": "51", "45": "52", "29": "53", "46": "53"}


def seed(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    rows = {}
    for code, ko, en, group, start, end in UNITS:
        rows[code] = Region.objects.create(
            code=code, name_ko=ko, name_en=en, group=group, valid_from=start, valid_to=end, source=SOURCE
        )
    for old, new in SUCCESSORS.items():
        rows[old].successor = rows[new]
        rows[old].save(update_fields=["successor"])


def unseed(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    Region.objects.filter(code__in=[u[0] for u in UNITS]).update(successor=None)
    Region.objects.filter(code__in=[u[0] for u in UNITS]).delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
