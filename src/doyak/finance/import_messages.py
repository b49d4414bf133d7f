"""Ledger-file problems said in the user's language.

The settlement engine reports a malformed file in English (``ledger.csv data row 2, column amount:
'abc' is not an integer``) and also as structured fields on :class:`LedgerFileError` (``row``,
``column``, ``problem_code``, ``problem_args``). This module turns those fields into a sentence in
the active language; the English msgids reproduce the engine's wording, so an English screen reads
exactly like the engine. A problem kind it does not know keeps the engine's English text.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from doyak.engine.ledger_io import LedgerFileError, LedgerProblem


def _problem_text(error: LedgerFileError | LedgerProblem) -> str:
    """The problem alone (after "row N, column C:"), translated when its kind is known."""
    args = {"value": "", **error.problem_args}
    code = error.problem_code
    if code == "empty":
        return _("is empty")
    if code == "not_integer":
        return _("'%(value)s' is not an integer") % args
    if code == "too_large":
        return _("is too large")
    if code == "too_long":
        return _("is longer than %(limit)s characters") % args
    if code == "nul_character":
        return _("contains a NUL character")
    if code == "below_minimum":
        return _("%(value)s is below %(minimum)s") % args
    if code == "unknown_category":
        return _("'%(value)s' is not a known category (%(allowed)s)") % args
    if code == "unknown_evidence":
        return _("'%(value)s' is not a known evidence kind (%(allowed)s)") % args
    if code == "not_date":
        return _("'%(value)s' is not a date (YYYY-MM-DD)") % args
    if code == "not_boolean":
        return _("'%(value)s' is not true or false") % args
    if code == "not_timestamp":
        return _("'%(value)s' is not an ISO 8601 timestamp") % args
    if code == "duplicate":
        return _("duplicate %(column)s '%(value)s' (first at data row %(first_row)s)") % {
            **args, "column": error.column}
    return error.problem or str(error)


def import_error_message(error: LedgerFileError, *, name: str) -> str:
    """The error about the uploaded file ``name`` in the active language (the engine saw a temporary copy)."""
    code = error.problem_code
    if error.row is not None and error.column is not None and code is not None:
        return _("%(name)s data row %(row)s, column %(column)s: %(problem)s") % {
            "name": name, "row": error.row, "column": error.column, "problem": _problem_text(error)}
    if code == "missing_column":
        return _("%(name)s: missing column '%(column)s'") % {"name": name, "column": error.column}
    if code == "field_count":
        return _("%(name)s line %(line)s: expected %(expected)s fields, found %(found)s") % {
            "name": name, **error.problem_args}
    if code == "wrong_type" and error.problem_args.get("expected") == "integer":
        return _("%(name)s, column %(column)s: type %(type)s where integers (won) were expected") % {
            "name": name, "column": error.column, **error.problem_args}
    if code == "wrong_type":
        return _("%(name)s, column %(column)s: type %(type)s where text was expected") % {
            "name": name, "column": error.column, **error.problem_args}
    if error.code == "unreadable_file":
        return _("%(name)s could not be read: use UTF-8 or CP949 text, XLSX or Parquet.") % {"name": name}
    return _("%(name)s is not a readable file.") % {"name": name}


def import_problem_messages(error: LedgerFileError, *, name: str) -> list[str]:
    """Every bad cell the engine found, one sentence each, in row order (the error alone if it lists none)."""
    if not error.problems:
        return [import_error_message(error, name=name)]
    return [_("%(name)s data row %(row)s, column %(column)s: %(problem)s") % {
        "name": name, "row": p.row, "column": p.column, "problem": _problem_text(p)} for p in error.problems]
