"""The report says how each CSV input was read: given settings and detected ones."""

from __future__ import annotations

from pathlib import Path

from mlaudit import Audit
from mlaudit.config import load_config
from mlaudit.report import render


def test_config_options_reach_the_reader_and_the_report(tmp_path: Path) -> None:
    body = "".join(f"A{i % 3}; {i},5; {i}\n" for i in range(60))
    (tmp_path / "cur.csv").write_text("status;amount;n\n" + body)
    ref = "".join(f"A{i % 3},{i}.5,{i}\n" for i in range(60))
    (tmp_path / "ref.csv").write_text("status,amount,n\n" + ref)
    cfg_path = tmp_path / "audit.yaml"
    cfg_path.write_text(
        "current: {path: cur.csv, decimal: ',', skip_initial_space: true}\n"
        "reference: ref.csv\n"
        "suite: none\n"
        "checks: {quality.completeness: {}}\n"
    )
    result = Audit.from_config(load_config(cfg_path)).run()
    by_name = {i.name: i for i in result.inputs}
    cur, ref = by_name["current"].dialect, by_name["reference"].dialect
    assert cur is not None and ref is not None
    assert (cur.separator, cur.decimal, cur.padded, cur.skip_initial_space) == (
        ";",
        ",",
        True,
        True,
    )
    assert cur.detected == ["separator", "quote", "header"]  # decimal was given
    assert (ref.separator, ref.decimal, ref.padded) == (",", ".", False)
    assert by_name["current"].schema_["amount"]["type"] == "numeric"
    md = render(result, "md")
    assert "separator semicolon (detected)" in md
    assert "decimal comma (given)" in md
    assert "a space after each separator stripped" in md
