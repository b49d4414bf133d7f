from django.core.management.base import BaseCommand

from doyak.proposals import imports

from ._importing import run_import


class Command(BaseCommand):
    help = ("Import organisations from an NTIS-like CSV (UTF-8 or CP949) or XLSX, all or nothing. Columns (Korean "
            "or English headers): 기관명/name, 영문기관명/name_en, 사업자등록번호/business_registration_number, "
            "기관유형/org_type, 지역코드/region_code, 기업집단/corporate_group, 수요앵커기업/is_demand_anchor, "
            "간접비율/indirect_cost_rate.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="record the import as this user (default: the first administrator)")

    def handle(self, *args, file, user, **options):
        run_import(self, imports.organizations_import, file, user)
