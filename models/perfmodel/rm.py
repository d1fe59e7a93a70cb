"""Cycle models of the two attention RMs (one job = one (layer, head)).

Derived from the RMs' microarchitecture (rtl/rm_prefill/rm_prefill.sv, rtl/rm_decode/rm_decode.sv
headers; docs/rp-interface.md job protocol) and the memory path (``blocks.port_rate``); checked
against the RTL's busy counters by ``perfmodel.calibrate``.
"""

from __future__ import annotations

from .blocks import cdiv, port_rate
from .hw import DecodeRM, Platform, PrefillRM

SUB = 16               # keys per online-softmax block (docs/numerics.md)
DIV_BITS = 49          # 2^48 / l quotient bits (inv_l)


# --------------------------------------------------------------------------- prefill
PF_FILL_EXTRA = 4      # A/B/C/D pipeline start after the first 16 tokens
PF_PIPE_BC = 2         # stages B (scores) and C (softmax) between the QK and the PV arrays
PF_DIV_LAT = 50        # seq_divider with a 49-bit dividend: start -> done
PF_TAIL = 3            # last O beat -> done


def prefill_active(q_len: int, head_dim: int, rm: PrefillRM) -> int:
    """QK-array busy cycles of a job at pos0 = 0: every (PE_ROWS-row step, 16-key block) item
    takes nstep = (head_dim/16) * (16/PE_COLS) cycles; row r sees ceil((r+1)/16) blocks."""
    nstep = cdiv(head_dim, 16) * cdiv(SUB, rm.pe_cols)
    total = 0
    for g0 in range(0, q_len, SUB):
        rows = min(SUB, q_len - g0)
        total += cdiv(rows, rm.pe_rows) * (g0 // SUB + 1)
    return total * nstep


PF_FETCH_ISSUE = 3    # fetch command -> AR (DMA command FIFO + burst splitter)
PF_FETCH_GAP = 2      # fetch commands issue at most every 2 cycles
PF_HIST_SLOTS = 2     # history K/V slots (2 x KV_BLOCK keys)


def prefill_cycles(q_len: int, head_dim: int, rm: PrefillRM, plat: Platform) -> float:
    """Busy cycles of a prefill job (pos0 = 0, q_len rows) with no output backpressure.

    * input: tokens stream in at one beat per cycle (3*head_dim/16 beats each) into two Q-tile
      buffers: tile i starts loading when tile i-1 is in and tile i-2's work is done;
    * tile i's history (keys 0 .. (i-1)*Q_TILE, from DDR; tile i-1's keys are still on chip)
      goes block by block once all its rows are in: a KV_BLOCK block is fetched into one of two
      slots (issue, first-beat latency, the keys split over k_ports / v_ports at
      ``port_rate``), computed in
      ceil(rows/PE_ROWS) * KV_BLOCK/16 * nstep cycles (nstep = head_dim/16 * 16/PE_COLS), and
      frees its slot after the B/C/D stages; the next fetch issues when a slot is free, so the
      fetches run ahead across tile boundaries;
    * then the on-chip keys (tile i-1's and its own), 16-row group by group (a group starts once
      its tokens are in);
    * O rows: each row leaves its diagonal item through stage D and the inv_l divider, then the
      O stream at head_dim/4 beats per row (the output stream can be the bottleneck).
    """
    dc = cdiv(head_dim, 16)
    tok = 3 * dc
    nstep = dc * cdiv(SUB, rm.pe_cols)
    ports = min(rm.k_ports, rm.v_ports)
    rate = min(port_rate(plat, rm.dma, min(rm.max_burst, rm.kv_block * dc)),
               plat.ddr_cap / (rm.k_ports + rm.v_ports))
    in_end: list[float] = []
    work_end: list[float] = []
    issue_free = 0.0              # QK array free
    last_issue = -float(PF_FETCH_GAP)
    releases: list[float] = []    # slot release time of every history fetch so far
    ob = cdiv(head_dim, 4)
    out_free = 0.0                # O stream free
    for i, t0 in enumerate(range(0, q_len, rm.q_tile)):
        rows = min(rm.q_tile, q_len - t0)
        steps = cdiv(rows, rm.pe_rows)
        start_in = max(in_end[i - 1] if i else 0.0, work_end[i - 2] if i >= 2 else 0.0)
        in_end.append(start_in + tok * rows)
        t = issue_free
        hist = max(0, t0 - rm.q_tile)                 # the previous tile's keys stay on chip
        if hist:
            t = max(t, in_end[i] + 1)                 # history items need every row of the tile
        for k0 in range(0, hist, rm.kv_block):        # history blocks
            keys = min(rm.kv_block, hist - k0)
            issue = last_issue + PF_FETCH_GAP
            if len(releases) >= PF_HIST_SLOTS:
                issue = max(issue, releases[-PF_HIST_SLOTS] + 1)
            last_issue = issue
            ready = issue + PF_FETCH_ISSUE + plat.ddr_latency + cdiv(keys, ports) * dc / rate
            t = max(t, ready) + steps * cdiv(keys, SUB) * nstep
            releases.append(t + PF_PIPE_BC + nstep)
        for g0 in range(0, rows, SUB):                # on-chip keys, group by group
            g_rows = min(SUB, rows - g0)
            g_in = start_in + tok * (g0 + g_rows) + 1
            g_steps = cdiv(g_rows, rm.pe_rows)
            t = max(t, g_in) + g_steps * ((t0 - hist + g0) // SUB + 1) * nstep
            # O rows: a row step's rows leave its diagonal item through stage D and the inv_l
            # divider, then stream out at head_dim/4 beats per row, one row after the other
            for st in range(g_steps):
                r_done = t - (g_steps - 1 - st) * nstep + PF_PIPE_BC + nstep + 1 + PF_DIV_LAT
                for _ in range(min(rm.pe_rows, g_rows - st * rm.pe_rows)):
                    out_free = max(out_free, r_done) + ob
        issue_free = t
        work_end.append(t)
    return out_free + PF_TAIL - 1


def prefill_kv_read_beats(q_len: int, head_dim: int, rm: PrefillRM) -> int:
    """K + V history beats read from DDR by a job at pos0 = 0 (each tile re-reads its past)."""
    dc = cdiv(head_dim, 16)
    return 2 * dc * sum(range(0, q_len, rm.q_tile))


# --------------------------------------------------------------------------- decode
DEC_ISSUE = 3          # job accepted -> first AR handshake (DMA command -> AR on the 3rd edge)
DEC_TAIL = 2           # last O beat -> done


def decode_rate(head_dim: int, rm: DecodeRM, plat: Platform) -> float:
    """Beats/cycle at which each of K and V streams: ``lanes`` one-beat-per-cycle lanes, fed by
    k_ports (v_ports) HP ports with one head_dim-beat burst per 16-key block, half the DDR cap."""
    r = port_rate(plat, rm.dma(head_dim))
    return min(rm.lanes, rm.k_ports * r, rm.v_ports * r, plat.ddr_cap / 2)


def decode_cycles(pos0: int, head_dim: int, rm: DecodeRM, plat: Platform) -> float:
    """Busy cycles of a decode job for the token at position pos0 (keys 0..pos0; pos0 of them
    are read from the cache, the new one is on chip):
    the K/V block reads start at once (the Q/K/V rows stream in meanwhile): AR issue +
    first-beat latency + pos0*head_dim/16 beats per tensor at ``decode_rate``; after the last
    block, the merge and the inv_l division (49/DIV_STEPS cycles) and the O row (head_dim/4
    beats; the K/V append overlaps it)."""
    dc = cdiv(head_dim, 16)
    t_in = 3 * dc
    t_rd = (DEC_ISSUE + plat.ddr_latency + pos0 * dc / decode_rate(head_dim, rm, plat)
            if pos0 else t_in)
    t_div = cdiv(DIV_BITS, rm.div_steps)
    t_out = max(cdiv(head_dim, 4), dc + plat.b_latency)
    return max(t_in, t_rd) + t_div + t_out + DEC_TAIL


def decode_kv_read_beats(pos0: int, head_dim: int) -> int:
    return 2 * pos0 * cdiv(head_dim, 16)
