"""Where the convolutional-network chapter spends its time (Chapter 3).

Prints a Markdown section for ``benchmarks/results.md``: the seconds (wall and CPU) of
one training epoch on 4,000 digit-shaped images for the chapter's LeNet-style CNN and
an MLP of about the same size, and of one forward pass of a ``Conv2D(6, 5)`` over 256
digits in Keras, in the NumPy reference (direct loop, and im2col with one matrix
product), and as the convolution matrix product. Each number is the median of
``REPEATS`` timings after one untimed warm-up.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

IMAGES, BATCH, REPEATS = 4000, 64, 3  # the chapter's training-set and batch sizes


def timed(function) -> tuple[float, float]:
    """Median wall and CPU seconds of ``function()`` over REPEATS runs, warm."""
    function()
    walls, cpus = [], []
    for _ in range(REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return float(np.median(walls)), float(np.median(cpus))


def models() -> dict:
    """The chapter's CNN and MLP, built by ``dlcourse.keras_parts.cnn``, compiled."""
    import keras

    from dlcourse.keras_parts import cnn as parts

    keras.utils.set_random_seed(0)
    cnn, mlp = parts.lenet(), parts.pixel_mlp(56)
    for model in (cnn, mlp):
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return {
        "LeNet-style CNN (44.5k parameters)": cnn,
        "MLP, 56 hidden units (44.5k parameters)": mlp,
    }


def main() -> None:
    import keras

    from dlcourse.reference import conv

    rng = np.random.default_rng(0)
    x = rng.random((IMAGES, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, IMAGES)
    print("## Convolutional networks (Chapter 3)\n")
    onednn = os.environ["TF_ENABLE_ONEDNN_OPTS"]
    print(f"TF_ENABLE_ONEDNN_OPTS={onednn}; median of {REPEATS} after a warm-up.\n")
    print("| what | wall s | CPU s |")
    print("|---|---:|---:|")
    for name, model in models().items():
        wall, cpu = timed(
            lambda model=model: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        )
        print(
            f"| one training epoch, {name}, {IMAGES} images | {wall:.2f} | {cpu:.2f} |"
        )
    batch = x[:256]
    layer = keras.layers.Conv2D(6, 5)
    layer.build(batch.shape)
    weights = conv.ConvWeights(*layer.get_weights())
    matrix = conv.conv_matrix(weights.kernel[:, :, 0, 0], (28, 28))
    flat = batch.reshape(len(batch), -1)
    rows = [
        (
            "Conv2D(6, 5) forward, 256 digits, Keras",
            lambda: keras.ops.convert_to_numpy(layer(batch)),
        ),
        (
            "the same in NumPy, direct loop over positions",
            lambda: conv.conv2d(batch, weights),
        ),
        (
            "the same in NumPy, im2col and one matrix product",
            lambda: conv.conv2d_im2col(batch, weights),
        ),
        (
            "one filter of it as the 576 x 784 convolution matrix",
            lambda: flat @ matrix.T,
        ),
    ]
    for name, function in rows:
        wall, cpu = timed(function)
        print(f"| {name} | {wall:.4f} | {cpu:.4f} |")
    print()


if __name__ == "__main__":
    main()
