from django.core.management.base import BaseCommand

from doyak.proposals import imports

from ._importing import run_import


class Command(BaseCommand):
    help = ("Import proposals from an NTIS-like CSV (UTF-8 or CP949) or XLSX, all or nothing; bad rows are listed "
            "as 'row N (line N+1), field: problem'. Columns (Korean or English headers): 과제번호/project_number, "
            "과제명/title_ko, 영문과제명/title_en, 주관기관 사업자등록번호/lead_brn, 지역코드/region_code, "
            "연구책임자 국가연구자번호/pi_number, 정부출연금/gov_krw, 민간현금/cash_krw, 민간현물/in_kind_krw, "
            "시작일/start_date, 종료일/end_date, 키워드/keywords, 기술분류/technology_codes, 공고번호/call_reference, "
            "상태/status, 국문요약/abstract_ko, 영문요약/abstract_en.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="record the import as this user (default: the first administrator)")

    def handle(self, *args, file, user, **options):
        run_import(self, imports.proposals_import, file, user)
