"""Seeding, the scale setting, compact progress and the timed fit."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import training


def tiny_model():
    import keras

    inputs = keras.Input(shape=(4,))
    outputs = keras.layers.Dense(2, activation="softmax")(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def tiny_data(rows=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int64")


def test_set_seed_makes_keras_initialisation_repeatable():
    training.set_seed(7)
    first = tiny_model().get_weights()[0]
    training.set_seed(7)
    second = tiny_model().get_weights()[0]
    np.testing.assert_array_equal(first, second)
    with pytest.raises(TypeError, match="`seed` must be an integer"):
        training.set_seed("7")
    with pytest.raises(ValueError, match="`seed` must be at least 0"):
        training.set_seed(-1)


def test_run_scale_reads_the_environment(monkeypatch):
    monkeypatch.delenv(training.SCALE_ENV, raising=False)
    assert training.run_scale() == "quick" and training.by_scale(1, 2) == 1
    monkeypatch.setenv(training.SCALE_ENV, "FULL")
    assert training.run_scale() == "full" and training.by_scale(1, 2) == 2
    monkeypatch.setenv(training.SCALE_ENV, "huge")
    with pytest.raises(
        ValueError, match="DLCOURSE_SCALE must be 'quick' or 'full', got 'huge'"
    ):
        training.run_scale()


def test_set_seed_goes_through_keras_and_seeds_python_and_numpy():
    import random

    training.set_seed(11)
    first = (random.random(), np.random.random())
    training.set_seed(11)
    assert (random.random(), np.random.random()) == first
    with pytest.raises(ValueError, match="`seed` must be at most"):
        training.set_seed(2**32)


def test_fit_returns_history_and_time_and_prints_one_line_per_epoch(capsys):
    training.set_seed(0)
    model = tiny_model()
    x, y = tiny_data()
    result = training.fit(model, x, y, epochs=3, batch_size=16, validation_data=(x, y))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3  ")
    assert "\x08" not in "".join(lines)
    assert "val_accuracy" in lines[-1] and lines[-1].endswith(" s)")
    assert result.epochs == 3 and result.seconds > 0
    assert len(result.epoch_seconds) == 3
    assert all(0 < seconds <= result.seconds for seconds in result.epoch_seconds)
    assert 0.0 <= result.last("val_accuracy") <= 1.0
    with pytest.raises(KeyError, match="no metric 'precision'"):
        result.last("precision")


def test_fit_every_prints_every_kth_epoch_and_the_last(capsys):
    model = tiny_model()
    x, y = tiny_data()
    training.fit(model, x, y, epochs=5, every=2)
    out = capsys.readouterr().out
    assert [line.split()[1] for line in out.strip().splitlines()] == [
        "2/5",
        "4/5",
        "5/5",
    ]


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"epochs": 0}, ValueError, "`epochs` must be at least 1"),
        ({"batch_size": 2.0}, TypeError, "`batch_size` must be an integer"),
        (
            {"y": np.zeros(3)},
            ValueError,
            "`x` and `y` must have the same number of rows",
        ),
        (
            {"validation_data": np.zeros(3)},
            TypeError,
            "`validation_data` must be a pair",
        ),
        ({"progress": "yes"}, TypeError, "`progress` must be True or False"),
        ({"callbacks": "early"}, TypeError, "`callbacks` must be a list"),
        ({"callbacks": [print]}, TypeError, r"`callbacks\[0\]` must be a Keras"),
    ],
)
def test_fit_rejects_bad_arguments(change, error, message):
    x, y = tiny_data()
    arguments = {"x": x, "y": y, "epochs": 1}
    arguments.update(change)
    with pytest.raises(error, match=message):
        training.fit(tiny_model(), **arguments)


def test_fit_needs_a_compiled_keras_model():
    import keras

    x, y = tiny_data()
    with pytest.raises(TypeError, match="`model` must be a keras.Model"):
        training.fit("model", x, y, epochs=1)
    inputs = keras.Input(shape=(4,))
    uncompiled = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    with pytest.raises(ValueError, match="`model` must be compiled first"):
        training.fit(uncompiled, x, y, epochs=1)


def test_compact_progress_validates():
    with pytest.raises(ValueError, match="`every` must be at least 1"):
        training.compact_progress(every=0)
    with pytest.raises(TypeError, match="`label` must be a string"):
        training.compact_progress(label=3)


def test_fit_keeps_epoch_seconds_without_progress(capsys):
    model = tiny_model()
    x, y = tiny_data()
    result = training.fit(model, x, y, epochs=2, progress=False)
    assert capsys.readouterr().out == ""
    assert len(result.epoch_seconds) == 2


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"epochs": 10**9}, ValueError, "`epochs` must be at most"),
        ({"batch_size": 10**9}, ValueError, "`batch_size` must be at most"),
        ({"x": np.full((64, 4), np.nan)}, ValueError, "`x` must contain only finite"),
        ({"x": np.array(["a"] * 64)}, TypeError, "`x` must hold numbers"),
    ],
)
def test_fit_refuses_huge_sizes_and_non_numbers(change, error, message):
    x, y = tiny_data()
    arguments = {"x": x, "y": y, "epochs": 1}
    arguments.update(change)
    with pytest.raises(error, match=message):
        training.fit(tiny_model(), **arguments)


def test_predict_classes_and_accuracy_agree_with_keras():
    training.set_seed(0)
    model = tiny_model()
    x, y = tiny_data(rows=70)
    expected = model.predict(x, verbose=0).argmax(axis=1)
    classes = training.predict_classes(model, x, batch_size=16)
    assert classes.dtype == np.int64 and classes.shape == (70,)
    np.testing.assert_array_equal(classes, expected)
    assert training.accuracy(model, x, y) == pytest.approx(np.mean(expected == y))
    with pytest.raises(ValueError, match="`x` and `y` must have the same number"):
        training.accuracy(model, x, y[:5])
    with pytest.raises(TypeError, match="`y` must be an array"):
        training.accuracy(model, x, None)
    with pytest.raises(TypeError, match="`model` must be a keras.Model"):
        training.accuracy(y, y, y)
    with pytest.raises(TypeError, match="`model` must be a keras.Model"):
        training.predict_classes("model", x)
    with pytest.raises(ValueError, match="`batch_size` must be at least 1"):
        training.predict_classes(model, x, batch_size=0)


def test_predict_classes_reads_one_output_unit_as_a_probability():
    import keras

    inputs = keras.Input(shape=(1,))
    model = keras.Model(inputs, keras.layers.Activation("sigmoid")(inputs))
    classes = training.predict_classes(model, np.array([[-2.0], [3.0], [0.5]]))
    assert list(classes) == [0, 1, 1]


def test_label_accuracy_and_stopwatch():
    assert training.label_accuracy([0, 1, 2, 2], [0, 1, 1, 2]) == 0.75
    with pytest.raises(
        ValueError, match="`y_true` and `y_pred` must have the same number of rows"
    ):
        training.label_accuracy([0, 1], [0])
    with pytest.raises(TypeError, match="`y_pred` must hold whole numbers"):
        training.label_accuracy([0, 1], [0.5, 1])
    with training.Stopwatch() as watch:
        sum(range(1000))
    assert watch.seconds >= 0


def test_inputs_that_do_not_fit_the_model_are_named():
    model = tiny_model()
    x, y = tiny_data()
    with pytest.raises(ValueError, match=r"`x` must have the shape .* \(rows, 4\)"):
        training.fit(model, x[:, :3], y, epochs=1)
    with pytest.raises(ValueError, match="`validation_data\\[0\\]` must have the"):
        training.fit(model, x, y, epochs=1, validation_data=(x[:, :3], y))
    with pytest.raises(ValueError, match="`validation_data\\[1\\]` must have rows"):
        training.fit(model, x, y, epochs=1, validation_data=(x, y[:, None]))
    with pytest.raises(ValueError, match="`x` must have the shape"):
        training.predict_classes(model, x[:, None, :])
    with pytest.raises(ValueError, match="`y` must hold class numbers"):
        training.accuracy(model, x, -y - 1)
