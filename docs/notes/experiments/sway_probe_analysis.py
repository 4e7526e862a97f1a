#!/usr/bin/env python3
"""Analyse sway-probe output (docs/notes/experiments/sway-probe.patch; docs/notes/2026-11-results-notebook.md, "Where the weight shift is lost").

    python3 sway_probe_analysis.py slopes PROBE_DIR [CHANNEL]     # x0 predictions on noised ground truth
    python3 sway_probe_analysis.py trace PROBE_DIR TRACE_DIR...   # DDIM trajectories

slopes: per timestep, for the first two DCT-II coefficients (over the window's 120 frames) of one feature channel
(default 0, the root's x velocity), the regression slope of the prediction on the truth, and the prediction's
variance over the truth's ("var ratio"), for the unconditioned (u) and conditioned (c) branch. "one-channel Bayes"
is the slope of the best estimate that reads that coefficient of that channel alone; the network reads more (the
sway moves the hips', spine's and legs' rotations too), so it may beat it.
trace: per step, the x0 prediction's coefficient variance over the truth's, channels 0 and 5 (the root's roll).
"""
import csv
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts'))
from motion_diagnosis import dct_basis  # noqa: E402  (one definition of the DCT-II vectors)


def load(d):
    m = json.load(open(f'{d}/meta.json'))
    return m, np.fromfile(f'{d}/x0.f32', np.float32).reshape(m['W'], m['T'], m['D'])


def slopes(d, ch):
    m, x0 = load(d)
    C = dct_basis(m['T'], 2)
    truth = x0[:, :, ch] @ C.T
    var = truth.var(0)
    print(f"channel {ch}: truth variance of DCT 0, 1: {var.round(2)}")
    print(f"{'t':>4s} {'alpha_bar':>9s} | DCT0: one-channel Bayes, slope u, c, var ratio u, c | DCT1: the same")
    for t, ab in zip(m['timesteps'], m['alphaBar']):
        pred = {b: np.fromfile(f'{d}/{b}_{t}.f32', np.float32).reshape(x0.shape)[:, :, ch] @ C.T for b in 'uc'}
        line = f"{t:4d} {ab:9.2e}"
        for k in range(2):
            bayes = var[k] / (var[k] + (1 - ab) / ab)
            sl = [np.cov(pred[b][:, k], truth[:, k])[0, 1] / var[k] for b in 'uc']
            vr = [pred[b][:, k].var() / var[k] for b in 'uc']
            line += f" | {bayes:5.2f} {sl[0]:5.2f} {sl[1]:5.2f} {vr[0]:5.2f} {vr[1]:5.2f}"
        print(line)


def trace(d, traces):
    m, x0 = load(d)
    C = dct_basis(m['T'], 3)
    var = {ch: (x0[:, :, ch] @ C.T).var(0) for ch in (0, 5)}
    for tr in traces:
        rows = list(csv.DictReader(open(f'{tr}/trace.csv')))
        print(tr)
        for s in sorted({int(r['step']) for r in rows}):
            line = f"  step {s:2d}"
            for ch in (0, 5):
                rr = [r for r in rows if int(r['step']) == s and int(r['ch']) == ch]
                k = np.array([[float(r['k0']), float(r['k1'])] for r in rr])
                line += f"  ch{ch}: DCT0 {k[:, 0].var() / var[ch][0]:5.2f} DCT1 {k[:, 1].var() / var[ch][1]:5.2f}"
            print(line + f"  t = {rr[0]['t']}")


if __name__ == '__main__':
    if len(sys.argv) < 3 or sys.argv[1] not in ('slopes', 'trace'):
        sys.exit(__doc__)
    if sys.argv[1] == 'slopes':
        slopes(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    else:
        trace(sys.argv[2], sys.argv[3:])
