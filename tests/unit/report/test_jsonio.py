from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema
import pytest

from mlaudit.errors import ReportError
from mlaudit.report._jsonio import dumps_canonical, load_result, schema_text, write_atomic
from mlaudit.results import AuditResult

from ._helpers import same
from .conftest import make_result

SCHEMA_FILE = Path(__file__).parents[3] / "src/mlaudit/results_schema/report-1.0.schema.json"


def _check(doc: dict, check_id: str) -> dict:
    return next(c for c in doc["checks"] if c["id"] == check_id)


def test_floats_and_specials_are_canonical(result: AuditResult) -> None:
    doc = json.loads(dumps_canonical(result))
    metrics = _check(doc, "quality.duplicates")["metrics"]
    assert metrics["duplicate_share"] == 0.3  # 0.1 + 0.2 = 0.30000000000000004 in binary
    assert metrics["undefined"] == "NaN"
    assert metrics["ratio"] == "Infinity"
    assert metrics["neg"] == "-Infinity"
    assert metrics["none"] is None
    assert doc["config"]["limit"] == "Infinity"
    assert '"duplicate_share": 0.3,' in dumps_canonical(result)


def test_keys_sorted_enums_as_values_aliases(result: AuditResult) -> None:
    text = dumps_canonical(result)
    doc = json.loads(text)
    assert text == json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert doc["summary"]["status"] == "error"
    assert "schema" in doc["inputs"][0]
    assert "schema_" not in doc["inputs"][0]
    assert "revenu_annuel_€_日本" in text  # UTF-8, not \u escapes


def test_round_trip_equal_and_byte_identical(result: AuditResult) -> None:
    text = dumps_canonical(result)
    back = load_result(text)
    # the fixture's 0.1 + 0.2 is written (and read back) as 0.3: everything else is equal
    dup = result.checks[7]
    fixed = dup.model_copy(update={"metrics": {**dup.metrics, "duplicate_share": 0.3}})
    expected = result.model_copy(update={"checks": [*result.checks[:7], fixed, *result.checks[8:]]})
    assert same(back.model_dump(), expected.model_dump())
    assert not same(back.model_dump(), result.model_dump())
    assert math.isinf(back.checks[7].metrics["ratio"] or 0)
    assert dumps_canonical(back) == text


def test_round_trip_rounds_float_noise_to_12_digits() -> None:
    r = make_result()
    noisy = r.checks[0].model_copy(update={"metrics": {"x": 1 / 3, "y": 2.5e-17, "z": -0.0}})
    r = r.model_copy(update={"checks": [noisy, *r.checks[1:]]})
    doc = json.loads(dumps_canonical(r))
    assert doc["checks"][0]["metrics"] == {"x": 0.333333333333, "y": 2.5e-17, "z": 0.0}
    assert dumps_canonical(load_result(dumps_canonical(r))) == dumps_canonical(r)


def test_text_fields_keep_the_string_nan() -> None:
    r = make_result()
    c = r.checks[0].model_copy(update={"message": "NaN", "column": "Infinity"})
    r = r.model_copy(update={"checks": [c, *r.checks[1:]]})
    back = load_result(dumps_canonical(r))
    assert back.checks[0].message == "NaN"
    assert back.checks[0].column == "Infinity"


def test_deterministic() -> None:
    assert dumps_canonical(make_result()) == dumps_canonical(make_result())


def test_load_from_path(tmp_path: Path, result: AuditResult) -> None:
    p = tmp_path / "report.json"
    p.write_text(dumps_canonical(result), encoding="utf-8")
    assert load_result(p).run_id == result.run_id
    assert load_result(str(p)).run_id == result.run_id


def test_load_errors(tmp_path: Path, result: AuditResult) -> None:
    with pytest.raises(ReportError, match="not valid JSON"):
        load_result("{not json")
    with pytest.raises(ReportError, match="not found"):
        load_result(tmp_path / "missing.json")
    doc = json.loads(dumps_canonical(result))
    doc["schema_version"] = "9.9"
    with pytest.raises(ReportError, match=r"'9\.9'.*reads '1\.0'"):
        load_result(json.dumps(doc))
    doc["schema_version"] = "1.0"
    doc["checks"][2]["status"] = "bogus"
    with pytest.raises(ReportError, match=r"field checks\.2\.status"):
        load_result(json.dumps(doc))


def test_write_atomic(tmp_path: Path) -> None:
    p = write_atomic(tmp_path / "a.txt", "héllo")
    assert p.read_bytes() == "héllo".encode()
    write_atomic(p, b"new")
    assert p.read_bytes() == b"new"
    # no temporary file left; the folder's writer lock stays (a hidden, empty file)
    assert sorted(x.name for x in tmp_path.iterdir()) == [".mlaudit.lock", "a.txt"]
    with pytest.raises(ReportError, match="does not exist"):
        write_atomic(tmp_path / "no-such-dir" / "b.txt", "x")


def test_write_atomic_failure_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = write_atomic(tmp_path / "report.json", "old")

    def fail(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("mlaudit._atomic.os.replace", fail)
    with pytest.raises(ReportError, match="disk full; nothing was written"):
        write_atomic(p, "new")
    assert p.read_text() == "old"
    assert sorted(x.name for x in tmp_path.iterdir()) == [".mlaudit.lock", "report.json"]


def test_shipped_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()


def test_report_validates_against_schema(result: AuditResult) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = json.loads(dumps_canonical(result))
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
    doc["checks"][0]["status"] = "bogus"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
    doc["checks"][0]["status"] = "pass"
    doc["checks"][0]["metrics"]["missing_share"] = "zero"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)


def test_text_that_reads_like_a_special_float_stays_text() -> None:
    # A source, a column or a message may literally be "NaN" or "Infinity": the canonical
    # writer's special strings must turn back into floats only where a float can stand.
    from mlaudit.results import InputInfo

    result = make_result()
    result = result.model_copy(
        update={
            "inputs": [
                InputInfo(name="current", source="Infinity", format="csv", fingerprint="x", rows=1,
                          columns=1, schema_={})
            ]
        }
    )  # fmt: skip
    back = load_result(dumps_canonical(result))
    assert back.inputs[0].source == "Infinity"
