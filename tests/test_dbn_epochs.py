"""The Keras RBM's compiled epochs (``RBM.train_epochs``) against the NumPy CD update.

With the order fixed, every batch of an epoch must make the update of
:func:`dlcourse.reference.rbm.cd_update`, given the random numbers the model's seed
stream draws, including a smaller last batch and persistent CD; bad arguments are
refused naming the parameter.
"""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.reference import rbm as ref

pytestmark = pytest.mark.dbn

keras = pytest.importorskip("keras")

from dlcourse.keras_parts.rbm import RBM  # noqa: E402

LEARNING_RATE = 0.1


def _model(visible: int, hidden: int, seed: int, **options) -> RBM:
    model = RBM(hidden, seed=seed, **options)
    model.build((None, visible))
    model.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE))
    return model


def _replay(model: RBM, x: np.ndarray, batch: int, state: np.ndarray, chains=None):
    """The NumPy updates with the random numbers the model's stream gives, in order."""
    generator = keras.random.SeedGenerator(0)
    generator.state.assign(state)
    weights = ref.RBMWeights(*(w.astype(np.float64) for w in model.get_weights()))
    for start in range(0, len(x), batch):
        v0 = x[start : start + batch].astype(np.float64)
        u_h, u_v = (
            keras.ops.convert_to_numpy(
                keras.random.uniform((len(v0), 1, units), seed=generator)
            ).astype(np.float64)
            for units in (model.units, x.shape[1])
        )
        start_v = None if chains is None else chains[: len(v0)]
        gradients = ref.cd_gradients(
            v0, weights, hidden_uniforms=u_h, visible_uniforms=u_v, chain_start=start_v
        )
        weights = ref.RBMWeights(
            *(
                w + LEARNING_RATE * g
                for w, g in zip(weights, gradients[:3], strict=False)
            )
        )
        if chains is not None:
            chains = chains.copy()
            chains[: len(v0)] = gradients.negative_visible
    return weights


@pytest.mark.parametrize(("rows", "batch"), [(12, 4), (10, 4), (5, 5)])
def test_train_epochs_makes_the_numpy_updates(rows: int, batch: int) -> None:
    rng = np.random.default_rng(rows + batch)
    x = (rng.random((rows, 9)) < 0.5).astype(np.float32)
    model = _model(9, 5, seed=3)
    state = keras.ops.convert_to_numpy(model.seed_generator.state)
    expected = _replay(model, x, batch, state)
    errors = model.train_epochs(x, 1, batch, shuffle=False)
    assert len(errors) == 1 and 0.0 < errors[0] < 1.0
    for got, want in zip(model.get_weights(), expected, strict=True):
        assert np.max(np.abs(got - want)) < 1e-5


def test_train_epochs_runs_persistent_cd_and_shuffles() -> None:
    rng = np.random.default_rng(7)
    x = (rng.random((8, 6)) < 0.5).astype(np.float32)
    model = _model(6, 4, seed=1, persistent_chains=4)
    state = keras.ops.convert_to_numpy(model.seed_generator.state)
    expected = _replay(model, x, 4, state, chains=np.zeros((4, 6)))
    model.train_epochs(x, 1, 4, shuffle=False)
    for got, want in zip(model.get_weights(), expected, strict=True):
        assert np.max(np.abs(got - want)) < 1e-5
    before = [w.copy() for w in model.get_weights()]
    assert len(model.train_epochs(x, 3, 4)) == 3  # shuffled epochs also train
    assert any(np.any(a != b) for a, b in zip(before, model.get_weights(), strict=True))


def test_train_epochs_builds_an_unbuilt_model() -> None:
    model = RBM(3, seed=0)
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    model.train_epochs(np.ones((6, 4)), 2, 3)
    assert model.visible_units == 4


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda m: m.train_epochs(np.ones((4,)), 1, 2), "`x`"),
        (lambda m: m.train_epochs(np.ones((4, 3)), 0, 2), "epochs"),
        (lambda m: m.train_epochs(np.ones((4, 3)), 1, 5), "batch_size"),
        (lambda m: m.train_epochs(np.ones((4, 3)), 1, 2, shuffle=1), "shuffle"),
        (lambda m: RBM(2).train_epochs(np.ones((4, 3)), 1, 2), "compile"),
        (
            lambda m: _model(3, 2, 0, persistent_chains=2).train_epochs(
                np.ones((4, 3)), 1, 4
            ),
            "persistent_chains",
        ),
    ],
)
def test_bad_inputs_name_the_parameter(call, match: str) -> None:
    with pytest.raises((TypeError, ValueError), match=match):
        call(_model(3, 2, 0))
