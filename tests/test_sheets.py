"""Config and sheet validation: every mistake stops the run with one message naming the place."""

from __future__ import annotations

from pathlib import Path

import pytest
from snakemake.utils import validate

from interphase.errors import ConfigError
from interphase.sheets import load_study

SAMPLES = "sample\tlabel\tsintering_temperature_C\telectrode_area_cm2\nS700\tNMC-700\t700\t0.196\nS900\tNMC-900\t900\t0.196\n"
MEASUREMENTS = (
    "measurement\tsample\ttechnique\tfile\tformat\tpotential_V\n"
    "m1\tS700\teis\ta.txt\t\t4.0\n"
    "m2\tS900\txrd\tb.txt\t\t\n"
)


def make_study(tmp_path: Path, samples: str = SAMPLES, measurements: str = MEASUREMENTS, **config) -> dict:
    """Write a small study into tmp_path and return its config (paths absolute)."""
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    for name in ("a.txt", "b.txt"):
        (raw / name).write_text("x")
    (tmp_path / "samples.tsv").write_text(samples)
    (tmp_path / "measurements.tsv").write_text(measurements)
    return {
        "samples": str(tmp_path / "samples.tsv"),
        "measurements": str(tmp_path / "measurements.tsv"),
        "raw_dir": str(raw),
        **config,
    }


def test_a_valid_study_loads_with_defaults_filled_in(tmp_path):
    study = load_study(make_study(tmp_path), validate)
    assert list(study.samples) == ["S700", "S900"]
    assert study.samples["S700"]["electrode_area_cm2"] == pytest.approx(0.196)
    assert study.measurements["m1"]["potential_V"] == pytest.approx(4.0)
    assert "potential_V" not in study.measurements["m2"]  # empty cell = absent
    assert study.config["eis"]["circuit"] == "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3"
    assert study.config["eis"]["rct_element"] == "R2"
    assert study.config["cv"]["cycle"] == 2
    assert study.config["eels"]["interface_window_nm"] == 5
    assert study.techniques() == ["eis", "xrd"]


def test_an_unknown_config_key_is_named(tmp_path):
    config = make_study(tmp_path, eis={"circuit": "R0-p(R1,C1)", "rtc_element": "R1"})
    with pytest.raises(ConfigError, match=r"key 'eis\.rtc_element'.*no such key"):
        load_study(config, validate)


def test_a_wrong_type_is_named_with_its_key(tmp_path):
    config = make_study(tmp_path, cv={"cycle": "second"})
    with pytest.raises(ConfigError, match=r"key 'cv\.cycle'.*an integer.*'second'"):
        load_study(config, validate)


def test_a_missing_required_key_is_named(tmp_path):
    config = make_study(tmp_path)
    del config["raw_dir"]
    with pytest.raises(ConfigError, match=r"key 'raw_dir'.*required"):
        load_study(config, validate)


def test_a_duplicate_sample_id_names_both_lines(tmp_path):
    samples = SAMPLES + "S700\tagain\t750\t0.2\n"
    with pytest.raises(ConfigError, match=r"samples\.tsv, line 4, column 'sample'.*unique id.*'S700' again \(first on line 2\)"):
        load_study(make_study(tmp_path, samples=samples), validate)


def test_a_malformed_measurement_id_is_named(tmp_path):
    measurements = MEASUREMENTS.replace("m2\t", "m 2/x\t")
    with pytest.raises(ConfigError, match=r"measurements\.tsv, line 3, column 'measurement'.*matching"):
        load_study(make_study(tmp_path, measurements=measurements), validate)


def test_a_non_numeric_temperature_is_named(tmp_path):
    samples = SAMPLES.replace("\t900\t", "\thot\t")
    with pytest.raises(ConfigError, match=r"samples\.tsv, line 3, column 'sintering_temperature_C'.*number.*'hot'"):
        load_study(make_study(tmp_path, samples=samples), validate)


def test_a_non_positive_area_is_refused(tmp_path):
    samples = SAMPLES.replace("0.196\nS900", "0\nS900")
    with pytest.raises(ConfigError, match=r"line 2, column 'electrode_area_cm2'.*> 0"):
        load_study(make_study(tmp_path, samples=samples), validate)


def test_a_measurement_of_an_unknown_sample_is_named(tmp_path):
    measurements = MEASUREMENTS.replace("m2\tS900", "m2\tS800")
    with pytest.raises(ConfigError, match=r"measurements\.tsv, line 3, column 'sample'.*samples\.tsv.*'S800'"):
        load_study(make_study(tmp_path, measurements=measurements), validate)


def test_a_missing_raw_file_is_named(tmp_path):
    config = make_study(tmp_path)
    (Path(config["raw_dir"]) / "b.txt").unlink()
    with pytest.raises(ConfigError, match=r"measurements\.tsv, line 3, column 'file'.*'b\.txt' \(no such path\)"):
        load_study(config, validate)


def test_an_unknown_technique_is_refused(tmp_path):
    measurements = MEASUREMENTS.replace("\txrd\t", "\traman\t")
    with pytest.raises(ConfigError, match=r"line 3, column 'technique'.*one of cv, eis, xrd, edx_line, eels_line"):
        load_study(make_study(tmp_path, measurements=measurements), validate)


def test_an_unknown_sheet_column_is_refused(tmp_path):
    measurements = MEASUREMENTS.replace("potential_V\n", "potential_V\tvoltage\n").replace("4.0\n", "4.0\t4\n")
    with pytest.raises(ConfigError, match=r"line 2, column 'voltage'.*no such column"):
        load_study(make_study(tmp_path, measurements=measurements), validate)


def test_an_unknown_format_name_is_refused(tmp_path):
    measurements = MEASUREMENTS.replace("a.txt\t\t4.0", "a.txt\tnot_a_reader\t4.0")
    with pytest.raises(ConfigError, match=r"line 2, column 'format'.*'not_a_reader'"):
        load_study(make_study(tmp_path, measurements=measurements), validate)


def test_schema_defaults_are_what_validation_fills_in():
    from interphase.sheets import config_defaults, schema_defaults

    filled = config_defaults(validate)
    for section in ("eis", "cv", "xrd", "edx", "eels", "figures"):
        assert schema_defaults(section) == filled[section], section
    assert schema_defaults("eis")["rct_element"] == "R2"


def test_a_low_loss_companion_of_an_eels_line_is_checked(tmp_path):
    eels = "measurement\tsample\ttechnique\tfile\tlow_loss\nm1\tS700\teels_line\ta.txt\t{}\nm2\tS900\txrd\tb.txt\t{}\n"
    study = load_study(make_study(tmp_path, measurements=eels.format("b.txt", "")), validate)
    assert study.low_loss_path("m1") == Path(study.config["raw_dir"]) / "b.txt"
    assert study.low_loss_path("m2") is None
    with pytest.raises(ConfigError, match=r"line 2, column 'low_loss'.*'ll\.msa' \(no such path\)"):
        load_study(make_study(tmp_path, measurements=eels.format("ll.msa", "")), validate)
    with pytest.raises(ConfigError, match=r"line 3, column 'low_loss'.*eels_line rows"):
        load_study(make_study(tmp_path, measurements=eels.format("b.txt", "a.txt")), validate)
