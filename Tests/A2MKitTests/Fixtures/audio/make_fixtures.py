#!/usr/bin/env python3
"""Reference features for the Audio tests, computed with librosa.

Run from the repository root (needs espeak-ng and sox on PATH):

    pip install librosa==0.10.2.post1
    python3 Tests/A2MKitTests/Fixtures/audio/make_fixtures.py

Writes, next to this script:
  speech_multivoice.wav        ~3 s of espeak-ng speech, two voices, 22050 Hz mono int16
  noise.npy                    1 s of white noise, float32 (the same samples are used at both configs)
  <signal>_<config>_mel.npy    librosa mel power, float32, shape (frames, n_mels)  [transposed from librosa]
  <signal>_<config>_db.npy     log-mel per the config (power_to_db), float32, shape (frames, n_mels)
  filterbanks.json             librosa.filters.mel per config, sparse: per row the first nonzero bin + values
  metadata.json                versions, configs, shapes, the docs/design.md section 5 reference values

The sine (0.5 sin(2 pi 440 t), 1 s, float32) is not stored: the tests rebuild it the same way.
For the model and custom configs the speech is loaded with librosa.load(sr=15360 / 16000) (soxr_hq), so
those fixtures check loading + resampling + features end to end. The "custom" config exercises every
non-default path: winLength < nFFT, fmin/fmax, a hop that does not divide nFFT, and log(S + eps).
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

# Same keys and meaning as AudioFeatureConfig (Configs/audio_librosa_default.json, Configs/audio_model.json).
CONFIGS = {
    "librosa": dict(sampleRate=22050, nFFT=2048, hopLength=512, winLength=None, nMels=128, fmin=0.0, fmax=None,
                    logMode="powerToDB", topDB=80.0, epsilon=1e-10),
    "model": dict(sampleRate=15360, nFFT=1024, hopLength=512, winLength=None, nMels=80, fmin=0.0, fmax=None,
                  logMode="powerToDB", topDB=None, epsilon=1e-10),
    # Every non-default path: a window shorter than n_fft, fmin/fmax, a hop that does not divide n_fft, log(S+eps).
    "custom": dict(sampleRate=16000, nFFT=512, hopLength=160, winLength=400, nMels=40, fmin=20.0, fmax=7600.0,
                   logMode="logEpsilon", topDB=None, epsilon=1e-6),
}


def sine(sr):
    t = np.arange(sr) / sr
    return (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def make_speech(path):
    """Two espeak-ng voices, joined and trimmed to ~3 s with sox."""
    with tempfile.TemporaryDirectory() as d:
        a, b = os.path.join(d, "a.wav"), os.path.join(d, "b.wav")
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "170", "-w", a, "Move your arms to the beat."], check=True)
        subprocess.run(["espeak-ng", "-v", "en-gb+f3", "-s", "170", "-p", "70", "-w", b, "Now turn around."], check=True)
        subprocess.run(["sox", a, b, "-r", "22050", "-c", "1", "-b", "16", path, "trim", "0", "3"], check=True)


def features(y, cfg):
    S = librosa.feature.melspectrogram(
        y=y, sr=cfg["sampleRate"], n_fft=cfg["nFFT"], hop_length=cfg["hopLength"], win_length=cfg["winLength"],
        n_mels=cfg["nMels"], fmin=cfg["fmin"], fmax=cfg["fmax"], window="hann", center=True, pad_mode="constant",
        power=2.0)
    if cfg["logMode"] == "powerToDB":
        db = librosa.power_to_db(S, ref=1.0, amin=cfg["epsilon"], top_db=cfg["topDB"])
    else:
        db = np.log(S + np.float32(cfg["epsilon"]))
    return np.ascontiguousarray(S.T, dtype=np.float32), np.ascontiguousarray(db.T, dtype=np.float32)


def main():
    speech_path = os.path.join(HERE, "speech_multivoice.wav")
    if not os.path.exists(speech_path):
        make_speech(speech_path)
    rng = np.random.default_rng(20240501)
    noise = (0.1 * rng.standard_normal(22050)).astype(np.float32)
    np.save(os.path.join(HERE, "noise.npy"), noise)

    meta = {"librosa": librosa.__version__, "numpy": np.__version__, "configs": CONFIGS, "fixtures": {}}
    banks = {}
    for name, cfg in CONFIGS.items():
        sr = cfg["sampleRate"]
        signals = {
            "sine": sine(sr),
            "noise": noise,
            # sr=None keeps 22050 for the librosa config; the model config resamples with soxr_hq.
            "speech": librosa.load(speech_path, sr=None if sr == 22050 else sr, mono=True)[0],  # soxr_hq
        }
        for sig, y in signals.items():
            mel, db = features(y, cfg)
            base = f"{sig}_{name}"
            np.save(os.path.join(HERE, base + "_mel.npy"), mel)
            np.save(os.path.join(HERE, base + "_db.npy"), db)
            meta["fixtures"][base] = {"samples": int(len(y)), "frames": int(mel.shape[0]), "nMels": int(mel.shape[1])}
        fb = librosa.filters.mel(sr=sr, n_fft=cfg["nFFT"], n_mels=cfg["nMels"], fmin=cfg["fmin"], fmax=cfg["fmax"])
        rows = []
        for r in fb:
            nz = np.nonzero(r)[0]
            start = int(nz[0]) if len(nz) else 0
            stop = int(nz[-1]) + 1 if len(nz) else 0
            rows.append({"start": start, "values": [float(v) for v in r[start:stop]]})
        banks[name] = {"nBins": int(fb.shape[1]), "rows": rows}

    # docs/design.md section 5 reference values, recomputed here so a librosa change would show.
    S = librosa.feature.melspectrogram(y=sine(22050), sr=22050)
    fb = librosa.filters.mel(sr=22050, n_fft=2048, n_mels=128)
    meta["reference"] = {
        "shape": list(S.shape),
        "frame0ArgMax": int(S[:, 0].argmax()), "frame0Max": float(S[:, 0].max()),
        "frame20Max": float(S[:, 20].max()), "frame20Sum": float(S[:, 20].sum()),
        "filterRow0Bins1to4": [float(v) for v in fb[0, 1:5]],
        "db_10_20": float(librosa.power_to_db(S)[10, 20]),  # default top_db=80: this is the clip floor
    }
    with open(os.path.join(HERE, "filterbanks.json"), "w") as f:
        json.dump(banks, f, separators=(",", ":"))
    with open(os.path.join(HERE, "metadata.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps(meta["reference"], indent=1))


if __name__ == "__main__":
    main()
