#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus into Tests/Fuzz/Corpus/<target>/ (committed; rerun only to change the seeds).

Seeds are small valid inputs of each reader, so the fuzzer starts deep inside the format instead of guessing its
magic: safetensors files (a2m's own fixtures and a minimal a2m model written here), training states that pass
every check against FuzzTrainingState's in-memory training set (7 windows, batch 4, logInterval 10), BVH files
(Tests/A2MKitTests/Fixtures/motion) and JSON (a2m motion, configs). Needs only the standard library.
"""
import json, os, shutil, struct

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(ROOT, "..", ".."))
CORPUS = os.path.join(ROOT, "Corpus")


def target(name):
    d = os.path.join(CORPUS, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def safetensors(tensors, metadata):
    """tensors: list of (name, shape, float values) stored as F32."""
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, shape, values in tensors:
        raw = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data


def minimal_model():
    """The smallest a2m.model DenoiserConfig allows (width 8, one layer, no encoder, 2-frame window, 1 feature),
    with every tensor DenoiserParameters lays out for it."""
    d, f, p, m, t = 8, 1, 1, 1, 2
    config = {"width": d, "layers": 1, "heads": 1, "ffn": f, "encoderLayers": 0, "dropout": 0.1, "windowFrames": t,
              "motionDim": p, "audioDim": m, "condDropProbability": 0.25, "diffusionSteps": 1000, "frameAlignedAudio": False}
    shapes = []
    def linear(name, i, o): shapes.extend([(name + ".weight", [o, i]), (name + ".bias", [o])])
    def packed(name): shapes.extend([(name + "_weight", [3 * d, d]), (name + "_bias", [3 * d])])
    def norm(name): shapes.extend([(name + ".weight", [d]), (name + ".bias", [d])])
    linear("inp", p, d); linear("cin", m, d)
    linear("t1.0", d, 4 * d); linear("t2", 4 * d, d); linear("ttok", 4 * d, 2 * d)
    norm("pool.0"); linear("pool.1", d, d); linear("pool.3", d, d); norm("nm")
    shapes.extend([("null_tok", [1, t, d]), ("null_hid", [1, d])])
    packed("layers.0.sa.in_proj"); linear("layers.0.sa.out_proj", d, d)
    packed("layers.0.ca.in_proj"); linear("layers.0.ca.out_proj", d, d)
    linear("layers.0.ffn.0", d, f); linear("layers.0.ffn.3", f, d)
    for n in ("n1", "n2", "n3"): norm("layers.0." + n)
    for k in (1, 2, 3): linear("layers.0.f%d.l.1" % k, d, 2 * d)
    linear("out", d, p)
    tensors = []
    for i, (name, shape) in enumerate(shapes):
        count = 1
        for s in shape: count *= s
        tensors.append((name, shape, [((i * 7 + j) % 13 - 6) / 10 for j in range(count)]))
    return safetensors(tensors, {"a2m.model": json.dumps(config, sort_keys=True, separators=(",", ":"))})


def pcg(state, inc, spare=None):
    r = {"inc": inc, "state": state}
    if spare is not None:
        r["spare"] = spare
    return r


def training_state(step, position, permutation, spare=None):
    return {
        "conditionDrop": {"probability": 0.25, "rng": pcg(9876543210123456789, 11)},
        "dataFingerprint": "3 files, 7 training windows",
        "dataOrder": {"epoch": step * 4 // 7, "permutation": permutation, "position": position, "rng": pcg(1234567890123, 5)},
        "dropout": pcg(42, 13),
        "elapsed": 1.5,
        "intervalDropped": 2,
        "intervalSteps": 3,
        "intervalSums": [4607182418800017408, 4611686018427387904, 0, 0, 0],
        "noise": pcg(18446744073709551557, 9, spare),
        "step": step,
        "timesteps": pcg(77, 7),
        "totalSteps": 100,
    }


def main():
    d = target("FuzzSafetensors")
    for name in ("ours_f16", "ours_f32", "python_written", "denoiser_io"):
        shutil.copy(os.path.join(REPO, "Tests/A2MKitTests/Fixtures/nn", name + ".safetensors"), d)
    with open(os.path.join(d, "minimal_model.safetensors"), "wb") as out:
        out.write(minimal_model())
    with open(os.path.join(d, "metadata_only.safetensors"), "wb") as out:
        out.write(safetensors([], {"a2m.model": "{}"}))

    d = target("FuzzTrainingState")
    seeds = {"start": training_state(3, 4, [3, 0, 6, 1, 5, 2, 4]),
             "epoch_end": training_state(7, 7, [6, 5, 4, 3, 2, 1, 0], spare=-0.25),
             "epoch_start": training_state(14, 0, [0, 1, 2, 3, 4, 5, 6])}
    for name, state in seeds.items():
        with open(os.path.join(d, name + ".json"), "w") as out:
            json.dump(state, out, sort_keys=True, separators=(",", ":"))

    d = target("FuzzBVH")
    motion = os.path.join(REPO, "Tests/A2MKitTests/Fixtures/motion")
    for name in sorted(os.listdir(motion)):
        if name.endswith(".bvh"):
            shutil.copy(os.path.join(motion, name), d)
    # Inputs that once crashed the reader (CI's fuzz run found each); kept as seeds so a regression is hit at once.
    with open(os.path.join(d, "channel_count_past_int_max.bvh"), "w") as f:
        f.write("HIERARCHY\nROOT Hips\n{\n\tOFFSET 0 0 0\n\tCHANNELS 6 Xposition Yposition Zposition Zrotation "
                "Yrotation Xrotation\n\tJOINT Chest\n\t{\n\t\tOFFSET 0 10 0\n"
                "\t\tCHANNELS 377777777777777777777777.767959595 Zrotation\n")

    d = target("FuzzJSON")
    for name in ("tiny.json", "audio_model.json"):
        shutil.copy(os.path.join(REPO, "Configs", name), os.path.join(d, "config_" + name))
    joints = [{"name": "Hips", "parent": None, "offset": [0, 90, 0],
               "channels": ["Xposition", "Yposition", "Zposition", "Zrotation", "Xrotation", "Yrotation"]},
              {"name": "Spine", "parent": 0, "offset": [0, 10, 0], "channels": ["Zrotation", "Xrotation", "Yrotation"],
               "endSite": {"name": "Head_end", "offset": [0, 5, 0]}}]
    clip = {"format": "a2m-motion", "version": 1, "fps": 30, "frameCount": 2, "units": "centimeters", "upAxis": "Y",
            "skeleton": joints, "rootPositions": [[0, 90, 0], [1, 90, 0]],
            "rotations": [[[0, 0, 0, 1], [0, 0, 0.1, 0.995]], [[0, 0.1, 0, 0.995], [0, 0, 0, 1]]]}
    with open(os.path.join(d, "motion.json"), "w") as out:
        json.dump(clip, out, separators=(",", ":"))


if __name__ == "__main__":
    main()
