#!/usr/bin/env python3
"""librosa's time for what `a2m bench features FILE` times: load with resampling, melspectrogram, power_to_db.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        python3 Tests/Benchmarks/bench_librosa_features.py FILE [--repeats 10]

Model front end (Configs/audio_model.json): sr 15360 (soxr_hq, librosa's default res_type), n_fft 1024,
hop 512, n_mels 80, power_to_db(ref=1, amin=1e-10, top_db=None). Single-threaded via the variables above
(set before numpy is imported; the script sets them too). Best of --repeats after one warm-up run.
"""
import argparse
import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import time  # noqa: E402

import librosa  # noqa: E402
import numpy as np  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args()
    sr, n_fft, hop, n_mels = 15360, 1024, 512, 80
    best = dict(load=np.inf, mel=np.inf, total=np.inf)
    duration = librosa.get_duration(path=args.file)
    for i in range(args.repeats + 1):
        t0 = time.perf_counter()
        y, _ = librosa.load(args.file, sr=sr, mono=True)
        t1 = time.perf_counter()
        S = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=n_fft, hop_length=hop, n_mels=n_mels)
        db = librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=None)
        t2 = time.perf_counter()
        if i == 0:
            continue  # warm-up: imports, filterbank cache
        best["load"] = min(best["load"], t1 - t0)
        best["mel"] = min(best["mel"], t2 - t1)
        best["total"] = min(best["total"], t2 - t0)
    print(f"input: {args.file}, {duration:.2f} s -> {sr} Hz, {db.shape[1]} frames x {n_mels} mels, "
          f"librosa {librosa.__version__}, numpy {np.__version__}, 1 thread, best of {args.repeats}")
    print("| stage | ms | x real time |")
    print("|---|---:|---:|")
    for name, key in [("load + resample (soundfile + soxr_hq)", "load"), ("melspectrogram + power_to_db", "mel"),
                      ("end to end", "total")]:
        print(f"| {name} | {best[key] * 1000:.2f} | {duration / best[key]:.0f} |")


if __name__ == "__main__":
    main()
