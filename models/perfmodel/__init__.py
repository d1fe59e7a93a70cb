"""perfmodel: PD-Swap's analytic latency / resource model, DSE and paper-scale projection.

* ``hw``        platform, static-region and RM parameters (from the RTL), XCK26 budget
* ``blocks``    per-block cycle models (TLMM, element-wise, DMA / HP ports)
* ``rm``        prefill / decode attention RM cycle models
* ``system``    token timeline: TTFT, decode steps, swap time and overlap
* ``equations`` the paper's equations with f and g derived from the RTL parameters
* ``resources`` structural cost model + XCK26 budget check; ``yosys`` the yosys flow
* ``dse``       design-space exploration with the paper's fallback step
* ``calibrate`` model vs RTL-measured cycles (reports/bench.json)
* ``project``   paper-scale projection; ``report`` reports/perf.md
Method and assumptions: docs/perf-model.md.  CLI: ``python -m perfmodel {dse,project,calibrate,equations}``.
"""

from .hw import (
    BENCH,
    KV260,
    XCK26,
    DecodeRM,
    Design,
    Platform,
    PrefillRM,
    Resources,
    StaticConfig,
    TlmmParams,
    baseline_design,
    pdswap_design,
)

__all__ = ["BENCH", "KV260", "XCK26", "DecodeRM", "Design", "Platform", "PrefillRM", "Resources",
           "StaticConfig", "TlmmParams", "baseline_design", "pdswap_design"]
