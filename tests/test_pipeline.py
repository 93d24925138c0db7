"""The steps' glue: failure records, flagged statuses carried into the summary."""

from __future__ import annotations

import json

import pytest

from interphase.errors import ReadError
from interphase.pipeline import failure_record_path, step


def test_a_step_failing_on_bad_input_records_why_and_exits_non_zero(tmp_path):
    log = tmp_path / "logs/clean/m.log"
    with pytest.raises(SystemExit) as stop:
        with step(log, "m", "clean", results=tmp_path):
            raise ReadError("x.DTA", "line 12", "a number in column 'Im'", "'abc'")
    assert stop.value.code == 1
    record = json.loads(failure_record_path("m", tmp_path).read_text())
    assert record == {"measurement": "m", "step": "clean", "reason": "x.DTA, line 12: expected a number in column 'Im', found 'abc'"}
    assert "x.DTA, line 12" in log.read_text()


def test_a_later_successful_run_removes_the_failure_record(tmp_path):
    with pytest.raises(SystemExit):
        with step(tmp_path / "a.log", "m", "clean", results=tmp_path):
            raise ReadError("x.DTA", "line 1", "a header")
    with step(tmp_path / "a.log", "m", "clean", results=tmp_path):
        pass
    assert not failure_record_path("m", tmp_path).exists()
