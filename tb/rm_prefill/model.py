"""Analytic and event model of rm_prefill (docs/rm_prefill.md): schedule, traffic and cycles.

* ``schedule()`` enumerates the work items exactly as ``rtl/rm_prefill/pf_sched.sv`` issues them;
  ``active_cycles()`` = items x steps per item is what the RTL's PE-active counter must show.
* ``traffic()`` gives the AXI beats per HP port exactly (KV write-out and history reads).
* ``busy_cycles()`` predicts the busy counter with an event model of the pipeline (input stream at
  one beat per cycle, DDR first-beat latency, tile/bank gating, divider + output drain);
  ``busy_cycles_closed()`` is the closed form for the compute-bound regime (pos0 = 0).
* ``naive_kv_reads()`` / ``reuse()`` compare the schedule with the naive order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SUB = 16            # keys per online-softmax block (docs/numerics.md)
DIV_LAT = 50        # seq_divider, 49-bit dividend: start -> done
PIPE_BC = 2         # stages B (scores) and C (softmax) between the QK and PV arrays


@dataclass(frozen=True)
class Params:
    """RTL parameters of rm_prefill (defaults: the tiny-shape configuration)."""

    head_dim: int = 16
    q_tile: int = 32
    kv_block: int = 32
    pe_rows: int = 1
    pe_cols: int = 16

    @property
    def dc(self) -> int:          # 16-byte beats per int8 row
        return self.head_dim // 16

    @property
    def kc(self) -> int:          # key chunks per 16-key block
        return SUB // self.pe_cols

    @property
    def nstep(self) -> int:       # cycles per item in the QK (and PV) array
        return self.dc * self.kc

    @property
    def ob(self) -> int:          # output beats per O row
        return self.head_dim // 4

    @property
    def ndiv(self) -> int:        # dividers in pf_finish
        return (DIV_LAT + 2 + self.ob - 1) // self.ob + 1

    @property
    def macs_per_cycle(self) -> int:
        return self.pe_rows * self.pe_cols * 16


@dataclass
class Item:
    tile: int                     # tile index relative to the job's first tile
    phase: int                    # 1 = DDR history, 2 = on-chip keys
    rows: tuple[int, int]         # [first, last] absolute row positions of the step (job rows)
    kpos: int                     # absolute position of the block's first key
    diag: bool
    fetch: int = -1               # history fetch index (phase 1)
    group: int = -1               # 16-row group start (phase 2/3)


@dataclass
class Fetch:
    keys: tuple[int, int]         # [a, e) absolute key positions
    local: bool                   # prologue of the first tile (else a history block)
    tile: int


@dataclass
class Schedule:
    items: list[Item] = field(default_factory=list)
    fetches: list[Fetch] = field(default_factory=list)
    tiles: list[tuple[int, int, int]] = field(default_factory=list)   # (ts, rs, re)


def _steps(lo: int, hi: int, pr: int) -> list[int]:
    """PE-row steps (aligned to pr) overlapping rows [lo, hi)."""
    return list(range(lo - lo % pr, hi, pr))


def schedule(pos0: int, q_len: int, p: Params) -> Schedule:
    """Items and fetches of one job in issue order (pf_sched.sv / the fetch walker)."""
    if q_len <= 0:
        raise ValueError("q_len must be > 0")
    t, bk, pr = p.q_tile, p.kv_block, p.pe_rows
    end = pos0 + q_len
    ts0 = pos0 - pos0 % t
    sch = Schedule()
    if pos0 > ts0:
        sch.fetches.append(Fetch((ts0, pos0), True, 0))
    ts, tr = ts0, 0
    while ts < end:
        rs, re = max(ts, pos0), min(ts + t, end)
        sch.tiles.append((ts, rs, re))
        h = ts if tr == 0 else ts - t
        steps = _steps(rs, re, pr)
        for kb in range(0, h, bk):
            ke = min(kb + bk, h)
            fi = len(sch.fetches)
            sch.fetches.append(Fetch((kb, ke), False, tr))
            for sb in range(kb, ke, SUB):
                for r in steps:
                    sch.items.append(Item(tr, 1, (max(r, rs), min(r + pr, re) - 1), sb, False,
                                          fetch=fi))
        g = rs - rs % SUB
        while g < re:
            gs, ge = max(g, rs), min(g + SUB, re)
            for sb in range(h, g + SUB, SUB):
                for r in _steps(gs, ge, pr):
                    sch.items.append(Item(tr, 2, (max(r, gs), min(r + pr, ge) - 1), sb,
                                          sb == g, group=g))
            g += SUB
        ts += t
        tr += 1
    return sch


def active_cycles(pos0: int, q_len: int, p: Params) -> int:
    """PE-active cycles: every item occupies the QK array for nstep MAC steps."""
    return len(schedule(pos0, q_len, p).items) * p.nstep


def useful_macs(pos0: int, q_len: int, head_dim: int) -> int:
    """MACs of QK^T that the causal mask keeps (query p times keys 0..p)."""
    return sum((q + 1) * head_dim for q in range(pos0, pos0 + q_len))


def traffic(pos0: int, q_len: int, p: Params) -> dict[str, int]:
    """AXI beats per port: K/V write-out (HP0/HP2) and history + prologue reads."""
    sch = schedule(pos0, q_len, p)
    rd = [0, 0, 0, 0]
    for f in sch.fetches:
        n = f.keys[1] - f.keys[0]
        n1 = n // 2
        n0 = n - n1
        rd[0] += n0 * p.dc
        rd[1] += n1 * p.dc
        rd[2] += n0 * p.dc
        rd[3] += n1 * p.dc
    out = {f"rd_hp{i}": rd[i] for i in range(4)}
    out.update(wr_hp0=q_len * p.dc, wr_hp1=0, wr_hp2=q_len * p.dc, wr_hp3=0)
    return out


# ------------------------------------------------------------------------------ reuse figures
def kv_reads_keys(pos0: int, q_len: int, p: Params) -> int:
    """Keys (K and V rows) this schedule reads from DDR."""
    return sum(f.keys[1] - f.keys[0] for f in schedule(pos0, q_len, p).fetches)


def naive_kv_reads(q_len: int, q_tile: int, kv_block: int) -> int:
    """Keys read by the naive order (pos0 = 0): for every Q tile, every KV block up to and
    including its diagonal is fetched from the cache (FlashAttention-2 loop nest, no bypass)."""
    total = 0
    for ts in range(0, q_len, q_tile):
        kend = min(ts + q_tile, q_len)
        total += kend            # keys [0, kend) in blocks of kv_block
    del kv_block
    return total


def reuse(q_len: int, p: Params) -> dict[str, float]:
    """Reuse figures of the schedule vs the naive order (pos0 = 0), see docs/rm_prefill.md.

    q_reuse        16-key blocks each Q row is applied to per load of the row (Q is loaded once,
                   from the stream, and stays on chip for all its blocks)
    kv_reread      K/V rows read from DDR per K/V row of the prompt (this schedule)
    kv_reread_naive  the same for the naive order (every tile fetches every block <= diagonal)
    kv_rows_per_fetch  query rows served by each K/V row fetched from DDR
    """
    sch = schedule(0, q_len, p)
    pairs = sum(it.rows[1] - it.rows[0] + 1 for it in sch.items)        # (row, block) pairs
    hist_pairs = sum(it.rows[1] - it.rows[0] + 1 for it in sch.items if it.phase == 1)
    ours = kv_reads_keys(0, q_len, p)
    naive = naive_kv_reads(q_len, p.q_tile, p.kv_block)
    return {
        "q_reuse": pairs / q_len,
        "kv_reads_keys": float(ours),
        "kv_reads_naive_keys": float(naive),
        "kv_reread_factor": ours / q_len,
        "kv_reread_factor_naive": naive / q_len,
        "kv_rows_per_fetch": (hist_pairs * SUB) / ours if ours else 0.0,
    }


# ------------------------------------------------------------------------------ cycle models
def busy_cycles_closed(q_len: int, p: Params) -> int:
    """Closed form, pos0 = 0, compute-bound (see docs/rm_prefill.md):

    busy ~= fill + active + drain with
      active = nstep * sum over rows r of ceil((r+1)/16) / pe_rows (full row steps)
      fill   = 3*dc*16 + 4           (first 16 tokens, then A/B/C/D pipeline)
      drain  = nstep + 2 + DIV_LAT + 16*ob - 16/pe_rows*nstep + 3
    """
    act = active_cycles(0, q_len, p)
    rows_last = min(SUB, q_len - (q_len - 1) // SUB * SUB)
    fill = 3 * p.dc * min(SUB, q_len) + 4
    drain = p.nstep + PIPE_BC + DIV_LAT + rows_last * p.ob \
        - max(0, (rows_last + p.pe_rows - 1) // p.pe_rows - 1) * p.nstep + 3
    return fill + act + max(drain, DIV_LAT + p.ob)


def busy_cycles(pos0: int, q_len: int, p: Params, latency: int = 60,
                in_rate: float = 1.0) -> int:
    """Event model of one job (no backpressure on O, memory without stalls, ``latency``
    cycles first-beat read latency, the qkv stream delivering ``in_rate`` beats per cycle)."""
    sch = schedule(pos0, q_len, p)
    ns, dc = p.nstep, p.dc
    beats_tok = 3 * dc / in_rate
    ntiles = len(sch.tiles)
    drain_t: dict[int, float] = {}           # tile -> time its last item left stage D
    rows_out_t: dict[int, float] = {}        # tile -> time its last O row was loaded
    tile_arrival_start: dict[int, float] = {}
    tok_done: dict[int, float] = {}          # absolute position -> time its V row completed

    def arrive_tile(tr: int) -> None:
        if tr in tile_arrival_start or tr >= ntiles:
            return
        if tr > 0:
            arrive_tile(tr - 1)
        _ts, rs, re = sch.tiles[tr]
        prev_end = tok_done[sch.tiles[tr - 1][2] - 1] if tr > 0 else 1.0
        gate = drain_t.get(tr - 2, 0.0) + 1 if tr >= 2 else 0.0
        t0 = max(prev_end, gate)
        tile_arrival_start[tr] = t0
        for i, pos in enumerate(range(rs, re)):
            tok_done[pos] = t0 + (i + 1) * beats_tok

    fetch_ready: dict[int, float] = {}
    fetch_release: dict[int, float] = {}     # fetch index -> time its slot is released
    last_fetch_issue = 0.0

    def do_fetch(fi: int) -> float:
        nonlocal last_fetch_issue
        if fi in fetch_ready:
            return fetch_ready[fi]
        f = sch.fetches[fi]
        if fi > 0:
            do_fetch(fi - 1)
        t = last_fetch_issue + 2
        hist_idx = [k for k in range(fi) if not sch.fetches[k].local]
        if not f.local and len(hist_idx) >= 2:
            t = max(t, fetch_release.get(hist_idx[-2], 0.0) + 1)
        a, e = f.keys
        if e > pos0:                      # keys written by this job: wait for their B responses
            arrive_tile(f.tile)
            t = max(t, tok_done[min(e, pos0 + q_len) - 1] + 8)
        last_fetch_issue = t
        n = e - a
        fetch_ready[fi] = t + 3 + latency + (n - n // 2) * dc
        return fetch_ready[fi]

    issue_free = 0.0
    out_free = 0.0
    div_free = [0.0] * p.ndiv
    div_ptr = 0
    last_row_out = 0.0
    tile_first_seen: set[int] = set()
    for it in sch.items:
        arrive_tile(it.tile)
        re = sch.tiles[it.tile][2]
        if it.phase == 1:
            ready = max(do_fetch(it.fetch), tok_done[re - 1] + 1)
        else:
            ge = min(it.group + SUB, re)
            ready = tok_done[ge - 1] + 1
            if sch.fetches and sch.fetches[0].local:
                ready = max(ready, do_fetch(0))
        if it.tile not in tile_first_seen:
            tile_first_seen.add(it.tile)
            if it.tile >= 2:
                ready = max(ready, rows_out_t.get(it.tile - 2, 0.0) + 1)
        t_issue = max(issue_free, ready)
        issue_free = t_issue + ns
        t_d_end = t_issue + ns + PIPE_BC + ns
        if it.phase == 1:
            fetch_release[it.fetch] = t_d_end
        drain_t[it.tile] = t_d_end
        if it.diag:
            for _row in range(it.rows[0], it.rows[1] + 1):
                k = div_ptr
                t_div = max(t_d_end + 1, div_free[k])
                t_rdy = t_div + DIV_LAT
                t_out = max(t_rdy, out_free)
                out_free = t_out + p.ob
                div_free[k] = out_free
                div_ptr = (div_ptr + 1) % p.ndiv
                last_row_out = out_free
                rows_out_t[it.tile] = out_free
    return round(last_row_out + 2)


def predict(pos0: int, q_len: int, p: Params, latency: int = 60) -> dict[str, float]:
    """Everything the bench compares with the RTL counters."""
    out: dict[str, float] = {"active": float(active_cycles(pos0, q_len, p)),
                             "busy": float(busy_cycles(pos0, q_len, p, latency))}
    out.update({k: float(v) for k, v in traffic(pos0, q_len, p).items()})
    return out
