"""bitnet_golden: numpy golden model of BitNet b1.58 for pdswap (float reference + RTL integer path).

The integer path is the numerics contract of docs/numerics.md; every RTL block is checked against
the functions of ``ops_int`` bit for bit.
"""

from .model import FloatModel, IntModel, generate, sample
from .shapes import SHAPES, ModelShape, get_shape
from .weights import ModelWeights, random_weights

__all__ = ["SHAPES", "FloatModel", "IntModel", "ModelShape", "ModelWeights", "generate",
           "get_shape", "random_weights", "sample"]
