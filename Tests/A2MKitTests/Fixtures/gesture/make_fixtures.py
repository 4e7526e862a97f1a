#!/usr/bin/env python3
"""Makes the gesture-statistics fixtures of Tests/A2MKitTests/Evaluation/GestureStatisticsTests.swift.

    python3 Tests/A2MKitTests/Fixtures/gesture/make_fixtures.py [--a2m PATH_TO_A2M]

- a2m/: a2m's own motion: Motions/idle_breathing.bvh, tpose_to_rest.bvh, wave.bvh, and (with --a2m) two
  corpus clips made by `a2m corpus --out TMP --count 2 --seed 7 --max-seconds 6`;
- rigs/: two synthetic rigs with 15 finger joints per hand and other naming conventions, made here:
  ue_rig.bvh (Unreal-style pelvis/upperarm_l/hand_l names, a twist joint inside the arm chain, Z up, metres,
  120 fps) and mixamo_rig.bvh (mixamorig: names, Y up, centimetres, 50 fps: resampled by slerp);
- expected_a2m.json, expected_rigs.json: docs/scripts/gesture_stats.py's statistics of each folder, which
  the Swift implementation must match within the test's named tolerances;
- bad/no_wrists.bvh: a rig without hands, which both implementations must refuse by name.
Never real (non-commercial) motion capture: everything here is a2m's own or synthetic.
"""
import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
FINGERS = ["thumb", "index", "middle", "ring", "pinky"]


def smooth(t, a, b):
    """0 before a, 1 after b, a smoothstep between."""
    x = min(1.0, max(0.0, (t - a) / (b - a)))
    return x * x * (3 - 2 * x)


def envelope(t):
    """Gesturing between 2 and 5 s, a still hold from 5 to 6 s, rest outside 1.5 ... 6.5 s."""
    return smooth(t, 1.5, 2.0) * (1 - smooth(t, 6.0, 6.5))


def beat(t):
    """Beats at 2.5 Hz while gesturing (2 ... 5 s), frozen during the hold."""
    return math.sin(2 * math.pi * 2.5 * min(t, 5.0)) * smooth(t, 1.8, 2.2)


class Rig:
    def __init__(self):
        self.joints = []  # (name, parent, offset, channels)

    def add(self, name, parent, offset, channels="Zrotation Xrotation Yrotation"):
        self.joints.append((name, parent, offset, channels.split()))
        return len(self.joints) - 1

    def write(self, path, fps, seconds, pose):
        """pose(t) -> {joint name: [channel values in the joint's channel order]}; missing joints stay at 0."""
        children = {i: [] for i in range(len(self.joints))}
        for i, (_, p, _, _) in enumerate(self.joints):
            if p is not None:
                children[p].append(i)
        out = ["HIERARCHY"]

        def emit(i, depth):
            name, p, off, ch = self.joints[i]
            pad = "  " * depth
            out.append(f"{pad}{'ROOT' if p is None else 'JOINT'} {name}")
            out.append(f"{pad}{{")
            out.append(f"{pad}  OFFSET {off[0]:.6f} {off[1]:.6f} {off[2]:.6f}")
            out.append(f"{pad}  CHANNELS {len(ch)} {' '.join(ch)}")
            for c in children[i]:
                emit(c, depth + 1)
            if not children[i]:
                out.append(f"{pad}  End Site")
                out.append(f"{pad}  {{")
                out.append(f"{pad}    OFFSET {off[0] * 0.5:.6f} {off[1] * 0.5:.6f} {off[2] * 0.5:.6f}")
                out.append(f"{pad}  }}")
            out.append(f"{pad}}}")

        emit(0, 0)
        frames = int(round(seconds * fps)) + 1
        out += ["MOTION", f"Frames: {frames}", f"Frame Time: {1 / fps:.8f}"]
        order = []

        def walk(i):
            order.append(i)
            for c in children[i]:
                walk(c)

        walk(0)
        for f in range(frames):
            values = pose(f / fps)
            row = []
            for i in order:
                name, _, off, ch = self.joints[i]
                v = values.get(name)
                row += [f"{x:.4f}" for x in (v if v is not None else [0.0] * len(ch))]
            out.append(" ".join(row))
        with open(path, "w") as fh:
            fh.write("\n".join(out) + "\n")


def ue_rig(path):
    """Z up, metres, facing -Y (left = +X); names like Unreal's mannequin; 120 fps."""
    r = Rig()
    r.add("root", None, [0, 0, 0], "Xposition Yposition Zposition Zrotation Xrotation Yrotation")
    r.add("pelvis", 0, [0, 0, 0.95], "Xposition Yposition Zposition Zrotation Xrotation Yrotation")
    r.add("spine_01", 1, [0, 0, 0.1])
    r.add("spine_02", 2, [0, 0, 0.15])
    r.add("spine_03", 3, [0, 0, 0.15])
    r.add("neck_01", 4, [0, 0, 0.12])
    r.add("head", 5, [0, 0, 0.1])
    for side, s in (("l", 1), ("r", -1)):
        c = r.add(f"clavicle_{side}", 4, [s * 0.04, 0, 0.08])
        u = r.add(f"upperarm_{side}", c, [s * 0.15, 0, 0])
        tw = r.add(f"upperarm_twist_01_{side}", u, [s * 0.14, 0, 0])
        lo = r.add(f"lowerarm_{side}", tw, [s * 0.14, 0, 0])
        h = r.add(f"hand_{side}", lo, [s * 0.26, 0, 0])
        for k, finger in enumerate(FINGERS):
            p = r.add(f"{finger}_01_{side}", h, [s * 0.03, -0.035 + 0.017 * k, 0])
            for n in (2, 3):
                p = r.add(f"{finger}_0{n}_{side}", p, [s * 0.03, 0, 0])
    for side, s in (("l", 1), ("r", -1)):
        t = r.add(f"thigh_{side}", 1, [s * 0.1, 0, -0.05])
        c = r.add(f"calf_{side}", t, [0, 0, -0.45])
        r.add(f"foot_{side}", c, [0, 0, -0.43])

    def pose(t):
        e, b = envelope(t), beat(t)
        v = {"root": [0, 0, 0, 0, 0, 0],
             "pelvis": [0.01 * math.sin(0.7 * t), 0, 0.95, 3 * math.sin(0.4 * t), 0, 0],
             "spine_02": [0, 2 * math.sin(0.9 * t), 0],
             "neck_01": [4 * math.sin(0.5 * t) * e, 0, 0],
             # Z X Y: head nods about X (the lateral axis) while gesturing, turns about Z (up).
             "head": [12 * math.sin(0.8 * t), 9 * math.sin(2 * math.pi * 1.5 * min(t, 5)) * e, 0]}
        for side, s in (("l", 1), ("r", -1)):
            down = 75 - 80 * e - (10 * b if side == "l" else 6 * b * e)  # degrees below horizontal
            fwd = 55 * e
            # About Y lowers the arm (sign by side), about Z swings it forward (-Y).
            v[f"upperarm_{side}"] = [-s * fwd, 0, s * down]
            v[f"lowerarm_{side}"] = [-s * (20 + 50 * e), 0, 0]
            v[f"hand_{side}"] = [0, 10 * b * e, 0]
            curl = 10 + 50 * e * (0.5 + 0.5 * math.sin(2 * math.pi * 0.9 * t + (0 if side == "l" else 1)))
            for finger in FINGERS:
                for n in (1, 2, 3):
                    v[f"{finger}_0{n}_{side}"] = [0, s * curl * (0.6 if finger == "thumb" else 1), 0]
        return v

    r.write(path, 120, 6.0, pose)


def mixamo_rig(path):
    """Y up, centimetres, facing +Z (left = +X); mixamorig: names; 50 fps (not a multiple of 30)."""
    r = Rig()
    r.add("mixamorig:Hips", None, [0, 98, 0], "Xposition Yposition Zposition Yrotation Xrotation Zrotation")
    r.add("mixamorig:Spine", 0, [0, 9, 0])
    r.add("mixamorig:Spine1", 1, [0, 11, 0])
    r.add("mixamorig:Spine2", 2, [0, 12, 0])
    r.add("mixamorig:Neck", 3, [0, 15, 0])
    r.add("mixamorig:Head", 4, [0, 9, 0])
    r.add("mixamorig:HeadTop_End", 5, [0, 18, 0])
    for side, s in (("Left", 1), ("Right", -1)):
        c = r.add(f"mixamorig:{side}Shoulder", 3, [s * 6, 11, 0])
        u = r.add(f"mixamorig:{side}Arm", c, [s * 12, 0, 0])
        lo = r.add(f"mixamorig:{side}ForeArm", u, [s * 27, 0, 0])
        h = r.add(f"mixamorig:{side}Hand", lo, [s * 26, 0, 0])
        for k, finger in enumerate(["Thumb", "Index", "Middle", "Ring", "Pinky"]):
            p = r.add(f"mixamorig:{side}Hand{finger}1", h, [s * 3, 0, 3.5 - 1.7 * k])
            for n in (2, 3):
                p = r.add(f"mixamorig:{side}Hand{finger}{n}", p, [s * 3, 0, 0])
    for side, s in (("Left", 1), ("Right", -1)):
        u = r.add(f"mixamorig:{side}UpLeg", 0, [s * 9, -6, 0])
        lo = r.add(f"mixamorig:{side}Leg", u, [0, -44, 0])
        r.add(f"mixamorig:{side}Foot", lo, [0, -42, 0])

    def pose(t):
        e, b = envelope(t - 0.3), beat(t - 0.3)
        v = {"mixamorig:Hips": [1.5 * math.sin(0.6 * t), 98, 0.8 * t, 20 * math.sin(0.3 * t), 0, 0],
             "mixamorig:Spine1": [0, 3 * math.sin(1.1 * t) * e, 0],
             "mixamorig:Head": [15 * math.sin(0.6 * t) * e, -8 * math.sin(2 * math.pi * 2 * min(t, 5)) * e, 0]}
        for side, s in (("Left", 1), ("Right", -1)):
            down = 70 - 85 * e - 12 * b * (1 if side == "Left" else -0.5)
            fwd = 45 * e
            # Y X Z: about Y swings forward (+Z), about Z lowers (sign by side).
            v[f"mixamorig:{side}Arm"] = [-s * fwd, 0, -s * down]
            v[f"mixamorig:{side}ForeArm"] = [-s * (30 + 40 * e), 0, 0]
            curl = 5 + 60 * e * (0.5 + 0.5 * math.sin(2 * math.pi * 1.3 * t))
            for finger in ["Thumb", "Index", "Middle", "Ring", "Pinky"]:
                for n in (1, 2, 3):
                    v[f"mixamorig:{side}Hand{finger}{n}"] = [0, 0, -s * curl]
        return v

    r.write(path, 50, 7.0, pose)


def no_wrists(path):
    r = Rig()
    r.add("Hips", None, [0, 90, 0], "Xposition Yposition Zposition Zrotation Xrotation Yrotation")
    r.add("Spine", 0, [0, 20, 0])
    r.add("Head", 1, [0, 30, 0])
    r.write(path, 30, 1.0, lambda t: {"Hips": [0, 90, 0, 0, 0, 0]})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a2m", help="an a2m binary, to (re)make the two corpus clips in a2m/")
    args = ap.parse_args()
    a2m_dir, rigs_dir, bad_dir = (os.path.join(HERE, d) for d in ("a2m", "rigs", "bad"))
    for d in (a2m_dir, rigs_dir, bad_dir):
        os.makedirs(d, exist_ok=True)
    for name in ("idle_breathing.bvh", "tpose_to_rest.bvh", "wave.bvh"):
        shutil.copy(os.path.join(ROOT, "Motions", name), os.path.join(a2m_dir, name))
    if args.a2m:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([args.a2m, "corpus", "--out", tmp, "--count", "2", "--seed", "7", "--max-seconds", "6",
                            "--threads", "1", "--quiet"], check=True)
            for f in sorted(os.listdir(tmp)):
                if f.endswith(".bvh"):
                    shutil.copy(os.path.join(tmp, f), os.path.join(a2m_dir, "corpus_" + f))
    ue_rig(os.path.join(rigs_dir, "ue_rig.bvh"))
    mixamo_rig(os.path.join(rigs_dir, "mixamo_rig.bvh"))
    no_wrists(os.path.join(bad_dir, "no_wrists.bvh"))
    script = os.path.join(ROOT, "docs", "scripts", "gesture_stats.py")
    for d, out in ((a2m_dir, "expected_a2m.json"), (rigs_dir, "expected_rigs.json")):
        subprocess.run([sys.executable, script, d, "--out", os.path.join(HERE, out), "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
