#!/usr/bin/env python3
"""A synthetic training corpus of any length, for measuring `a2m train` at dataset scale (docs/training.md, "Memory").

Writes OUT/take_NNNN.wav + OUT/take_NNNN.bvh pairs of MINUTES each until HOURS are written: 16 kHz mono PCM16
stand-in audio (noise bursts at a syllable-like rate, not speech) and BVH motion on a2m's default 22-joint skeleton
(Motions/default_skeleton.bvh) at FPS, with smooth sinusoidal joint rotations and a slowly wandering root. The
files are our own and may be committed or shared; they teach a model nothing about gesture.

    python3 docs/scripts/synthetic_corpus.py --out /tmp/corpus10h --hours 10 [--minutes 10] [--fps 30] [--seed 0] [--distinct N]

With --distinct N only the first N takes are drawn; the others are hard links to them under their own names (a2m
reads, hashes, featurizes and caches every pair on its own, so memory and time behave as for distinct takes, but
the corpus takes N takes' disk space and seconds to write).
"""
import argparse
import os
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SKELETON = os.path.join(HERE, "..", "..", "Motions", "default_skeleton.bvh")
RATE = 16000


def hierarchy():
    text = open(SKELETON).read()
    head = text[: text.index("MOTION")]
    channels = sum(int(line.split()[1]) for line in head.splitlines() if line.strip().startswith("CHANNELS"))
    return head, channels


def write_audio(path, seconds, rng):
    n = int(round(seconds * RATE))
    t = np.arange(n) / RATE
    # Bursts at 3–5 Hz with a slow phrase envelope, over a low noise floor.
    rate = 4 + rng.uniform(-1, 1)
    envelope = np.clip(np.sin(2 * np.pi * rate * t), 0, None) ** 2 * (0.6 + 0.4 * np.sin(2 * np.pi * 0.2 * t + rng.uniform(0, 6)))
    x = (0.3 * envelope + 0.01) * rng.standard_normal(n)
    pcm = np.clip(x * 32767, -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def write_motion(path, seconds, fps, head, channels, rng):
    frames = int(round(seconds * fps)) + 1
    t = np.arange(frames)[:, None] / fps
    rotations = channels - 6
    freq = rng.uniform(0.1, 2.0, rotations)[None, :]
    phase = rng.uniform(0, 2 * np.pi, rotations)[None, :]
    amp = rng.uniform(2, 25, rotations)[None, :]
    rot = amp * np.sin(2 * np.pi * freq * t + phase)
    root = np.concatenate([30 * np.sin(0.05 * t), 95 + 2 * np.sin(0.7 * t), 30 * np.cos(0.04 * t),
                           20 * np.sin(0.03 * t), 3 * np.sin(0.5 * t), 3 * np.sin(0.3 * t)], axis=1)
    with open(path, "w") as f:
        f.write(head)
        f.write("MOTION\nFrames: %d\nFrame Time: %.8f\n" % (frames, 1 / fps))
        for start in range(0, frames, 3000):
            block = np.concatenate([root[start:start + 3000], rot[start:start + 3000]], axis=1)
            np.savetxt(f, block, fmt="%.4f")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--hours", type=float, required=True)
    p.add_argument("--minutes", type=float, default=10, help="length of each take")
    p.add_argument("--fps", type=float, default=30)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--distinct", type=int, default=0, help="draw only this many takes, hard-link the rest (0 = all distinct)")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    head, channels = hierarchy()
    rng = np.random.default_rng(a.seed)
    left, k = a.hours * 3600, 0
    while left > 1:
        seconds = min(a.minutes * 60, left)
        stem = os.path.join(a.out, "take_%04d" % k)
        if a.distinct and k >= a.distinct and seconds == a.minutes * 60:
            source = os.path.join(a.out, "take_%04d" % (k % a.distinct))
            for ext in (".wav", ".bvh"):
                if os.path.exists(stem + ext):
                    os.remove(stem + ext)
                os.link(source + ext, stem + ext)
        else:
            write_audio(stem + ".wav", seconds, rng)
            write_motion(stem + ".bvh", seconds, a.fps, head, channels, rng)
        left -= seconds
        k += 1
    print("%s: %d pairs, %.2f h" % (a.out, k, a.hours))


if __name__ == "__main__":
    main()
