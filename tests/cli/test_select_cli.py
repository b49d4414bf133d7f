"""Tests of ``doyak select`` (file in, file out; exit 2 and nothing written on bad input)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from doyak.cli import main

PROPOSALS = """proposal_id,track,region,cost,score,anchor_led,org_size,program
A,general,11,5000000000,90,1,sme,P1
B,general,41,5000000000,85,0,large,P1
C,humanoid_demo,26,5000000000,80,false,sme,P2
D,general,26,5000000000,60,true,sme,P2
"""

POLICY = """budget = 10000000000
min_score = 70
objective = "score_weighted_budget"

[[constraint]]
name = "non-capital count"
group = { region_group = "non_capital" }
count_min = 1

[[constraint]]
name = "capital cap"
group = { region_group = ["capital"], cost_max = 10000000000 }
count_max = 2
"""


def _files(tmp_path: Path, proposals: str = PROPOSALS, policy: str = POLICY) -> tuple[Path, Path, Path]:
    p = tmp_path / "p.csv"
    p.write_text(proposals, encoding="utf-8")
    q = tmp_path / "policy.toml"
    q.write_text(policy, encoding="utf-8")
    return p, q, tmp_path / "selected.csv"


def _run(p: Path, q: Path, out: Path, *extra: str) -> int:
    return main(["select", "--proposals", str(p), "--policy", str(q), "--out", str(out), *extra])


def test_select_writes_every_proposal_in_input_order_and_prints_figures(tmp_path, capsys):
    # given four proposals, a ₩10B budget and a non-capital count of 1
    p, q, out = _files(tmp_path)
    explain = tmp_path / "explain.md"
    # when selected with an explanation
    code = _run(p, q, out, "--explain", str(explain))
    # then A and C are funded, every proposal is listed, and the figures are printed
    assert code == 0
    assert out.read_text(encoding="utf-8") == "proposal_id,selected\nA,1\nB,0\nC,1\nD,0\n"
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "objective (score_weighted_budget): 850,000,000,000.00"
    assert printed[1] == "funded: 2 of 4 proposals (3 at or above the cut-off)"
    assert printed[2] == "budget used: ₩10,000,000,000 of ₩10,000,000,000"
    assert printed[3].startswith("gap: ") and printed[3].endswith(" (optimal)")
    assert printed[4].startswith("seconds: solve ")
    markdown = explain.read_text(encoding="utf-8")
    assert markdown.startswith("# 포트폴리오 선정 설명 (Portfolio selection explanation)\n")
    assert (
        "| C | 80 | ₩5,000,000,000 | 26 | funded over a higher score because of 'non-capital count' |"
        in markdown
    )


def test_select_reads_cp949_proposals(tmp_path):
    # given a CP949-encoded file with Korean track names
    p, q, out = _files(tmp_path)
    p.write_bytes(PROPOSALS.replace("general", "일반").encode("cp949"))
    # when selected
    code = _run(p, q, out)
    # then it is read like UTF-8
    assert code == 0
    assert out.read_text(encoding="utf-8") == "proposal_id,selected\nA,1\nB,0\nC,1\nD,0\n"


_HEADER = "proposal_id,track,region,cost,score\n"
_CSV_ERRORS = [
    (_HEADER + "A,general,11,-5,80\n", "line 2: cost: must be positive: '-5'"),
    (
        _HEADER + "A,general,11,5000000000,80\nB,general,11,1.5e9,80\n",
        "line 3: cost: not a whole number of won: '1.5e9'",
    ),
    (
        _HEADER + "A,general,11,5,80\nB,general,11,5,80\nA,general,26,5,80\n",
        "line 4: proposal_id: duplicate 'A' (first on line 2)",
    ),
    ("proposal_id,track,region,score\nA,general,11,80\n", "line 1: missing column 'cost'"),
    (_HEADER + "A,general,11,5,high\n", "line 2: score: not a number: 'high'"),
    (_HEADER + "A,general,11,5,nan\n", "line 2: score: not a finite number: 'nan'"),
    (_HEADER + "A,general,99,5,80\n", "line 2: region: unknown province code '99'"),
    (_HEADER + "A,general,11,5\n", "line 2: expected 5 fields, found 4"),
    (
        "proposal_id,track,region,cost,score,anchorled\nA,g,11,5,80,1\n",
        "line 1: unknown column 'anchorled' (did you mean 'anchor_led'?)",
    ),
    (
        "proposal_id,track,region,cost,score,anchor_led\nA,g,11,5,80,maybe\n",
        "line 2: anchor_led: expected 1, 0, true or false: 'maybe'",
    ),
]


@pytest.mark.parametrize(("csv_text", "message"), _CSV_ERRORS)
def test_select_malformed_proposals_exit_2_naming_the_line_and_write_nothing(
    tmp_path, capsys, csv_text, message
):
    # given a malformed proposals file
    p, q, out = _files(tmp_path, proposals=csv_text)
    # when selected
    code = _run(p, q, out)
    # then exit 2, the message names the line, and no output file exists
    assert code == 2
    assert capsys.readouterr().err == f"doyak select: {p}: {message}\n"
    assert not out.exists()
    assert sorted(x.name for x in tmp_path.iterdir()) == ["p.csv", "policy.toml"]


_POLICY_ERRORS = [
    ("budget = 1\nbugdet = 2\n", "bugdet: unknown key (did you mean 'budget'?)"),
    (
        'budget = 1\n[[constraint]]\nname = "a"\ncount_min = 1\n[[constraint]]\nname = "b"\n'
        'group = { regoin_group = "capital" }\ncount_min = 1\n',
        "constraint[2].group.regoin_group: unknown key (did you mean 'region_group'?)",
    ),
    (
        'budget = 1\n[[constraint]]\nname = "a"\ngroup = { region_group = "north" }\ncount_min = 1\n',
        "constraint[1].group.region_group: unknown region group 'north' (one of capital, daegyeong, dongnam, gangwon, "
        "honam, jeju, jeonbuk, jungbu, non_capital)",
    ),
    (
        'budget = 1\n[[constraint]]\nname = "a"\nbudget_share_min = 1.5\n',
        "constraint[1].budget_share_min: must be a share from 0 to 1, got 1.5",
    ),
    (
        'budget = 1\n[[constraint]]\nname = "a"\ngroup = { track = "x" }\n',
        "constraint[1]: no bound (give one of count_min, count_max, budget_min, budget_max, budget_share_min, "
        "budget_share_max)",
    ),
    (
        'budget = 1\n[[constraint]]\nname = "a"\ncount_min = 5\ncount_max = 3\n',
        "constraint[1]: count_min (5) is greater than count_max (3)",
    ),
    (
        'budget = 1\n[[constraint]]\nname = "a"\ncount_min = 1\nextra = 3\n',
        "constraint[1].extra: unknown key",
    ),
    (
        'budget = 1\n[[constraint]]\nname = "a"\ncount_min = 1\n[[constraint]]\nname = "a"\ncount_max = 1\n',
        "constraint[2].name: duplicate 'a' (also constraint[1])",
    ),
    ("budget = 1.5e11\n", "budget: must be a whole number, got 150000000000.0"),
    ("min_score = 70\n", "budget: missing"),
    (
        'budget = 1\nobjective = "max"\n',
        "objective: must be one of score_weighted_budget, total_score, got 'max'",
    ),
    (
        'budget = 1\n[[constraint]]\nname = "a"\ngroup = { cost_min = -1 }\ncount_min = 1\n',
        "constraint[1].group.cost_min: must not be negative, got -1",
    ),
]


@pytest.mark.parametrize(("toml_text", "message"), _POLICY_ERRORS)
def test_select_malformed_policy_exit_2_naming_the_key_and_write_nothing(
    tmp_path, capsys, toml_text, message
):
    # given a malformed policy file
    p, q, out = _files(tmp_path, policy=toml_text)
    # when selected
    code = _run(p, q, out)
    # then exit 2, the message names the key, and no output file exists
    assert code == 2
    assert capsys.readouterr().err == f"doyak select: {q}: {message}\n"
    assert not out.exists()


def test_select_infeasible_policy_exits_2_naming_the_conflict_and_keeps_the_old_output(tmp_path, capsys):
    # given an existing selection file and a policy demanding both non-capital projects (D scores 60)
    policy = POLICY.replace("count_min = 1", "count_min = 2")
    p, q, out = _files(tmp_path, policy=policy)
    out.write_text("previous\n", encoding="utf-8")
    # when selected
    code = _run(p, q, out, "--explain", str(tmp_path / "e.md"))
    # then exit 2 naming the count and the cut-off; the outputs are untouched
    assert code == 2
    assert capsys.readouterr().err == (
        "doyak select: infeasible policy: 'non-capital count' (≥ 2 projects) cannot hold with the cut-off score "
        "of 70 (conflicting: min_score, non-capital count)\n"
    )
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert not (tmp_path / "e.md").exists()


def test_select_constraint_alone_impossible_says_so(tmp_path, capsys):
    # given a demand for 3 non-capital projects when only 2 were submitted
    p, q, out = _files(tmp_path, policy=POLICY.replace("count_min = 1", "count_min = 3"))
    # when selected
    code = _run(p, q, out)
    # then the constraint alone is named
    assert code == 2
    assert capsys.readouterr().err == (
        "doyak select: infeasible policy: 'non-capital count' (≥ 3 projects) cannot hold with the proposals "
        "submitted (conflicting: non-capital count)\n"
    )


def test_select_missing_argument_exits_2(tmp_path, capsys):
    code = main(["select", "--proposals", str(tmp_path / "p.csv")])
    assert code == 2
    assert "the following arguments are required: --policy, --out" in capsys.readouterr().err


def test_select_console_script_runs_end_to_end(tmp_path):
    # given the files and the installed ``doyak`` console script
    p, q, out = _files(tmp_path)
    doyak = Path(sys.executable).parent / "doyak"
    # when run as a separate process
    completed = subprocess.run(
        [str(doyak), "select", "--proposals", str(p), "--policy", str(q), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    # then it exits 0 and writes the selection
    assert completed.returncode == 0, completed.stderr
    assert out.read_text(encoding="utf-8") == "proposal_id,selected\nA,1\nB,0\nC,1\nD,0\n"
    assert completed.stdout.splitlines()[1] == "funded: 2 of 4 proposals (3 at or above the cut-off)"
