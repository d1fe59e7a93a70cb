"""Float reference vs integer path: the error figures quoted in docs/numerics.md and `make bench`."""

from __future__ import annotations

import numpy as np

from .fixedpoint import Q
from .model import FloatModel, IntModel
from .shapes import get_shape
from .weights import random_weights


def float_vs_int(shape: str, n_prompts: int = 100, prompt_len: int = 16, seed: int = 0
                 ) -> dict[str, float]:
    """Run both paths on random prompts; compare final-norm hidden states and next-token argmax."""
    w = random_weights(get_shape(shape), seed=seed)
    rng = np.random.default_rng(seed + 1)
    cos_all, agree, agree_all, rel = [], [], [], []
    for _ in range(n_prompts):
        toks = rng.integers(0, w.shape.vocab, size=prompt_len)
        im, fm = IntModel(w), FloatModel(w)
        im.reset()
        fm.reset()
        hi = im.forward(toks) / 2.0**Q
        hf = fm.forward(toks)
        cos_all.append(np.sum(hi * hf, axis=1) / (np.linalg.norm(hi, axis=1) * np.linalg.norm(hf, axis=1)))
        rel.append(np.linalg.norm(hi - hf, axis=1) / np.linalg.norm(hf, axis=1))
        ti = np.argmax(im.logits(hi * 2.0**Q), axis=1)
        tf = np.argmax(fm.logits(hf), axis=1)
        agree.append(int(ti[-1] == tf[-1]))       # the next token after the prompt
        agree_all.append(ti == tf)                # every position's next-token prediction
    c = np.concatenate(cos_all)
    return {
        f"golden_cosine_min_{shape}": float(c.min()),
        f"golden_cosine_mean_{shape}": float(c.mean()),
        f"golden_rel_l2_mean_{shape}": float(np.concatenate(rel).mean()),
        f"golden_top1_agreement_{shape}": float(np.mean(agree)),
        f"golden_top1_agreement_allpos_{shape}": float(np.mean(np.concatenate(agree_all))),
    }


def main() -> None:
    for shape in ("tiny", "small"):
        for k, v in float_vs_int(shape).items():
            print(f"{k:36s} {v:.6f}")


if __name__ == "__main__":
    main()
