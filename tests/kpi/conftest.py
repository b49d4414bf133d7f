"""The KPI tests build their records with the M.AX tests' factories (agreements of a track, assets)."""

from tests.max.conftest import (  # noqa: F401
    add_txn,
    make_agreement,
    make_call,
    make_program,
    make_proposal,
    register_asset,
    track_agreement,
)
