from tests.proposals.conftest import make_call, make_program  # noqa: F401 — the same factories
