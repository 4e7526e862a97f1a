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
  kinetic.json    a random-walk clip (3 joints, 50 frames, 60 fps) and its kinetic features, computed with the
                  loops of fairmotion's feature_utils / Bailando's KineticFeatures (sliding window 2, up = y),
                  with the acceleration's parenthesis fixed (v1 = (p[i+j] - p[i+j-1]) / dt)
  beat.json       a random smooth speed curve (300 frames, 30 fps, with plateaus), random audio beats, the
                  motion beats of scipy.signal.argrelextrema(speed, np.less, order=7) and PantoMatrix's GAHR score
  jerk.json       a random-walk clip (4 joints, 40 frames) at 20 fps and GENEA calc_jerk_acc.py's average jerk
                  and acceleration (np.diff n = 3 / 2, per-joint norms, mean over frames, x 20^n, mean over joints)
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


# Kinetic features, written as the reference loops (fairmotion feature_utils + KineticFeatures).
def window_velocity(pos, i, j, w, dt, comps):
    v, n = np.zeros(3), 0
    for k in range(-w, w + 1):
        if i + k - 1 < 0 or i + k >= len(pos):
            continue
        v += pos[i + k][j] - pos[i + k - 1][j]
        n += 1
    v = v[comps] / (n * dt)
    return np.linalg.norm(v)


def window_acceleration(pos, i, j, w, dt):
    a, n = np.zeros(3), 0
    for k in range(-w, w + 1):
        if i + k - 1 < 0 or i + k + 1 >= len(pos):
            continue
        v2 = (pos[i + k + 1][j] - pos[i + k][j]) / dt
        v1 = (pos[i + k][j] - pos[i + k - 1][j]) / dt
        a += (v2 - v1) / dt
        n += 1
    return np.linalg.norm(a / n)


fps, w = 60.0, 2
dt = 1 / fps
pos = np.cumsum(rng.normal(size=(50, 3, 3)), axis=0)
feats = []
for j in range(3):
    kh = sum(window_velocity(pos, i, j, w, dt, [0, 2]) ** 2 for i in range(1, len(pos))) / (len(pos) - 1)
    kv = sum(window_velocity(pos, i, j, w, dt, [1]) ** 2 for i in range(1, len(pos))) / (len(pos) - 1)
    ee = sum(window_acceleration(pos, i, j, w, dt) for i in range(1, len(pos) - 1)) / (len(pos) - 1)
    feats += [kh, kv, ee]
json.dump({"fps": fps, "frames": 50, "joints": 3, "positions": pos.reshape(-1).tolist(), "features": feats},
          open(os.path.join(HERE, "kinetic.json"), "w"))


# Beat consistency: argrelextrema + GAHR as in PantoMatrix utils/metric.py (alignment.GAHR).
import math
from scipy.signal import argrelextrema
speed = np.convolve(np.abs(rng.normal(size=320)), np.ones(7) / 7, mode="same")[10:310]
speed = np.round(speed, 2)  # rounding makes equal neighbours (plateaus), which np.less must not count
motion = argrelextrema(speed, np.less, order=7)[0] / 30.0
audio = np.sort(rng.uniform(0, 10, size=25))
gahr = sum(math.exp(-(min(abs(m - a) for m in motion) ** 2) / (2 * 0.3 ** 2)) for a in audio) / len(audio)
json.dump({"speed": speed.tolist(), "audioBeats": audio.tolist(), "motionBeats": motion.tolist(), "score": gahr},
          open(os.path.join(HERE, "beat.json"), "w"))


# Mean jerk / acceleration as GENEA numerical evaluations calc_jerk_acc.py (hard-coded 20 fps).
def genea_average(data, n, dim=3):
    d = np.diff(data, n=n, axis=0)
    norms = np.zeros((d.shape[0], d.shape[1] // dim))
    for i in range(d.shape[0]):
        for j in range(d.shape[1] // dim):
            norms[i, j] = np.linalg.norm(d[i, j * dim:(j + 1) * dim])
    return np.mean(norms, axis=0) * 20 ** n


clip = np.cumsum(rng.normal(size=(40, 12)), axis=0)
json.dump({"fps": 20.0, "frames": 40, "joints": 4, "positions": clip.reshape(-1).tolist(),
           "jerk": float(genea_average(clip, 3).mean()), "acceleration": float(genea_average(clip, 2).mean())},
          open(os.path.join(HERE, "jerk.json"), "w"))
