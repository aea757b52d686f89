"""`lld next-number`: numeric order, old/backup copies count, prefixes of any depth."""

from __future__ import annotations

import pytest

from bbws_scaffold.cli import main
from bbws_scaffold.lld.numbering import next_number


def make(tmp_path, *names):
    for n in names:
        p = tmp_path / n
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("# x\n")
    return tmp_path


def test_numeric_not_lexical(tmp_path):
    d = make(
        tmp_path,
        "2.1.2_LLD_Auth.md",
        "2.1.9_LLD_Payment.md",
        "2.1.10_LLD_Newsletter.md",
        "2.1.11_OPS_Runbook.md",
        "2.2.7_LLD_Notification.md",
        "CLAUDE.md",
    )
    # 2.1.11_OPS_Runbook takes 2.1.11: every numbered document of the folder holds its number
    assert next_number(d, "2.1") == "2.1.12"
    assert next_number(d, "2.2") == "2.2.8"
    assert next_number(d, "3.1") == "3.1.1"


def test_copies_in_subfolders_reserve_their_numbers(tmp_path):
    d = make(tmp_path, "2.7_LLD_Instances.md", "old/2.8_LLD_Old.md", "2.1.3_LLD_Campaigns.md")
    assert next_number(d, "2") == "2.9"


def test_cli(tmp_path, capsys):
    make(tmp_path, "2.1.4_LLD_Product.md")
    assert main(["lld", "next-number", "--hld-prefix", "2.1", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == "2.1.5"


@pytest.mark.parametrize("prefix", ["x", "2..1", ""])
def test_bad_prefix(tmp_path, capsys, prefix):
    with pytest.raises(SystemExit, match="2"):  # argparse refuses it, naming the option
        main(["lld", "next-number", "--hld-prefix", prefix, str(tmp_path)])
    assert "argument --hld-prefix:" in capsys.readouterr().err
