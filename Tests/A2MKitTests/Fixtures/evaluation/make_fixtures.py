#!/usr/bin/env python3
"""librosa references for the Evaluation audio analysis (SpeechFeatures).

Run from the repository root (needs espeak-ng on PATH):

    pip install librosa==0.10.2.post1
    python3 Tests/A2MKitTests/Fixtures/evaluation/make_fixtures.py

Writes, next to this script:
  speech.wav      espeak-ng speech (en+m3, then a pause, then de+f2), 22050 Hz mono int16
  librosa.json    per 30-fps frame (hop 735, centred, zero padding):
                  rms  = librosa.feature.rms(frame_length=1024, center=True, pad_mode='constant')
                  yin  = librosa.yin(fmin=60, fmax=400, frame_length=740, win_length=370, hop_length=735,
                         trough_threshold=0.15,
                         center=True, pad_mode='constant')
  frechet.json    two random 8-D sample sets (40 and 30 vectors, correlated) and their Fréchet distance by
                  the pytorch-fid / Bailando formula with scipy.linalg.sqrtm
"""
import json
import os
import subprocess
import sys
import tempfile

import librosa
import numpy as np

PINNED = "0.10.2.post1"
if librosa.__version__ != PINNED:
    sys.exit(f"librosa {PINNED} required, found {librosa.__version__}")

HERE = os.path.dirname(os.path.abspath(__file__))
SR, HOP = 22050, 735


def espeak(voice, text, path):
    subprocess.run(["espeak-ng", "-b", "1", "-v", voice, "-s", "160", "-p", "50", "-w", path, text], check=True)
    y, sr = librosa.load(path, sr=None)
    assert sr == SR
    return y


with tempfile.TemporaryDirectory() as tmp:
    a = espeak("en+m3", "The old man carefully opened the wooden door.", os.path.join(tmp, "a.wav"))
    b = espeak("de+f2", "Meine Schwester fand schnell den langen Brief.", os.path.join(tmp, "b.wav"))
y = np.concatenate([a, np.zeros(SR // 2, dtype=np.float32), b]).astype(np.float32)
pcm = np.clip(np.round(y * 32767), -32768, 32767).astype("<i2")
import wave
with wave.open(os.path.join(HERE, "speech.wav"), "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(SR); w.writeframes(pcm.tobytes())
y = pcm.astype(np.float32) / 32768.0  # exactly what a2m decodes

frames = len(y) // HOP  # SpeechFeatures.frameCount
rms = librosa.feature.rms(y=y, frame_length=1024, hop_length=HOP, center=True, pad_mode="constant")[0][:frames]
yin = librosa.yin(y, fmin=60, fmax=400, sr=SR, frame_length=740, win_length=370, hop_length=HOP, trough_threshold=0.15,
                  center=True, pad_mode="constant")[:frames]
json.dump({"librosa": librosa.__version__, "sampleRate": SR, "hop": HOP, "frames": frames,
           "rms": [float(v) for v in rms], "yin": [float(v) for v in yin]},
          open(os.path.join(HERE, "librosa.json"), "w"), indent=0)
print(f"{frames} frames, {len(y) / SR:.2f} s")

# Fréchet distance reference (pytorch-fid calculate_frechet_distance, as Bailando's calc_fid uses it).
import scipy
from scipy import linalg
rng = np.random.default_rng(7)
mix_a, mix_b = rng.normal(size=(8, 8)), rng.normal(size=(8, 8))
set_a = rng.normal(size=(40, 8)) @ mix_a + rng.normal(size=8)
set_b = rng.normal(size=(30, 8)) @ mix_b + rng.normal(size=8)
mu1, mu2 = set_a.mean(0), set_b.mean(0)
s1, s2 = np.cov(set_a, rowvar=False), np.cov(set_b, rowvar=False)
covmean = linalg.sqrtm(s1.dot(s2))
covmean = covmean.real
fd = float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))
json.dump({"scipy": scipy.__version__, "a": set_a.tolist(), "b": set_b.tolist(), "distance": fd},
          open(os.path.join(HERE, "frechet.json"), "w"))
print(f"Fréchet distance {fd}")
