"""Masks of personal values cannot be reversed without the secret mask key.

The dictionary attack of issue 10: an attacker who reads a report (and so its seed) hashes a
list of likely e-mail addresses with the public masking scheme and looks the results up among
the report's and the profile's masks.  Expected figures come from :mod:`hashlib` directly.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import re
import stat
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from mlaudit import Audit
from mlaudit._atomic import create_file
from mlaudit._maskkey import ENV_HOME, ENV_KEY, _home, key_id, mask_key
from mlaudit.data import infer_schema
from mlaudit.errors import ConfigError, DataError
from mlaudit.summary import Baseline, ScanPlan, merge, profile_frame, save_baseline

FIRST = [
    "john",
    "mary",
    "james",
    "linda",
    "robert",
    "susan",
    "michael",
    "karen",
    "david",
    "lisa",
    "william",
    "nancy",
]
FIRST += ["richard", "betty", "joseph", "sandra", "thomas"]
EMAILS = [f"{f}.{s}@gmail.com" for f in FIRST for s in ("smith", "jones", "brown")]
KEY_A = "a1" * 32
KEY_B = "b2" * 32


def _people(n: int = 1500, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "email": rng.choice(EMAILS, n).tolist(),
            "amount": rng.normal(100.0, 10.0, n),
            "segment": rng.choice(["retail", "sme"], n).tolist(),
        }
    )


def _blake(value: str, key: bytes) -> str:
    d = hashlib.blake2b(value.encode(), digest_size=8, key=key, person=b"mlaudit-mask")
    return "h:" + d.hexdigest()


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"h:[0-9a-f]{16}", text))


def test_a_dictionary_attack_recovers_no_mask() -> None:
    df = _people()
    result = Audit(df, suite="none", checks={"quality.row_anomalies": {}}).run()
    report = result.model_dump_json()
    profile = profile_frame(df, infer_schema(df), ScanPlan())
    masks = _tokens(report) | set(profile.columns["email"].categories.counts)  # type: ignore[union-attr]
    assert len(masks) == len(EMAILS)  # every address was masked (51 distinct masks)
    seed = int(result.config["seed"])
    public = {_blake(e, (seed & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")) for e in EMAILS}
    assert masks & public == set()  # the old public scheme recovers nothing
    keyed = {_blake(e, bytes.fromhex(os.environ[ENV_KEY])) for e in EMAILS}
    assert masks <= keyed  # with the key, every mask is one of the addresses
    assert os.environ[ENV_KEY] not in report


def test_a_key_is_created_on_first_use_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_KEY)
    home = tmp_path / "mlaudit-home"
    monkeypatch.setenv(ENV_HOME, str(home))
    key = mask_key()
    path = home / "mask.key"
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert bytes.fromhex(path.read_text()) == key and len(key) == 32
    assert mask_key() == key  # read, not created again
    result = Audit(_people(200), suite="none", checks={"quality.completeness": {}}).run()
    report = result.model_dump_json()
    assert key.hex() not in report
    assert result.inputs[0].mask_key_id == hashlib.sha256(key).hexdigest()[:8] == key_id(key)


def test_create_file_never_replaces(tmp_path: Path) -> None:
    target = tmp_path / "k"
    assert create_file(target, b"first") is True
    assert create_file(target, b"second") is False
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["k"]  # no temporary file left


@pytest.mark.parametrize("value", ["not hex", "00ff", "ab" * 65])
def test_a_bad_key_in_the_environment_is_refused(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_KEY, value)
    with pytest.raises(ConfigError, match="mask key") as err:
        mask_key()
    assert ENV_KEY in (err.value.fix or "")


def test_an_unusable_home_asks_for_a_key_and_data_without_personal_columns_needs_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_KEY)
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv(ENV_HOME, str(tmp_path / "file" / "home"))
    with pytest.raises(ConfigError, match="cannot be used") as err:
        Audit(_people(50), suite="none", checks={"quality.completeness": {}}).run()
    assert ENV_KEY in (err.value.fix or "")
    plain = _people(50).drop("email")
    result = Audit(plain, suite="none", checks={"quality.completeness": {}}).run()
    assert result.inputs[0].mask_key_id is None


def test_without_home_the_password_database_gives_the_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HOME", raising=False)
    assert _home("") == Path(pwd.getpwuid(os.getuid()).pw_dir) / ".mlaudit"


def test_a_baseline_masked_under_another_key_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    df = _people(300)
    schema = infer_schema(df)
    monkeypatch.setenv(ENV_KEY, KEY_A)
    ref = profile_frame(df, schema, ScanPlan())
    path = save_baseline(tmp_path / "ref.profile", Baseline(ref, schema, "people", "fp"))
    header = path.read_bytes()[:4096]
    assert json.dumps(key_id(bytes.fromhex(KEY_A))).encode() in header
    same = Audit(df, reference=str(path), suite="none", checks={"quality.completeness": {}})
    assert same.run().inputs[0].mask_key_id == key_id(bytes.fromhex(KEY_A))
    monkeypatch.setenv(ENV_KEY, KEY_B)
    other = Audit(df, reference=str(path), suite="none", checks={"quality.completeness": {}})
    with pytest.raises(DataError, match="masked with different keys") as err:
        other.run()
    assert key_id(bytes.fromhex(KEY_A)) in err.value.message
    assert key_id(bytes.fromhex(KEY_B)) in err.value.message
    with pytest.raises(DataError, match="different keys"):
        merge(ref, profile_frame(df, schema, ScanPlan()))
