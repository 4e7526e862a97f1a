#!/usr/bin/env python3
"""How well a per-frame threshold on pYIN's local voiced probability stands in for pYIN's Viterbi voicing.

a2m's `logF0` feature is YIN's f0 where pYIN's voiced probability (computed per frame, before the Viterbi
pass) reaches ProsodyFeature.voicedThreshold, and missing elsewhere. This script measures, per file and per
threshold, at the model front end (15360 Hz, frame 1024, hop 512, f0 60-600 Hz):
  - coverage: the share of pYIN's Viterbi-voiced frames the threshold keeps;
  - false voicing: frames it keeps that the Viterbi pass calls unvoiced;
  - accuracy: the share of kept, Viterbi-voiced frames whose YIN f0 is within 50 cents of pYIN's f0.

    pip install librosa==0.10.2.post1
    python3 Tests/Benchmarks/voicing_threshold.py speech1.wav speech2.wav ...
"""
import sys

import librosa
import numpy as np

SR, FRAME, HOP, FMIN, FMAX = 15360, 1024, 512, 60.0, 600.0
THRESHOLDS = (0.5, 0.25, 0.1, 0.05)

print("| file | frames | Viterbi voiced | " + " | ".join(f"≥ {t}: coverage / false / within 50 c" for t in THRESHOLDS) + " |")
print("|---|---:|---:|" + "---:|" * len(THRESHOLDS))
for path in sys.argv[1:]:
    y, _ = librosa.load(path, sr=SR, mono=True)
    f0 = librosa.yin(y, fmin=FMIN, fmax=FMAX, sr=SR, frame_length=FRAME, hop_length=HOP)
    f0_viterbi, voiced, prob = librosa.pyin(y, fmin=FMIN, fmax=FMAX, sr=SR, frame_length=FRAME, hop_length=HOP)
    cells = []
    for t in THRESHOLDS:
        kept = prob >= t
        both = kept & voiced
        cents = 1200 * np.abs(np.log2(f0[both] / f0_viterbi[both]))
        cells.append(f"{both.sum() / voiced.sum():.2f} / {(kept & ~voiced).sum()} / {(cents < 50).mean():.3f}")
    print(f"| {path.split('/')[-1]} | {len(prob)} | {voiced.mean():.2f} | " + " | ".join(cells) + " |")
