"""DIET's step through its concrete function gives what the tf.function gives."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from rasa.utils.tensorflow.models import RasaModel

from bot.rasa_speedups import tf_predict


def _step(batch: tuple[np.ndarray, ...]) -> tf.types.experimental.GenericFunction:
    """A tf.function shaped like Rasa's: one signature with free leading dimensions."""

    def predict(batch_in: list[tf.Tensor]) -> dict[str, tf.Tensor]:
        return {"scores": tf.reduce_sum(batch_in[0], axis=-1) * tf.cast(batch_in[1], tf.float32)}

    return tf.function(predict, input_signature=RasaModel._dynamic_signature(batch))


def _batch(rows: int, dtype: type = np.float32) -> tuple[np.ndarray, ...]:
    values = np.arange(rows * 3, dtype=dtype).reshape(rows, 3)
    return values, np.full((rows,), 2, dtype=np.int64)


def test_same_outputs_for_any_batch_size() -> None:
    function = _step(_batch(1))
    step = tf_predict.ConcretePredictStep(function)
    for rows in (1, 4, 17):
        ours, theirs = step(_batch(rows)), function(_batch(rows))
        np.testing.assert_array_equal(ours["scores"].numpy(), theirs["scores"].numpy())
        assert ours["scores"].shape == (rows,)


@pytest.mark.parametrize("batch", [
    (np.ones((2, 3), np.float64), np.ones((2,), np.int64)),  # converted, as by the tf.function
    [np.ones((2, 3), np.float32), np.ones((2,), np.int32)],
])
def test_other_dtypes_are_converted_alike(batch: tuple[np.ndarray, ...]) -> None:
    function = _step(_batch(1))
    np.testing.assert_array_equal(tf_predict.ConcretePredictStep(function)(batch)["scores"],
                                  function(batch)["scores"])


@pytest.mark.parametrize("batch", [
    (np.ones((1, 2, 3), np.float32), np.ones((1,), np.int64)),  # another rank
    (np.ones((1, 3), np.float32),),  # another structure
])
def test_other_shapes_are_refused_alike(batch: tuple[np.ndarray, ...]) -> None:
    function = _step(_batch(1))
    with pytest.raises(ValueError, match="input_signature"):
        function(batch)
    with pytest.raises(ValueError, match="input_signature"):
        tf_predict.ConcretePredictStep(function)(batch)


def test_a_function_without_signature_is_left_to_rasa() -> None:
    with pytest.raises(TypeError):
        tf_predict.ConcretePredictStep(tf.function(lambda batch: batch))


def test_install_wraps_rasas_predict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RasaModel, "_rasa_predict", RasaModel._rasa_predict)  # undone afterwards
    tf_predict.install()
    assert RasaModel._rasa_predict is tf_predict._rasa_predict
