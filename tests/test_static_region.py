"""static_region: BitNet layers (prefill + decode) through the RTL, bit-exact vs golden; errors."""

from __future__ import annotations

from tb.common.runner import run
from tb.static_region.test_static_region import BLOCK


def test_static_region(seed: int) -> None:
    run(BLOCK, seed=seed)


def test_static_region_bad_params_fail_elaboration() -> None:
    """N_HEADS * HEAD_DIM != D stops elaboration with a message naming the values."""
    import pytest

    from tb.common.runner import build

    with pytest.raises(RuntimeError, match="N_HEADS\\*HEAD_DIM == D"):
        build(BLOCK, {"N_HEADS": 3})
