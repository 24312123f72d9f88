"""The fast path of block sums (country confidence) against NumPy's reduceat: the same bits."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.record.recorder import block_sums


@pytest.mark.parametrize("k", range(1, 12))
@pytest.mark.parametrize("axis", [-1, -2])
def test_block_sums_are_reduceats_bits(k, axis):
    rng = np.random.default_rng(k)
    m = 7 * k
    x = rng.random((3, 2, m, m)) * rng.random((3, 2, m, m)) * 1e3
    starts = np.arange(0, m, k)
    assert np.array_equal(block_sums(x, starts, axis), np.add.reduceat(x, starts, axis=axis))


def test_block_sums_of_unequal_blocks_are_reduceat():
    x = np.random.default_rng(0).random((4, 9, 9))
    starts = np.array([0, 2, 5])
    assert np.array_equal(block_sums(x, starts, -1), np.add.reduceat(x, starts, axis=-1))
