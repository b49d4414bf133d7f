"""The agreements app's tests use the finance factories (an agreement concluded through the selection chain)."""

from tests.finance.conftest import add_txn, at, make_agreement, make_call, make_program, make_proposal  # noqa: F401
