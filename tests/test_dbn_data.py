"""The anomaly series the deep-belief-network chapter reads: shape, labels, checksum."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import data

pytestmark = pytest.mark.dbn


def test_anomaly_series_has_a_normal_start_and_one_labelled_anomaly() -> None:
    series = data.load_anomaly_series()
    assert series.values.shape == series.is_anomaly.shape == (7501,)
    assert series.train_length == 1200
    assert not series.is_anomaly[: series.train_length].any()
    anomalous = np.flatnonzero(series.is_anomaly)
    assert len(anomalous) == 12 and np.all(np.diff(anomalous) == 1)
    assert np.isfinite(series.values).all()


def test_anomaly_files_are_recorded() -> None:
    for stem in data.ANOMALY_SERIES.values():
        for part in ("TRAIN", "TEST"):
            assert f"aeon/{stem}_{part}.csv" in data.KNOWN_SHA256


@pytest.mark.parametrize(
    ("name", "error"), [("KDD-TSAD_1", ValueError), (3, TypeError)]
)
def test_unknown_series_is_refused_naming_the_parameter(name, error) -> None:
    with pytest.raises(error, match="name"):
        data.load_anomaly_series(name)


def test_a_replaced_file_is_caught(tmp_path) -> None:
    fake = tmp_path / "series.csv"
    fake.write_text("timestamp,value,is_anomaly\n0,1.0,0\n")
    with pytest.raises(data.DataFileError, match="SHA-256"):
        data.verify_file(fake, data.KNOWN_SHA256[next(iter(data.KNOWN_SHA256))])
