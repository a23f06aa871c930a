"""A walk over the whole public API: every bad input gets a clear, early error.

Every public function and class of every ``dlcourse`` module is discovered by walking
the package (``pkgutil``/``inspect``), so a new function is covered without anyone
remembering to add it. Each of its parameters in turn receives bad values (wrong types,
wrong ranks, NaN and infinity, empty inputs, sizes far beyond any sane limit), fixed
ones and more drawn by hypothesis, while the other arguments keep valid values. Each
call must

* raise ``TypeError`` or ``ValueError`` whose message names the parameter, never accept
  the value silently and never fail with another exception from deep inside a library;
* finish within :data:`SECONDS_PER_CALL` and allocate less than
  :data:`BYTES_PER_CALL` (traced by ``tracemalloc``), under an address-space limit of
  :data:`ADDRESS_SPACE_HEADROOM` beyond what the process holds, so that a huge size is
  refused before anything is allocated.

Valid values come from the defaults, from the type hints of simple parameters, and,
where they are not enough, from :data:`EXAMPLES`, one small entry per function. A new
public function with a required parameter and no entry fails
``test_every_public_callable_has_a_valid_example`` with a message saying what to add.

Left out, on purpose: names starting with ``_``; ``dlcourse.exercises`` (the checkers'
internals, tested property by property in their own tests); record types (NamedTuples,
dataclasses, exceptions), which hold what they are given and are checked where they
are used; methods. Parameters that legitimately take anything are in
:data:`ACCEPTS_ANYTHING`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import functools
import importlib
import inspect
import math
import pkgutil
import re
import signal
import tracemalloc
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import dlcourse

#: The longest one call may take (a refused call takes microseconds).
SECONDS_PER_CALL = 20.0
#: The most memory one call with a bad value may allocate, as traced by tracemalloc.
BYTES_PER_CALL = 256 * 2**20
#: The address space a call may add to the process before allocation fails.
ADDRESS_SPACE_HEADROOM = 3 * 2**30
#: A size far beyond any sane limit.
HUGE = 10**9
#: Packages the walk leaves out (see the module's docstring).
EXCLUDED_PACKAGES = ("dlcourse.exercises",)
#: How many values hypothesis draws per parameter, beyond the fixed bad values.
DRAWN_PER_PARAMETER = 10


# --------------------------------------------------------------------------------------
# Discovery


def _public_modules() -> tuple[list[str], dict[str, str]]:
    """The public modules' names, and the error of each one that cannot be imported."""
    names, failures = [], {}
    for info in pkgutil.walk_packages(dlcourse.__path__, "dlcourse."):
        parts = info.name.split(".")
        if any(part.startswith("_") for part in parts[1:]):
            continue
        if info.name.startswith(EXCLUDED_PACKAGES):
            continue
        try:
            importlib.import_module(info.name)
        except Exception as error:  # noqa: BLE001 - reported by its own test
            failures[info.name] = f"{type(error).__name__}: {error}"
            continue
        names.append(info.name)
    return names, failures


def _is_record(cls: type) -> bool:
    return (
        (issubclass(cls, tuple) and hasattr(cls, "_fields"))
        or dataclasses.is_dataclass(cls)
        or issubclass(cls, BaseException)
    )


def _public_callables() -> dict[str, Callable[..., Any]]:
    """Every public function and class, by ``module.name``, defined in its module."""
    found = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
                continue
            if inspect.isclass(obj) and not _is_record(obj):
                found[f"{module_name}.{name}"] = obj
            elif inspect.isfunction(obj):
                found[f"{module_name}.{name}"] = obj
    return dict(sorted(found.items()))


MODULES, IMPORT_FAILURES = _public_modules()
PUBLIC = _public_callables()


def _parameters(target: Callable[..., Any]) -> list[inspect.Parameter]:
    signature = inspect.signature(target)
    return [
        p
        for p in signature.parameters.values()
        if p.kind is not inspect.Parameter.VAR_KEYWORD and p.name != "self"
    ]


# --------------------------------------------------------------------------------------
# Valid example calls


def _rng() -> np.random.Generator:
    return np.random.default_rng(0)


def _floats(*shape: int) -> np.ndarray:
    return _rng().normal(size=shape)


def _uniforms(*shape: int) -> np.ndarray:
    return _rng().random(size=shape)


def _binary(*shape: int) -> np.ndarray:
    return (_rng().random(size=shape) < 0.5).astype(np.float64)


def _module(name: str) -> Any:
    return importlib.import_module(f"dlcourse.{name}")


def _rnn_weights(features: int = 3, units: int = 4) -> Any:
    return _module("reference.rnn").RNNWeights(
        _floats(features, units), _floats(units, units), _floats(units)
    )


def _elman_weights(features: int = 3, units: int = 4, outputs: int = 2) -> Any:
    return _module("reference.rnn").ElmanWeights(
        *_rnn_weights(features, units), _floats(units, outputs), _floats(outputs)
    )


def _jordan_weights(features: int = 3, units: int = 4, outputs: int = 2) -> Any:
    return _module("reference.rnn").JordanWeights(
        _floats(features, units),
        _floats(outputs, units),
        _floats(units),
        _floats(units, outputs),
        _floats(outputs),
    )


def _lstm_weights(features: int = 3, units: int = 4) -> Any:
    return _module("reference.lstm").LSTMWeights(
        _floats(features, 4 * units), _floats(units, 4 * units), _floats(4 * units)
    )


def _gru_weights(features: int = 3, units: int = 4) -> Any:
    return _module("reference.gru").GRUWeights(
        _floats(features, 3 * units), _floats(units, 3 * units), _floats(2, 3 * units)
    )


def _rbm_weights(visible: int = 6, hidden: int = 3) -> Any:
    return _module("reference.rbm").RBMWeights(
        _floats(visible, hidden) * 0.1, _floats(visible) * 0.1, _floats(hidden) * 0.1
    )


def _dsn_weights(inputs: int = 5, units: int = 4, outputs: int = 3) -> Any:
    return _module("reference.dsn").DSNModuleWeights(
        _floats(inputs, units), _floats(units), _floats(units, outputs)
    )


def _conv_weights(kernel: tuple[int, ...] = (3, 3, 1, 2)) -> Any:
    return _module("reference.conv").ConvWeights(_floats(*kernel), _floats(kernel[-1]))


def _targets(rows: int = 8, classes: int = 3) -> np.ndarray:
    return np.eye(classes)[np.arange(rows) % classes]


def _compiled_model() -> Any:
    import keras

    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


def _labels(rows: int = 16) -> np.ndarray:
    return np.arange(rows) % 2


def _updown_weights() -> Any:
    updown = _module("reference.updown")
    rbm = _rbm_weights(6, 3)
    return updown.UpDownWeights(
        (
            updown.DirectedWeights(
                rbm.kernel, rbm.hidden_bias, rbm.kernel.T, rbm.visible_bias
            ),
        ),
        _rbm_weights(5, 4),
    )


def _trained_rbm() -> Any:
    rbm = _module("keras_parts.rbm").RBM(3, seed=0)
    rbm.build((None, 6))
    return rbm


def _symbolic_images() -> Any:
    import keras

    return keras.Input(shape=(8, 8, 1))


def _padded_sequences() -> tuple[np.ndarray, np.ndarray]:
    x = _floats(3, 5, 2)
    lengths = np.array([5, 3, 4])
    for row, length in enumerate(lengths):
        x[row, length:] = 0.0
    return x, lengths


def _control() -> Any:
    import ipywidgets

    return {"n": ipywidgets.IntSlider(value=1)}


def _script() -> str:
    return str(inspect.getfile(_module("results")))


#: Valid example calls, by ``module.name``: the arguments a function needs beyond its
#: defaults (or that its defaults do not cover). Keep each entry small and fast; update
#: one when its function's signature changes.
EXAMPLES: dict[str, Callable[[], dict[str, Any]]] = {
    # data
    "dlcourse.data.sha256_of": lambda: {"path": _script()},
    "dlcourse.data.verify_file": lambda: {
        "path": _script(),
        "expected_sha256": _module("data").sha256_of(_script()),
    },
    "dlcourse.data.data_file": lambda: {"name": "sklearn/digits.csv.gz"},
    "dlcourse.data.stratified_split": lambda: {
        "x": _floats(20, 2),
        "y": _labels(20),
        "test_fraction": 0.5,
        "seed": 0,
    },
    "dlcourse.data.pad_sequences": lambda: {
        "sequences": [_floats(2, 3), _floats(4, 3)]
    },
    "dlcourse.data.resample_sequences": lambda: {
        "sequences": _floats(2, 4, 3),
        "lengths": np.array([2, 4]),
        "frames": 3,
    },
    # training
    "dlcourse.training.set_seed": lambda: {"seed": 0},
    "dlcourse.training.by_scale": lambda: {"quick": 1, "full": 2},
    "dlcourse.training.fit": lambda: {
        "model": _compiled_model(),
        "x": _floats(16, 4),
        "y": _labels(),
        "epochs": 1,
        "progress": False,
    },
    "dlcourse.training.predict_classes": lambda: {
        "model": _compiled_model(),
        "x": _floats(16, 4),
    },
    "dlcourse.training.accuracy": lambda: {
        "model": _compiled_model(),
        "x": _floats(16, 4),
        "y": _labels(),
    },
    "dlcourse.training.label_accuracy": lambda: {
        "y_true": _labels(),
        "y_pred": _labels()[::-1].copy(),
    },
    # plots and widgets
    "dlcourse.plots.plot_learning_curves": lambda: {
        "history": {"loss": [1.0, 0.5], "val_loss": [1.2, 0.8]}
    },
    "dlcourse.plots.plot_image_grid": lambda: {"images": _uniforms(4, 5, 5)},
    "dlcourse.plots.plot_weight_grid": lambda: {
        "weights": _floats(9, 4),
        "image_shape": (3, 3),
    },
    "dlcourse.plots.plot_confusion_matrix": lambda: {
        "y_true": _labels(),
        "y_pred": _labels()[::-1].copy(),
    },
    "dlcourse.widgets.interactive_plot": lambda: {
        "draw": lambda n: None,
        "controls": _control(),
    },
    # source and results
    "dlcourse.source.SourceCode": lambda: {"text": "x = 1"},
    "dlcourse.source.source_of": lambda: {"obj": _module("data").sha256_of},
    "dlcourse.source.show": lambda: {"objects": _module("data").sha256_of},
    "dlcourse.results.code_fingerprint": lambda: {
        "paths": [Path(inspect.getfile(_module("results")))]
    },
    "dlcourse.results.save": lambda: {
        "name": "public_api_probe",
        "data": {"accuracy": 0.5},
        "command": "make results",
        "script": _script(),
    },
    "dlcourse.results.load": lambda: {"name": "public_api_probe"},
    "dlcourse.results.provenance": lambda: {"name": "public_api_probe"},
    "dlcourse.results.is_current": lambda: {"name": "public_api_probe"},
    # reference: activations and dense
    "dlcourse.reference.activations.*": lambda: {
        "z": _floats(3, 4),
        "h": np.tanh(_floats(3, 4)),
        "activation": "tanh",
    },
    "dlcourse.reference.dense.dense": lambda: {
        "x": _floats(5, 3),
        "weights": _module("reference.dense").DenseWeights(_floats(3, 2), _floats(2)),
    },
    # reference: convolution
    "dlcourse.reference.conv.output_size": lambda: {"size": 8, "kernel_size": 3},
    "dlcourse.reference.conv.same_padding": lambda: {"size": 8, "kernel_size": 3},
    "dlcourse.reference.conv.correlate2d": lambda: {
        "image": _floats(6, 6),
        "kernel": _floats(3, 3),
    },
    "dlcourse.reference.conv.convolve2d": lambda: {
        "image": _floats(6, 6),
        "kernel": _floats(3, 3),
    },
    "dlcourse.reference.conv.pad": lambda: {
        "x": _floats(2, 6, 6, 1),
        "kernel_size": (3, 3),
    },
    "dlcourse.reference.conv.conv2d": lambda: {
        "x": _floats(2, 6, 6, 1),
        "weights": _conv_weights(),
    },
    "dlcourse.reference.conv.conv2d_im2col": lambda: {
        "x": _floats(2, 6, 6, 1),
        "weights": _conv_weights(),
    },
    "dlcourse.reference.conv.im2col": lambda: {
        "x": _floats(2, 6, 6, 1),
        "kernel_size": (3, 3),
    },
    "dlcourse.reference.conv.conv1d": lambda: {
        "x": _floats(2, 8, 3),
        "weights": _conv_weights((3, 3, 2)),
    },
    "dlcourse.reference.conv.max_pool2d": lambda: {"x": _floats(2, 6, 6, 1)},
    "dlcourse.reference.conv.average_pool2d": lambda: {"x": _floats(2, 6, 6, 1)},
    "dlcourse.reference.conv.conv_matrix": lambda: {
        "kernel": _floats(3, 3),
        "image_shape": (5, 5),
    },
    "dlcourse.reference.conv.receptive_field": lambda: {"layers": [(3, 1), (2, 2)]},
    # reference: residual block (Chapter 3b)
    "dlcourse.reference.residual.batch_norm": lambda: {
        "z": _floats(2, 3),
        "weights": _module("reference.residual").BatchNormWeights(
            *_floats(3, 3), np.ones(3)
        ),
    },
    "dlcourse.reference.residual.residual_block": lambda: {
        "x": _floats(1, 4, 4, 2),
        "weights": _module("reference.residual").ResidualWeights(
            _conv_weights((3, 3, 2, 2)),
            _module("reference.residual").BatchNormWeights(*_floats(3, 2), np.ones(2)),
            _conv_weights((3, 3, 2, 2)),
            _module("reference.residual").BatchNormWeights(*_floats(3, 2), np.ones(2)),
        ),
    },
    "dlcourse.synthetic.clips.moving_shapes": lambda: {"count": 3},
    "dlcourse.synthetic.help_families.tokenize": lambda: {"text": "a b"},
    "dlcourse.synthetic.help_families.build_vocabulary": lambda: {"texts": ["a b a"]},
    "dlcourse.synthetic.help_families.encode": lambda: {
        "texts": ["a b"],
        "vocabulary": {"a": 2},
        "length": 4,
    },
    # reference: recurrent networks
    "dlcourse.reference.rnn.rnn_step": lambda: {
        "x_t": _floats(2, 3),
        "h_prev": _floats(2, 4),
        "weights": _rnn_weights(),
    },
    "dlcourse.reference.rnn.rnn_sequence": lambda: {
        "x": _floats(2, 5, 3),
        "weights": _rnn_weights(),
    },
    "dlcourse.reference.rnn.elman_sequence": lambda: {
        "x": _floats(2, 5, 3),
        "weights": _elman_weights(),
    },
    "dlcourse.reference.rnn.bptt": lambda: {
        "x": _floats(2, 5, 3),
        "hidden": np.tanh(_floats(2, 5, 4)),
        "weights": _rnn_weights(),
        "grad_hidden": _floats(2, 5, 4),
    },
    "dlcourse.reference.rnn.elman_gradients": lambda: {
        "x": _floats(2, 5, 3),
        "targets": _floats(2, 5, 2),
        "weights": _elman_weights(),
    },
    "dlcourse.reference.rnn.jordan_step": lambda: {
        "x_t": _floats(2, 3),
        "y_prev": _floats(2, 2),
        "weights": _jordan_weights(),
    },
    "dlcourse.reference.rnn.jordan_sequence": lambda: {
        "x": _floats(2, 5, 3),
        "weights": _jordan_weights(),
    },
    "dlcourse.reference.rnn.recurrent_matrix": lambda: {
        "units": 4,
        "spectral_radius": 0.9,
    },
    "dlcourse.reference.rnn.input_gradient_norms": lambda: {
        "x": _floats(5, 3),
        "weights": _rnn_weights(),
    },
    "dlcourse.reference.rnn.clip_by_global_norm": lambda: {
        "gradients": [_floats(3, 4), _floats(4)],
        "max_norm": 1.0,
    },
    "dlcourse.reference.lstm.lstm_gates": lambda: {
        "x_t": _floats(2, 3),
        "h_prev": _floats(2, 4),
        "weights": _lstm_weights(),
    },
    "dlcourse.reference.lstm.lstm_step": lambda: {
        "x_t": _floats(2, 3),
        "state": _module("reference.lstm").LSTMState(_floats(2, 4), _floats(2, 4)),
        "weights": _lstm_weights(),
    },
    "dlcourse.reference.lstm.lstm_sequence": lambda: {
        "x": _floats(2, 5, 3),
        "weights": _lstm_weights(),
    },
    "dlcourse.reference.lstm.*_parameter_count": lambda: {"inputs": 3, "units": 4},
    "dlcourse.reference.gru.gru_gates": lambda: {
        "x_t": _floats(2, 3),
        "h_prev": _floats(2, 4),
        "weights": _gru_weights(),
    },
    "dlcourse.reference.gru.gru_step": lambda: {
        "x_t": _floats(2, 3),
        "state": _floats(2, 4),
        "weights": _gru_weights(),
    },
    "dlcourse.reference.gru.gru_sequence": lambda: {
        "x": _floats(2, 5, 3),
        "weights": _gru_weights(),
    },
    "dlcourse.reference.gru.gru_parameter_count": lambda: {"inputs": 3, "units": 4},
    # reference: restricted Boltzmann machines
    "dlcourse.reference.rbm.init_weights": lambda: {"visible": 6, "hidden": 3},
    "dlcourse.reference.rbm.energy": lambda: {
        "v": _binary(4, 6),
        "h": _binary(4, 3),
        "weights": _rbm_weights(),
    },
    "dlcourse.reference.rbm.hidden_probabilities": lambda: {
        "v": _binary(4, 6),
        "weights": _rbm_weights(),
    },
    "dlcourse.reference.rbm.visible_probabilities": lambda: {
        "h": _binary(4, 3),
        "weights": _rbm_weights(),
    },
    "dlcourse.reference.rbm.free_energy": lambda: {
        "v": _binary(4, 6),
        "weights": _rbm_weights(),
    },
    "dlcourse.reference.rbm.sample_bernoulli": lambda: {
        "probabilities": _uniforms(4, 3),
        "uniforms": _uniforms(4, 3),
    },
    "dlcourse.reference.rbm.cd_gradients": lambda: {
        "v0": _binary(4, 6),
        "weights": _rbm_weights(),
        "hidden_uniforms": _uniforms(4, 1, 3),
        "visible_uniforms": _uniforms(4, 1, 6),
    },
    "dlcourse.reference.rbm.cd_update": lambda: {
        "v0": _binary(4, 6),
        "weights": _rbm_weights(),
        "hidden_uniforms": _uniforms(4, 1, 3),
        "visible_uniforms": _uniforms(4, 1, 6),
        "learning_rate": 0.1,
    },
    "dlcourse.reference.rbm.gibbs_chain": lambda: {
        "v0": _binary(4, 6),
        "weights": _rbm_weights(),
        "hidden_uniforms": _uniforms(4, 2, 3),
        "visible_uniforms": _uniforms(4, 2, 6),
    },
    "dlcourse.reference.rbm.pseudo_log_likelihood": lambda: {
        "v": _binary(4, 6),
        "weights": _rbm_weights(),
        "flip_indices": np.array([0, 1, 2, 3]),
    },
    "dlcourse.reference.rbm.log_partition": lambda: {"weights": _rbm_weights()},
    "dlcourse.reference.rbm.ais_log_partition": lambda: {
        "weights": _rbm_weights(),
        "base_visible_bias": _floats(6) * 0.1,
        "betas": np.linspace(0.0, 1.0, 5),
        "chains": 3,
    },
    "dlcourse.reference.rbm.base_rate_visible_bias": lambda: {"v": _binary(4, 6)},
    "dlcourse.reference.rbm.log_likelihood": lambda: {
        "v": _binary(4, 6),
        "weights": _rbm_weights(),
    },
    # reference: the up-down algorithm (Chapter 4)
    "dlcourse.reference.updown.untie": lambda: {
        "rbms": [_rbm_weights(6, 3)],
        "top": _rbm_weights(5, 4),
    },
    "dlcourse.reference.updown.top_down": lambda: {
        "top_states": _binary(4, 4),
        "top": _rbm_weights(5, 4),
        "labels": 2,
    },
    "dlcourse.reference.updown.top_cd_gradients": lambda: {
        "penultimate": _uniforms(4, 3),
        "y": np.eye(2)[[0, 1, 1, 0]],
        "top": _rbm_weights(5, 4),
        "gibbs_steps": 1,
        "rng": _rng(),
    },
    "dlcourse.reference.updown.updown_step": lambda: {
        "v": _binary(4, 6),
        "y": _labels(4),
        "weights": _updown_weights(),
        "gibbs_steps": 1,
        "learning_rate": 0.1,
        "rng": _rng(),
    },
    "dlcourse.reference.updown.label_free_energies": lambda: {
        "v": _binary(4, 6),
        "weights": _updown_weights(),
    },
    "dlcourse.reference.updown.classify": lambda: {
        "v": _binary(4, 6),
        "weights": _updown_weights(),
    },
    "dlcourse.reference.updown.generate": lambda: {
        "y": _labels(3),
        "weights": _updown_weights(),
        "gibbs_steps": 2,
        "rng": _rng(),
    },
    "dlcourse.reference.updown.top_cd_epoch": lambda: {
        "penultimate": _uniforms(4, 3),
        "y": _labels(4),
        "top": _rbm_weights(5, 4),
        "batch": 2,
        "gibbs_steps": 1,
        "learning_rate": 0.1,
        "rng": _rng(),
    },
    "dlcourse.reference.updown.updown_epoch": lambda: {
        "v": _binary(4, 6),
        "y": _labels(4),
        "weights": _updown_weights(),
        "batch": 2,
        "gibbs_steps": 1,
        "learning_rate": 0.1,
        "rng": _rng(),
    },
    # reference: deep stacking networks
    "dlcourse.reference.dsn.one_hot": lambda: {"labels": _labels(8), "classes": 3},
    "dlcourse.reference.dsn.hidden_layer": lambda: {
        "x": _floats(8, 5),
        "kernel": _floats(5, 4),
        "bias": _floats(4),
    },
    "dlcourse.reference.dsn.upper_statistics": lambda: {
        "h": _uniforms(8, 4),
        "t": _targets(),
    },
    "dlcourse.reference.dsn.upper_from_statistics": lambda: {
        "gram": np.eye(4) + 0.1,
        "cross": _floats(4, 3),
        "lam": 1.0,
    },
    "dlcourse.reference.dsn.upper_weights": lambda: {
        "h": _uniforms(8, 4),
        "t": _targets(),
        "lam": 1.0,
    },
    "dlcourse.reference.dsn.objective": lambda: {
        "h": _uniforms(8, 4),
        "t": _targets(),
        "upper": _floats(4, 3),
        "lam": 1.0,
    },
    "dlcourse.reference.dsn.stacked_input": lambda: {
        "x": _floats(8, 5),
        "previous_outputs": [_floats(8, 3)],
    },
    "dlcourse.reference.dsn.module_output": lambda: {
        "x": _floats(8, 5),
        "weights": _dsn_weights(),
    },
    "dlcourse.reference.dsn.lower_gradient": lambda: {
        "x": _floats(8, 5),
        "t": _targets(),
        "kernel": _floats(5, 4),
        "bias": _floats(4),
        "lam": 1.0,
    },
    "dlcourse.reference.dsn.pseudo_inverse_gradient": lambda: {
        "x": _floats(8, 5),
        "t": _targets(),
        "kernel": _floats(5, 4),
        "bias": _floats(4),
    },
    "dlcourse.reference.dsn.init_module": lambda: {
        "inputs": 5,
        "units": 4,
        "outputs": 3,
    },
    "dlcourse.reference.dsn.fit_module": lambda: {
        "x": _floats(8, 5),
        "t": _targets(),
        "units": 4,
        "lam": 1.0,
    },
    "dlcourse.reference.dsn.fit_dsn": lambda: {
        "x": _floats(8, 5),
        "t": _targets(),
        "num_modules": 2,
        "units": 4,
        "lam": 1.0,
    },
    "dlcourse.reference.retrieval.tokens": lambda: {"text": "a cat sat"},
    "dlcourse.reference.retrieval.term_counts": lambda: {
        "texts": ["a cat", "a dog"],
        "vocabulary": {"a": 0, "cat": 1, "dog": 2},
    },
    "dlcourse.reference.retrieval.bm25_scores": lambda: {
        "query_counts": np.array([[1.0, 0.0, 1.0]]),
        "document_counts": np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 1.0]]),
    },
    "dlcourse.reference.retrieval.tfidf_cosine": lambda: {
        "query_counts": np.array([[1.0, 0.0, 1.0]]),
        "document_counts": np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 1.0]]),
    },
    "dlcourse.reference.retrieval.average_precision": lambda: {
        "scores": np.array([0.3, 0.9, 0.1]),
        "relevant": np.array([1, 0, 1]),
    },
    "dlcourse.reference.retrieval.ndcg_at_k": lambda: {
        "scores": np.array([0.3, 0.9, 0.1]),
        "relevant": np.array([1, 0, 1]),
        "k": 2,
    },
    "dlcourse.reference.dsn.predict_dsn": lambda: {
        "x": _floats(8, 5),
        "modules": [_dsn_weights()],
    },
    "dlcourse.reference.ngram.ngram_bits_per_character": lambda: {
        "train_codes": np.arange(40) % 5,
        "test_codes": np.arange(12) % 5,
        "order": 2,
        "alphabet_size": 5,
    },
    "dlcourse.reference.ngram.ngram_surprise_bits": lambda: {
        "train_codes": np.arange(40) % 5,
        "test_codes": np.arange(12) % 5,
        "order": 2,
        "alphabet_size": 5,
    },
    "dlcourse.reference.language_model.surprise_bits": lambda: {
        "logits": _floats(3, 5),
        "targets": np.array([0, 4, 2]),
    },
    "dlcourse.reference.language_model.bits_per_character": lambda: {
        "logits": _floats(3, 5),
        "targets": np.array([0, 4, 2]),
    },
    "dlcourse.reference.language_model.temperature_probabilities": lambda: {
        "logits": _floats(3, 5),
        "temperature": 0.5,
    },
    "dlcourse.reference.language_model.sample_with_temperature": lambda: {
        "logits": _floats(3, 5),
        "temperature": 0.5,
        "uniform": np.array([0.1, 0.5, 0.9]),
    },
    # synthetic data
    "dlcourse.synthetic.*.adding_problem": lambda: {"count": 4, "length": 10},
    "dlcourse.synthetic.delay.delay_task": lambda: {"count": 4, "lag": 2},
    "dlcourse.synthetic.delay.delay_stream": lambda: {
        "streams": 2,
        "steps": 8,
        "lag": 2,
    },
    "dlcourse.synthetic.pen.draw_letter": lambda: {"letter": "c", "rng": _rng()},
    "dlcourse.synthetic.pen.pen_trajectories": lambda: {"per_letter": 2},
    # sequence models (chapter 1b)
    "dlcourse.synthetic.orbit.orbits": lambda: {"count": 2, "steps": 5},
    "dlcourse.reference.generation.*": lambda: {
        "components": 2,
        "outputs": _floats(3, 11),
        "movements": _floats(3, 2),
        "stops": np.array([0.0, 1.0, 0.0]),
        "rng": _rng(),
        "targets": _floats(2, 4, 3),
        "previous": _floats(2, 4, 2),
        "first": _floats(2, 2),
        "weights": _jordan_weights(),
        "steps": 3,
    },
    "dlcourse.reference.generation.step_gaussian_outputs": lambda: {
        "movements": _floats(4, 3, 2),
        "lengths": np.array([1, 2, 3, 3]),
        "labels": np.array([0, 1, 0, 1]),
        "classes": 2,
    },
    "dlcourse.keras_parts.sequence_models.*": lambda: {
        "units": 4,
        "outputs": 2,
        "classes": 3,
        "components": 2,
        "movements": _floats(3, 4, 2),
        "labels": np.array([0, 1, 2]),
        "lengths": np.array([1, 2, 4]),
    },
    "dlcourse.keras_parts.sequence_models.FedBackJordan": lambda: {
        "cell": _module("keras_parts.jordan").JordanCell(4, 2)
    },
    "dlcourse.keras_parts.sequence_models.mixture_nll": lambda: {
        "outputs": _floats(3, 11),
        "movements": _floats(3, 2),
        "stops": np.array([0.0, 1.0, 0.0]),
    },
    "dlcourse.keras_parts.sequence_models.generate_strokes": lambda: {
        "model": _module("keras_parts.sequence_models").pen_generator(
            3, units=4, components=2
        ),
        "steps": 3,
    },
    # Keras parts
    "dlcourse.keras_parts.dsn.DSNModule": lambda: {"units": 4, "outputs": 3},
    "dlcourse.keras_parts.dsn.ClosedFormModule": lambda: {
        "input_dim": 5,
        "units": 4,
        "outputs": 3,
    },
    "dlcourse.keras_parts.dsn.DeepStackingNetwork": lambda: {
        "input_dim": 5,
        "outputs": 3,
        "units": 4,
        "num_modules": 2,
    },
    "dlcourse.keras_parts.jordan.JordanCell": lambda: {"units": 4, "output_units": 2},
    "dlcourse.keras_parts.language_model.char_language_model": lambda: {
        "alphabet_size": 5,
        "units": 4,
        "embedding": 3,
    },
    "dlcourse.keras_parts.language_model.training_windows": lambda: {
        "codes": np.arange(40) % 5,
        "window": 4,
        "count": 3,
        "rng": _rng(),
    },
    "dlcourse.keras_parts.language_model.held_out_logits": lambda: {
        "model": _module("keras_parts.language_model").char_language_model(5, 4, 3),
        "codes": np.arange(40) % 5,
        "pieces": 2,
    },
    "dlcourse.keras_parts.language_model.model_weights": lambda: {
        "model": _module("keras_parts.language_model").char_language_model(5, 4, 3),
    },
    "dlcourse.keras_parts.language_model.learning_recorder": lambda: {
        "validation_codes": np.arange(40) % 5,
        "pieces": 2,
        "every": 2,
        "sample_at": (2,),
        "prompt_codes": np.array([1, 2]),
        "temperatures": (0.5, 1.0),
        "sample_length": 3,
        "seed": 0,
    },
    "dlcourse.keras_parts.language_model.sample_text": lambda: {
        "model": _module("keras_parts.language_model").char_language_model(5, 4, 3),
        "prompt_codes": np.array([1, 2]),
        "temperatures": np.array([0.5, 1.0]),
        "length": 3,
        "rng": _rng(),
    },
    "dlcourse.keras_parts.rbm.RBM": lambda: {"units": 3},
    "dlcourse.keras_parts.rbm.FreeEnergyGap": lambda: {
        "train_sample": _binary(4, 6),
        "heldout_sample": _binary(4, 6),
    },
    "dlcourse.keras_parts.cnn.conv_block": lambda: {
        "tensor": _symbolic_images(),
        "filters": 2,
        "name": "block",
    },
    "dlcourse.keras_parts.cnn.pixel_mlp": lambda: {"hidden": 4},
    "dlcourse.keras_parts.cnn.stack_3x3_block": lambda: {
        "tensor": _symbolic_images(),
        "filters": 2,
        "name": "block",
    },
    "dlcourse.keras_parts.cnn.residual_block": lambda: {
        "tensor": _symbolic_images(),
        "name": "block",
    },
    "dlcourse.keras_parts.cnn.small_resnet": lambda: {"width": 2},
    "dlcourse.keras_parts.cnn.text_cnn": lambda: {
        "vocabulary": 20,
        "length": 8,
        "classes": 3,
        "embedding": 2,
        "filters": 2,
    },
    "dlcourse.keras_parts.cnn.clip_cnn_3d": lambda: {
        "clip": (5, 8, 8),
        "classes": 3,
        "filters": 2,
    },
    "dlcourse.keras_parts.cnn.clip_cnn_per_frame": lambda: {
        "clip": (5, 8, 8),
        "classes": 3,
        "filters": 2,
    },
    "dlcourse.keras_parts.cnn.multiply_adds": lambda: {"model": _compiled_model()},
    "dlcourse.keras_parts.cnn.compile_adam": lambda: {
        "model": _compiled_model(),
        "steps": 10,
    },
    "dlcourse.keras_parts.cnn.speaker_cnn": lambda: {
        "frames": (29, 12),
        "filters": 4,
        "speakers": 9,
    },
    "dlcourse.keras_parts.cnn.speaker_gru": lambda: {
        "frames": (29, 12),
        "units": 4,
        "speakers": 9,
    },
    "dlcourse.keras_parts.sequence_classifiers.frame_scaling": lambda: dict(
        zip(("x", "lengths"), _padded_sequences(), strict=True)
    ),
    "dlcourse.keras_parts.sequence_classifiers.standardise_frames": lambda: {
        **dict(zip(("x", "lengths"), _padded_sequences(), strict=True)),
        "scaling": _module("keras_parts.sequence_classifiers").frame_scaling(
            *_padded_sequences()
        ),
    },
    "dlcourse.keras_parts.sequence_classifiers.sequence_classifier": lambda: {
        "kind": "elman",
        "features": 3,
        "classes": 2,
        "units": 4,
    },
    "dlcourse.keras_parts.sequence_classifiers.row_classifier": lambda: {
        "variant": "bidirectional",
        "units": 4,
    },
    "dlcourse.keras_parts.sequence_classifiers.stream_tagger": lambda: {
        "window": 4,
        "streams": 2,
        "stateful": True,
        "units": 3,
    },
    "dlcourse.keras_parts.sequence_classifiers.stream_windows": lambda: {
        "x": np.zeros((2, 8, 1)),
        "window": 4,
    },
    "dlcourse.keras_parts.sequence_classifiers.stream_position_accuracy": lambda: {
        "model": _module("keras_parts.sequence_classifiers").stream_tagger(
            4, 2, stateful=True, units=3
        ),
        "x": np.ones((2, 8, 1)),
        "y": np.ones((2, 8, 1)),
        "window": 4,
    },
    "dlcourse.keras_parts.gated_classifiers.gated_classifier": lambda: {
        "layer": "GRU",
        "features": 3,
        "classes": 2,
        "units": 4,
    },
    "dlcourse.keras_parts.gated_classifiers.train_for_steps": lambda: {
        "model": _module("keras_parts.gated_classifiers").gated_classifier(
            "GRU", 3, 2, units=4
        ),
        "x": _floats(4, 5, 3),
        "y": _labels(4),
        "steps": 1,
        "batch_size": 2,
        "seed": 0,
    },
    "dlcourse.keras_parts.gated_classifiers.resampled_gestures": lambda: {
        "x": _floats(2, 6, 1),
        "lengths": np.array([3, 6]),
        "frames": 4,
        "mean": 0.0,
        "spread": 1.0,
    },
    "dlcourse.keras_parts.captioning.teacher_forcing": lambda: {
        "captions": np.array([[1, 3, 2, 0], [1, 3, 4, 2]])
    },
    "dlcourse.keras_parts.captioning.greedy_captions": lambda: {
        "model": _module("keras_parts.captioning").captioner(16, 3, units=4),
        "images": _floats(2, 24, 24, 3),
        "start": 1,
        "end": 2,
        "length": 3,
    },
    "dlcourse.keras_parts.captioning.train_captioner": lambda: {
        "model": _module("keras_parts.captioning").captioner(16, 3, units=4),
        "images": _floats(2, 24, 24, 3),
        "captions": np.array([[1, 3, 2, 0], [1, 3, 4, 2]]),
        "epochs": 1,
        "batch_size": 2,
        "seed": 0,
    },
    "dlcourse.keras_parts.captioning.slot_classifier": lambda: {
        "slot_sizes": [2, 3],
        "units": 4,
    },
    "dlcourse.keras_parts.captioning.score_slots": lambda: {
        "predicted": np.array([[0, 1], [1, 1]]),
        "true": np.array([[0, 1], [1, 0]]),
    },
    "dlcourse.synthetic.scenes.caption_words": lambda: {"slots": [0, 1, 2, 0, 1, 3, 1]},
    "dlcourse.synthetic.scenes.parse_caption": lambda: {"tokens": np.array([1, 3, 2])},
    "dlcourse.synthetic.scenes.encode": lambda: {"words": ["a", "small"]},
    "dlcourse.synthetic.scenes.draw_scene": lambda: {
        "slots": [0, 1, 2, 0, 1, 3, 1],
        "rng": np.random.default_rng(0),
    },
    "dlcourse.synthetic.scenes.held_out_pairs": lambda: {
        "slots": np.array([[0, 0, 1, 0, 0, 0, 0]])
    },
    "dlcourse.synthetic.scenes.held_out_shapes_named": lambda: {
        "predicted": np.array([[0, 0, 1, 0, 0, 0, 0]]),
        "true": np.array([[0, 0, 1, 0, 0, 0, 0]]),
    },
    "dlcourse.reference.logmel.power_spectrogram": lambda: {
        "signal": _floats(64),
        "frame_length": 16,
        "frame_step": 8,
        "fft_length": 16,
    },
    "dlcourse.reference.logmel.mel_filterbank": lambda: {
        "mel_bins": 4,
        "spectrogram_bins": 9,
        "sample_rate": 8000.0,
        "lower_hertz": 100.0,
        "upper_hertz": 3000.0,
    },
    "dlcourse.reference.logmel.log_mel": lambda: {
        "power": _floats(5, 9) ** 2,
        "filterbank": np.abs(_floats(9, 4)),
    },
    "dlcourse.keras_parts.rbm.classifier_from_rbms": lambda: {
        "rbms": [_trained_rbm()],
        "classes": 3,
    },
}

#: Parameters that take any value by design (``module.name:parameter``, fnmatch).
ACCEPTS_ANYTHING = {
    "dlcourse.training.by_scale:*",
    "dlcourse.source.source_of:obj",  # any class or function of the package
    "dlcourse.source.show:objects",
    # any steps, none included: a step that never comes writes no sample
    "dlcourse.keras_parts.language_model.learning_recorder:sample_at",
    # keras.ops on tensors, symbolic inside a loss: not checked, like any keras.ops
    "dlcourse.keras_parts.sequence_models.mixture_nll:outputs",
    "dlcourse.keras_parts.sequence_models.mixture_nll:movements",
    "dlcourse.keras_parts.sequence_models.mixture_nll:stops",
}
#: Array parameters of any rank (the rest have a fixed rank, or a short list of them).
ANY_RANK = {
    "dlcourse.reference.activations.*:*",
    "dlcourse.training.*:x",
    "dlcourse.training.fit:y",
    "dlcourse.data.stratified_split:x",
    "dlcourse.keras_parts.*:*_sample",
    "dlcourse.reference.generation.split_mixture:outputs",  # (..., 5 K + 1)
}
#: List parameters that may be empty.
MAY_BE_EMPTY = {"dlcourse.reference.dsn.stacked_input:previous_outputs"}
#: Whole-number parameters that take negative values (an axis counts from the end).
NEGATIVE_OK = {"*:axis"}
#: Whole-number parameters that take huge values (a seed is any 32-bit number).
HUGE_OK = {"*:seed"}
#: Number parameters that are probabilities or shares, to be kept within [0, 1].
PROBABILITIES = {"*:*fraction", "*:*probabilit*", "*:p", "*:*uniforms"}
#: Number parameters that cannot be negative (rates, penalties, norms, scales).
NOT_NEGATIVE = {
    "*:*learning_rate",
    "*:lam",
    "*:*norm",
    "*:*scale",
    "*:jitter",
    "*:size",
    "*:spectral_radius",
    "*:shift",
}
#: Number parameters for which infinity means something (a border of -inf for pooling).
INFINITY_OK = {"dlcourse.reference.conv.pad:fill"}


def _matches(patterns: set[str], key: str) -> bool:
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in patterns)


def _example(name: str) -> dict[str, Any]:
    matches = [key for key in EXAMPLES if fnmatch.fnmatchcase(name, key)]
    arguments: dict[str, Any] = {}
    for key in sorted(matches, key=len):
        arguments.update(EXAMPLES[key]())
    return arguments


# A string is often one of a few choices, so it is not guessed from its hint.
_SIMPLE_HINTS = {"int": 2, "float": 0.5, "bool": True}


def valid_arguments(name: str) -> tuple[dict[str, Any], list[str]]:
    """Valid arguments for ``name`` by parameter, and the parameters that have none."""
    target = PUBLIC[name]
    example = _example(name)
    arguments, missing = {}, []
    for parameter in _parameters(target):
        if parameter.name in example:
            arguments[parameter.name] = example[parameter.name]
        elif parameter.default is not inspect.Parameter.empty:
            arguments[parameter.name] = parameter.default
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        elif str(parameter.annotation) in _SIMPLE_HINTS:
            arguments[parameter.name] = _SIMPLE_HINTS[str(parameter.annotation)]
        else:
            missing.append(parameter.name)
    return arguments, missing


# --------------------------------------------------------------------------------------
# Calling under limits


class CallOutcome(NamedTuple):
    """What one call did: the exception (or ``None``), seconds and peak traced bytes."""

    error: BaseException | None
    seconds: float
    peak_bytes: int


class _TimeLimit(BaseException):
    """Raised in the middle of a call that ran past its time limit."""


@contextlib.contextmanager
def _address_space_limit(headroom: int) -> Iterator[None]:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on this platform
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[0])
        in_use = pages * resource.getpagesize()
    except OSError:  # pragma: no cover - no /proc
        yield
        return
    limit = in_use + headroom
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _on_alarm(signum: int, frame: Any) -> None:
    raise _TimeLimit()


def limited_call(
    target: Callable[..., Any],
    arguments: dict[str, Any],
    *,
    seconds: float = SECONDS_PER_CALL,
    headroom: int = ADDRESS_SPACE_HEADROOM,
) -> CallOutcome:
    """Call ``target(**arguments)`` under a time limit and an address-space limit."""
    import matplotlib.pyplot as plt

    positional = []
    keywords = dict(arguments)
    for parameter in _parameters(target):
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            value = keywords.pop(parameter.name, ())
            positional = list(value) if isinstance(value, tuple) else [value]
        elif parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            positional.append(keywords.pop(parameter.name))
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    tracemalloc.start(1)
    started = __import__("time").perf_counter()
    error: BaseException | None = None
    try:
        with _address_space_limit(headroom):
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                target(*positional, **keywords)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except _TimeLimit as limit:
        error = limit
    except Exception as raised:  # noqa: BLE001 - judged by the caller
        error = raised
    finally:
        elapsed = __import__("time").perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        signal.signal(signal.SIGALRM, previous)
        plt.close("all")
    return CallOutcome(error, elapsed, peak)


# --------------------------------------------------------------------------------------
# Bad values


class Bad(NamedTuple):
    """A bad value for a parameter, and what it is (for the failure message)."""

    label: str
    value: Any


def _with(array: np.ndarray, value: Any) -> np.ndarray:
    changed = np.array(array, dtype=np.float64, copy=True)
    changed.flat[changed.size // 2] = value
    return changed


def _is_keras(value: Any) -> bool:
    module = type(value).__module__
    return module.startswith(("keras", "dlcourse.keras_parts"))


def _kind(value: Any) -> str:
    """The kind of a valid value, which decides what a bad value for it is."""
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | np.integer):
        return "int"
    if isinstance(value, float | np.floating):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, np.ndarray):
        return "array"
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return "record"
    if isinstance(value, tuple) and value and all(type(v) is int for v in value):
        return "int_tuple"
    if isinstance(value, list):
        return "list"
    if isinstance(value, Mapping):
        return "mapping"
    if _is_keras(value):
        return "object"
    if callable(value):
        return "callable"
    return "object"


def _kind_from_hint(parameter: inspect.Parameter) -> str:
    """The kind of a parameter whose valid value is ``None``, from its type hint."""
    hint = str(parameter.annotation)
    if re.search(r"\bint\b", hint) and "ndarray" not in hint:
        return "int"
    if re.search(r"\bfloat\b", hint):
        return "float"
    if "ndarray" in hint or "ArrayLike" in hint:
        return "array_or_none"
    return "none_default"


def fixed_bad_values(key: str, parameter: inspect.Parameter, valid: Any) -> list[Bad]:
    """The fixed bad values for a parameter whose valid value is ``valid``."""
    kind = _kind(valid) if valid is not None else _kind_from_hint(parameter)
    optional = valid is None or parameter.default is None
    bad: list[Bad] = [] if optional else [Bad("None", None)]
    if kind in {"int", "float"}:
        bad += [
            Bad("a string", "3"),
            Bad("a dict", {"a": 1}),
            Bad("True", True),
            Bad("NaN", math.nan),
        ]
        if not _matches(INFINITY_OK, key):
            bad.append(Bad("infinity", math.inf))
        if kind == "int":
            bad.append(Bad("a fraction", 2.5))
            if not _matches(NEGATIVE_OK, key):
                bad.append(Bad("-1", -1))
            if not _matches(HUGE_OK, key):
                bad.append(Bad(f"{HUGE:,}", HUGE))
        if kind == "float" and not _matches(INFINITY_OK, key):
            bad.append(Bad("-infinity", -math.inf))
        if _matches(PROBABILITIES, key):
            bad += [Bad("1.5 (not a probability)", 1.5), Bad("-0.5", -0.5)]
        elif kind == "float" and _matches(NOT_NEGATIVE, key):
            bad.append(Bad("-1.0", -1.0))
    elif kind == "bool":
        bad += [Bad("a string", "yes"), Bad("a fraction", 0.5), Bad("a dict", {})]
    elif kind == "str":
        bad += [Bad("a number", 3), Bad("bytes", b"a"), Bad("a list", ["a"])]
    elif kind == "array":
        bad += [
            Bad("a string", "abc"),
            Bad("a dict", {"a": 1}),
            Bad("ragged lists", [[1.0, 2.0], [3.0]]),
            Bad("an array of strings", np.full(valid.shape, "a")),
        ]
        if valid.size:
            bad += [Bad("NaN inside", _with(valid, np.nan))]
            bad += [Bad("infinity inside", _with(valid, np.inf))]
        if valid.ndim and valid.shape[0]:
            bad.append(Bad("an empty array", valid[:0].copy()))
        if _matches(PROBABILITIES, key):
            bad.append(Bad("1.5 inside (not a probability)", _with(valid, 1.5)))
        if not _matches(ANY_RANK, key):
            if valid.ndim:
                bad.append(Bad("a 0-d array", np.asarray(valid.flat[0])))
            bad.append(Bad("one dimension too many", valid[None].copy()))
    elif kind == "array_or_none":
        bad += [Bad("a string", "abc"), Bad("a dict", {"a": 1})]
    elif kind == "record":
        bad += [Bad("a string", "abc"), Bad("a dict", {"a": 1}), Bad("a number", 3)]
        fields = list(valid)
        if fields and isinstance(fields[0], np.ndarray) and fields[0].size:
            nan_first = type(valid)(_with(fields[0], np.nan), *fields[1:])
            bad.append(Bad(f"NaN inside .{valid._fields[0]}", nan_first))
            if not _matches(ANY_RANK, key):
                bad.append(
                    Bad(
                        f"a 0-d .{valid._fields[0]}",
                        type(valid)(np.asarray(fields[0].flat[0]), *fields[1:]),
                    )
                )
    elif kind == "int_tuple":
        first = valid[0]
        bad += [
            Bad("a string", "ab"),
            Bad("an empty tuple", ()),
            Bad("a dict", {"a": 1}),
            Bad("a tuple with a fraction", (2.5, *valid[1:])),
            Bad("a tuple with -1", (-1, *valid[1:])),
            Bad("a tuple of huge sizes", tuple(HUGE for _ in valid)),
            Bad("a tuple one too long", (*valid, first)),
        ]
    elif kind == "list":
        bad += [Bad("a string", "abc"), Bad("a dict", {"a": 1}), Bad("a number", 3)]
        if not _matches(MAY_BE_EMPTY, key):
            bad.append(Bad("an empty list", []))
        bad.append(Bad("a list holding None", [None, *valid[1:]]))
        if valid and isinstance(valid[0], np.ndarray) and valid[0].size:
            bad.append(Bad("NaN inside the first item", [_with(valid[0], np.nan)]))
    elif kind == "mapping":
        bad += [
            Bad("a string", "abc"),
            Bad("a list", [1, 2]),
            Bad("a number", 3),
            Bad("an empty dict", {}),
        ]
        if valid:
            bad.append(Bad("a dict of objects", {key: object() for key in valid}))
    elif kind in {"callable", "object"}:
        bad += [Bad("a string", "abc"), Bad("a number", 3), Bad("a dict", {"a": 1})]
    return bad


def drawn_bad_values(key: str, parameter: inspect.Parameter, valid: Any) -> Any:
    """A hypothesis strategy of more bad values of the same kinds as the fixed ones."""
    kind = _kind(valid) if valid is not None else _kind_from_hint(parameter)
    words = st.text(min_size=1, max_size=6)
    not_numbers = st.one_of(words, st.dictionaries(words, st.integers(), max_size=2))
    if kind == "int":
        choices = [
            not_numbers,
            st.floats(allow_nan=True).filter(lambda f: not float(f).is_integer()),
            st.booleans(),
        ]
        if not _matches(NEGATIVE_OK, key):
            choices.append(st.integers(max_value=-1))
        if not _matches(HUGE_OK, key):
            choices.append(st.integers(min_value=HUGE, max_value=10**15))
        return st.one_of(choices)
    if kind == "float":
        poison = [math.nan] if _matches(INFINITY_OK, key) else [math.nan, math.inf]
        choices = [not_numbers, st.sampled_from(poison)]
        if _matches(PROBABILITIES, key):
            choices += [
                st.floats(min_value=1.0, exclude_min=True, allow_infinity=False),
                st.floats(max_value=0.0, exclude_max=True, allow_infinity=False),
            ]
        return st.one_of(choices)
    if kind == "bool":
        return st.one_of(words, st.floats(), st.integers(min_value=2))
    if kind == "str":
        return st.one_of(st.integers(), st.floats(), st.binary(max_size=4))
    if kind == "array" and valid.size:
        position = st.integers(0, valid.size - 1)
        poison = st.sampled_from([math.nan, math.inf, -math.inf])

        def poisoned(pair: tuple[int, float]) -> np.ndarray:
            changed = np.array(valid, dtype=np.float64, copy=True)
            changed.flat[pair[0]] = pair[1]
            return changed

        return st.one_of(not_numbers, st.tuples(position, poison).map(poisoned))
    if kind == "int_tuple":
        return st.one_of(
            not_numbers,
            st.lists(st.integers(max_value=0), min_size=len(valid), max_size=len(valid))
            .filter(lambda values: min(values) < 0 or 0 in values)
            .map(tuple),
            st.lists(
                st.integers(min_value=HUGE, max_value=10**12),
                min_size=len(valid),
                max_size=len(valid),
            ).map(tuple),
        )
    return st.one_of(words, st.integers(min_value=-5))


def _names_parameter(message: str, name: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", message)


def judge(
    name: str,
    parameter: str,
    bad: Bad,
    outcome: CallOutcome,
    *,
    aliases: tuple[str, ...] = (),
) -> str | None:
    """Why the call with a bad value was wrong, or ``None`` if it was right.

    ``aliases`` are other names that identify the parameter in a message: the fields of
    a weights record (``kernel`` for ``weights.kernel``).
    """
    shown = f"{name}({parameter}={bad.label})"
    error = outcome.error
    if isinstance(error, MemoryError):
        return f"{shown} tried to allocate beyond the limit (MemoryError)"
    if outcome.peak_bytes > BYTES_PER_CALL:
        return f"{shown} allocated {outcome.peak_bytes / 2**20:.0f} MB before answering"
    if isinstance(error, _TimeLimit):
        return f"{shown} ran for more than {SECONDS_PER_CALL} s"
    if error is None:
        return f"{shown} was accepted silently"
    message = str(error)
    if type(error) not in (TypeError, ValueError) and not isinstance(
        error, TypeError | ValueError
    ):
        return f"{shown} raised {type(error).__name__}: {message[:160]}"
    if not any(_names_parameter(message, n) for n in (parameter, *aliases)):
        return (
            f"{shown} raised {type(error).__name__} without naming `{parameter}`: "
            f"{message[:160]}"
        )
    return None


# --------------------------------------------------------------------------------------
# Preparation some modules need (files to read, a folder to write into)


@pytest.fixture(autouse=True)
def _results_in_a_temporary_folder(monkeypatch, tmp_path):
    """``dlcourse.results`` writes and reads in a temporary folder, not in results/."""
    if "dlcourse.results" in MODULES:
        results = importlib.import_module("dlcourse.results")
        monkeypatch.setattr(results, "results_directory", lambda: tmp_path)
        with contextlib.suppress(Exception):
            results.save(**_example("dlcourse.results.save"))
    yield


@pytest.fixture(autouse=True)
def _quiet_figures():
    import matplotlib

    matplotlib.use("Agg")
    yield


# --------------------------------------------------------------------------------------
# The tests


@pytest.mark.parametrize("module", sorted(IMPORT_FAILURES) or ["(none)"])
def test_every_public_module_imports(module):
    assert module not in IMPORT_FAILURES, (
        f"{module} cannot be imported, so its functions are not walked: "
        f"{IMPORT_FAILURES[module]}"
    )


def test_the_walk_finds_the_public_api():
    # A floor, so that a broken discovery cannot pass by finding nothing.
    assert len(PUBLIC) >= 60, sorted(PUBLIC)
    assert "dlcourse.training.fit" in PUBLIC and "dlcourse.data.load_digits" in PUBLIC
    assert not any(name.split(".")[-1].startswith("_") for name in PUBLIC)


def test_every_example_names_a_public_callable():
    unused = [
        key
        for key in EXAMPLES
        if not any(fnmatch.fnmatchcase(name, key) for name in PUBLIC)
    ]
    importable = [key for key in unused if key.rsplit(".", 1)[0] not in IMPORT_FAILURES]
    assert not importable, (
        f"EXAMPLES has entries for functions that no longer exist: {importable}; "
        "rename or delete them in tests/test_public_api.py"
    )


@pytest.mark.parametrize("name", list(PUBLIC))
def test_every_public_callable_has_a_valid_example(name):
    arguments, missing = valid_arguments(name)
    assert not missing, (
        f"{name} has no valid example for {missing}: add an entry "
        f'"{name}": lambda: {{{", ".join(f"{m!r}: ..." for m in missing)}}} '
        "to EXAMPLES in tests/test_public_api.py"
    )
    outcome = limited_call(PUBLIC[name], arguments, seconds=120.0)
    assert outcome.error is None, (
        f"the valid example call of {name} failed with "
        f"{type(outcome.error).__name__}: {str(outcome.error)[:300]}; "
        "update its entry in EXAMPLES (tests/test_public_api.py) if the signature "
        "changed"
    )


def _cases() -> list[tuple[str, str]]:
    cases = []
    for name, target in PUBLIC.items():
        for parameter in _parameters(target):
            key = f"{name}:{parameter.name}"
            if _matches(ACCEPTS_ANYTHING, key):
                continue
            # A bare ``*args`` passed on (to a Keras base class) has nothing to test,
            # unless an example gives it a meaning.
            variadic = parameter.kind is inspect.Parameter.VAR_POSITIONAL
            if variadic and parameter.name not in _example_keys(name):
                continue
            cases.append((name, parameter.name))
    return cases


def _example_keys(name: str) -> set[str]:
    try:
        return set(_example(name))
    except Exception:  # noqa: BLE001 - a broken example fails its own test
        return set()


@functools.cache
def _parameter(name: str, parameter: str) -> inspect.Parameter:
    return next(p for p in _parameters(PUBLIC[name]) if p.name == parameter)


def _call_with(name: str, parameter: str, bad: Bad) -> str | None:
    arguments, missing = valid_arguments(name)
    if missing:
        pytest.skip(f"{name} has no valid example (see the test of examples)")
    valid = arguments[parameter] if parameter in arguments else None
    aliases = tuple(getattr(valid, "_fields", ()))
    arguments[parameter] = bad.value
    outcome = limited_call(PUBLIC[name], arguments)
    return judge(name, parameter, bad, outcome, aliases=aliases)


@pytest.mark.parametrize(("name", "parameter"), _cases())
def test_bad_values_are_refused_with_a_clear_message(name, parameter):
    arguments, missing = valid_arguments(name)
    if missing:
        pytest.skip(f"{name} has no valid example (see the test of examples)")
    key = f"{name}:{parameter}"
    signature_parameter = _parameter(name, parameter)
    valid = arguments.get(parameter)
    problems = [
        problem
        for bad in fixed_bad_values(key, signature_parameter, valid)
        if (problem := _call_with(name, parameter, bad)) is not None
    ]
    assert not problems, "\n".join(problems)

    @settings(
        max_examples=DRAWN_PER_PARAMETER,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    @given(value=drawn_bad_values(key, signature_parameter, valid))
    def refused(value):
        problem = _call_with(name, parameter, Bad(repr(value)[:60], value))
        assert problem is None, problem

    refused()


# --------------------------------------------------------------------------------------
# The harness itself


def _allocate(count: int) -> np.ndarray:
    return np.ones(count)


def _spin(seconds: float) -> None:
    import time

    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_the_harness_stops_a_call_that_runs_too_long():
    outcome = limited_call(_spin, {"seconds": 5.0}, seconds=0.2)
    assert isinstance(outcome.error, _TimeLimit) and outcome.seconds < 2
    assert "ran for more than" in judge("spin", "seconds", Bad("5", 5), outcome)


def test_the_harness_refuses_a_huge_allocation_before_it_happens():
    outcome = limited_call(_allocate, {"count": 10**11})
    assert isinstance(outcome.error, MemoryError)
    problem = judge("allocate", "count", Bad("huge", 10**11), outcome)
    assert "MemoryError" in problem


def test_the_harness_measures_what_a_call_allocates():
    outcome = limited_call(_allocate, {"count": BYTES_PER_CALL // 8 + 1024})
    assert outcome.error is None and outcome.peak_bytes >= BYTES_PER_CALL
    assert "allocated" in judge("allocate", "count", Bad("many", 1), outcome)


def test_the_judge_wants_the_parameter_named():
    unnamed = CallOutcome(ValueError("must be positive"), 0.0, 0)
    named = CallOutcome(ValueError("`units` must be positive"), 0.0, 0)
    other = CallOutcome(KeyError("units"), 0.0, 0)
    bad = Bad("-1", -1)
    assert "without naming" in judge("f", "units", bad, unnamed)
    assert judge("f", "units", bad, named) is None
    assert "raised KeyError" in judge("f", "units", bad, other)
    assert "silently" in judge("f", "units", bad, CallOutcome(None, 0.0, 0))
    field = CallOutcome(ValueError("`kernel` has NaN"), 0.0, 0)
    assert judge("f", "weights", bad, field, aliases=("kernel",)) is None
