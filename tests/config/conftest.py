"""The API tests use the factories of the apps they cross (agreements walk the selection chain)."""

from tests.finance import conftest as _finance_factories
from tests.proposals import conftest as _proposal_factories

make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call
make_proposal = _proposal_factories.make_proposal
make_agreement = _finance_factories.make_agreement
add_txn = _finance_factories.add_txn
