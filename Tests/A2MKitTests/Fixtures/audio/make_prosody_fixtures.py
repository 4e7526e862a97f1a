#!/usr/bin/env python3
"""Reference prosody features for LibrosaProsodyParityTests, computed with librosa.

Run from the repository root, after make_fixtures.py (it reuses speech_multivoice.wav and noise.npy):

    pip install librosa==0.10.2.post1
    python3 Tests/A2MKitTests/Fixtures/audio/make_prosody_fixtures.py

Writes, next to this script:
  glide.wav                         2 s at 22050 Hz, 16-bit mono: silence, a voice-like harmonic glide 110 -> 330 Hz
                                    with a vibrato and a fade in and out, a noise burst, silence
  <signal>_<config>_prosody.npy     float32, shape (frames, 6), one row per STFT frame (center=True):
                                    yin f0 (Hz), pyin voiced_prob, rms, rms in dB, onset strength,
                                    logF0 (hz_to_midi(f0) where voiced_prob >= 0.1, else NaN)
  prosody_metadata.json             versions, configs, shapes

Signals: sine (0.5 sin(2 pi 440 t), 1 s, rebuilt by the tests), noise (noise.npy), speech (speech_multivoice.wav)
and glide (glide.wav), at two configs in AudioFeatureConfig's JSON keys: "model" (the model front end, 15360 Hz, nFFT 1024)
with every prosody feature, and "librosa" (librosa's defaults, 22050 Hz, nFFT 2048). For the model config the
22050-Hz files are resampled by librosa.load (soxr_hq), so the tests check a2m's resampler
too. The calls are the definitions in docs/audio.md.
"""
import json
import os
import sys

import librosa
import numpy as np
import soundfile

from make_fixtures import sine  # the log-mel fixtures' 440 Hz sine (this script's folder is on sys.path)

PINNED = "0.10.2.post1"
if librosa.__version__ != PINNED:
    sys.exit(f"librosa {PINNED} required, found {librosa.__version__}")

HERE = os.path.dirname(os.path.abspath(__file__))
PROSODY = ["logF0", "voicing", "rmsDB", "onset"]
CONFIGS = {
    "model": dict(sampleRate=15360, nFFT=1024, hopLength=512, winLength=None, nMels=80, fmin=0.0, fmax=None,
                  logMode="powerToDB", topDB=None, epsilon=1e-10, prosody=PROSODY, f0Min=60.0, f0Max=600.0),
    "librosa": dict(sampleRate=22050, nFFT=2048, hopLength=512, winLength=None, nMels=128, fmin=0.0, fmax=None,
                    logMode="powerToDB", topDB=80.0, epsilon=1e-10, prosody=PROSODY, f0Min=60.0, f0Max=600.0),
}
VOICED_THRESHOLD = 0.1  # ProsodyFeature.voicedThreshold


def glide(sr=22050):
    """0.3 s silence, 1.2 s harmonic glide, 0.2 s noise burst, 0.3 s silence."""
    rng = np.random.default_rng(36)
    t = np.arange(int(1.2 * sr)) / sr
    f = 110 * 3 ** (t / t[-1]) * (1 + 0.01 * np.sin(2 * np.pi * 5.5 * t))   # 110 -> 330 Hz, 5.5 Hz vibrato
    phase = 2 * np.pi * np.cumsum(f) / sr
    voice = sum(np.sin(k * phase) / k for k in range(1, 6)) * 0.2
    envelope = np.minimum(1, np.minimum(t, t[-1] - t) / 0.1)
    burst = 0.05 * rng.standard_normal(int(0.2 * sr))
    y = np.concatenate([np.zeros(int(0.3 * sr)), voice * envelope, burst, np.zeros(int(0.3 * sr))])
    return y.astype(np.float32)


def prosody(y, cfg):
    sr, n_fft, hop = cfg["sampleRate"], cfg["nFFT"], cfg["hopLength"]
    fmin, fmax = cfg["f0Min"], cfg["f0Max"]
    f0 = librosa.yin(y, fmin=fmin, fmax=fmax, sr=sr, frame_length=n_fft, hop_length=hop)
    _, _, voiced_prob = librosa.pyin(y, fmin=fmin, fmax=fmax, sr=sr, frame_length=n_fft, hop_length=hop)
    rms = librosa.feature.rms(y=y, frame_length=n_fft, hop_length=hop)[0]
    rms_db = librosa.amplitude_to_db(rms, ref=1.0, amin=1e-5, top_db=None)
    mel = librosa.feature.melspectrogram(
        y=y, sr=sr, n_fft=n_fft, hop_length=hop, win_length=cfg["winLength"], n_mels=cfg["nMels"],
        fmin=cfg["fmin"], fmax=cfg["fmax"], window="hann", center=True, pad_mode="constant", power=2.0)
    onset = librosa.onset.onset_strength(S=librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=None), sr=sr,
                                         n_fft=n_fft, hop_length=hop, lag=1, max_size=1, center=True)
    log_f0 = np.where(voiced_prob >= VOICED_THRESHOLD, librosa.hz_to_midi(f0), np.nan)
    columns = [f0, voiced_prob, rms, rms_db, onset, log_f0]
    assert all(len(c) == len(f0) for c in columns)
    return np.ascontiguousarray(np.stack(columns, axis=1), dtype=np.float32)


def main():
    speech_path = os.path.join(HERE, "speech_multivoice.wav")
    noise = np.load(os.path.join(HERE, "noise.npy"))
    glide_path = os.path.join(HERE, "glide.wav")
    soundfile.write(glide_path, glide(), 22050, subtype="PCM_16")
    meta = {"librosa": librosa.__version__, "numpy": np.__version__, "configs": CONFIGS, "fixtures": {},
            "columns": ["f0", "voicedProb", "rms", "rmsDB", "onset", "logF0"]}
    for name, cfg in CONFIGS.items():
        sr = cfg["sampleRate"]
        signals = {
            "sine": sine(sr),
            "noise": noise,
            "speech": librosa.load(speech_path, sr=None if sr == 22050 else sr, mono=True)[0],  # soxr_hq
            "glide": librosa.load(glide_path, sr=None if sr == 22050 else sr, mono=True)[0],
        }
        for sig, y in signals.items():
            p = prosody(y, cfg)
            base = f"{sig}_{name}"
            np.save(os.path.join(HERE, base + "_prosody.npy"), p)
            voiced = p[:, 1] >= VOICED_THRESHOLD
            meta["fixtures"][base] = {"samples": int(len(y)), "frames": int(p.shape[0]), "voiced": int(voiced.sum())}
    with open(os.path.join(HERE, "prosody_metadata.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps(meta["fixtures"], indent=1))


if __name__ == "__main__":
    main()
