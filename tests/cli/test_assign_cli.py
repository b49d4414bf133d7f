"""Tests of ``doyak assign`` (file in, file out; exit 2 and no output on bad input)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from doyak.cli import main

AFFINITY = """proposal_id,evaluator_id,score
P1,E1,0.9
P1,E2,0.5
P1,E3,0.3
P2,E1,0.4
P2,E2,0.8
P2,E3,0.1
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_assign_writes_k_rows_per_proposal_and_prints_figures(tmp_path, capsys):
    # given an affinity file and a conflict forbidding the best pair P1-E1
    a = _write(tmp_path / "a.csv", AFFINITY)
    c = _write(tmp_path / "c.csv", "proposal_id,evaluator_id,reason\nP1,E1,same organization\n")
    out = tmp_path / "out.csv"
    # when assigned with two evaluators per proposal, max load 2
    code = main(
        [
            "assign",
            "--affinity",
            str(a),
            "--conflicts",
            str(c),
            "--per-proposal",
            "2",
            "--max-load",
            "2",
            "--out",
            str(out),
        ]
    )
    # then the optimum 0.5 + 0.3 + 0.8 + 0.4 is written and printed
    assert code == 0
    assert out.read_text().splitlines() == [
        "proposal_id,evaluator_id,score",
        "P1,E2,0.5",
        "P1,E3,0.3",
        "P2,E2,0.8",
        "P2,E1,0.4",
    ]
    printed = capsys.readouterr().out
    assert "total affinity: 2.000000000" in printed
    assert "minimum per-proposal affinity: 0.800000000" in printed
    assert "seconds: " in printed


def test_assign_reads_parquet_and_fair_objective(tmp_path):
    # given the affinity as Parquet
    a = tmp_path / "a.parquet"
    pq.write_table(
        pa.table(
            {
                "proposal_id": ["P1", "P1", "P2", "P2"],
                "evaluator_id": ["E1", "E2", "E1", "E2"],
                "score": [1.0, 0.4, 0.5, 0.1],
            }
        ),
        a,
    )
    out = tmp_path / "out.csv"
    # when assigned with the fair objective (total would leave P2 with 0.1)
    code = main(
        [
            "assign",
            "--affinity",
            str(a),
            "--per-proposal",
            "1",
            "--max-load",
            "1",
            "--objective",
            "fair",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    # then it succeeds; the default 0.5% loss cap keeps the total optimum
    assert code == 0
    assert out.read_text().splitlines()[1:] == ["P1,E1,1.0", "P2,E2,0.1"]


@pytest.mark.parametrize(
    ("affinity", "args", "message"),
    [
        ("proposal_id,evaluator,score\nP1,E1,0.5\n", [], "missing column 'evaluator_id'"),
        (
            "proposal_id,evaluator_id,score\nP1,E1,0.5\nP1,E2,abc\n",
            [],
            "row 2, column 'score': 'abc' is not a number",
        ),
        (
            "proposal_id,evaluator_id,score\nP1,E1,0.5\nP1,E2,1.5\n",
            [],
            "row 2, column 'score': 1.5 is not in [0, 1]",
        ),
        (
            "proposal_id,evaluator_id,score\nP1,E1,0.5\nP1,E1,0.6\n",
            [],
            "row 2 repeats the pair (P1, E1) of row 1",
        ),
        ("proposal_id,evaluator_id,score\nP1,,0.5\n", [], "row 1, column 'evaluator_id': empty id"),
        (AFFINITY, ["--per-proposal", "0"], "--per-proposal must be at least 1, got 0"),
        (AFFINITY, ["--per-proposal", "4"], "P1: 3 eligible evaluators, 4 needed"),
        (AFFINITY, ["--min-econ", "1"], "--econ-experts and --min-econ go together"),
    ],
)
def test_assign_bad_input_exits_2_and_leaves_existing_output_untouched(
    tmp_path, capsys, affinity, args, message
):
    # given a malformed or infeasible input and an existing output file
    a = _write(tmp_path / "a.csv", affinity)
    out = _write(tmp_path / "out.csv", "previous\n")
    base = ["assign", "--affinity", str(a), "--per-proposal", "2", "--max-load", "2", "--out", str(out)]
    # when run (later options win over the defaults above)
    code = main(base + args)
    # then exit 2, the problem on stderr, the old output intact and no temp file left
    assert code == 2
    assert message in capsys.readouterr().err
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "out.csv"]


def test_assign_infeasible_creates_no_output(tmp_path, capsys):
    a = _write(tmp_path / "a.csv", AFFINITY)
    out = tmp_path / "out.csv"
    code = main(["assign", "--affinity", str(a), "--per-proposal", "2", "--max-load", "1", "--out", str(out)])
    assert code == 2
    assert "the evaluators can take 3 assignments in all" in capsys.readouterr().err
    assert not out.exists()


def test_assign_economic_experts_file_enforced(tmp_path):
    # given E3 (the weakest) is the only economic/market expert, and panels need one
    a = _write(tmp_path / "a.csv", AFFINITY)
    x = _write(tmp_path / "x.csv", "evaluator_id\nE3\n")
    out = tmp_path / "out.csv"
    code = main(
        [
            "assign",
            "--affinity",
            str(a),
            "--per-proposal",
            "2",
            "--max-load",
            "2",
            "--econ-experts",
            str(x),
            "--min-econ",
            "1",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    # then every panel holds E3
    assert code == 0
    rows = [line.split(",") for line in out.read_text().splitlines()[1:]]
    assert sorted((p, e) for p, e, _ in rows) == [("P1", "E1"), ("P1", "E3"), ("P2", "E2"), ("P2", "E3")]


def test_assign_console_script_runs_in_a_subprocess(tmp_path):
    # given the installed console script next to the interpreter
    a = _write(tmp_path / "a.csv", AFFINITY)
    out = tmp_path / "out.csv"
    script = Path(sys.executable).parent / "doyak"
    # when run / then it succeeds and writes 2 rows per proposal
    result = subprocess.run(
        [
            str(script),
            "assign",
            "--affinity",
            str(a),
            "--per-proposal",
            "2",
            "--max-load",
            "2",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "total affinity: 2.600000000" in result.stdout
    assert len(out.read_text().splitlines()) == 5
