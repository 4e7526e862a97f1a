"""Writes wave.bvh: 4 s at 30 fps of procedural motion on Motions/default_skeleton.bvh (arms swinging and
waving, torso twist, head nod, a slow walk forward with leg swing). Used by the viewer's Blender check and for
docs screenshots. Every channel is a sum of sines, so the file is deterministic.

    python3 Tests/A2MKitTests/Fixtures/view/make_wave_bvh.py
"""
import math
import pathlib

root = pathlib.Path(__file__).resolve().parents[4]
skeleton = (root / "Motions" / "default_skeleton.bvh").read_text()
header = skeleton[: skeleton.index("MOTION")]
joints = [line.split()[1] for line in header.splitlines() if line.strip().split()[:1] in (["ROOT"], ["JOINT"])]

FPS, FRAMES = 30, 120


def s(t, hz, amp, phase=0.0):
    return amp * math.sin(2 * math.pi * hz * t + phase)


def pose(t):
    """(Z, X, Y) degrees per joint, in the file's ZXY channel order; root position first."""
    rot = {j: [0.0, 0.0, 0.0] for j in joints}
    rot["Hips"] = [s(t, 1, 3), 0.0, s(t, 0.25, 15)]
    rot["Spine"] = [s(t, 0.5, 4), s(t, 0.5, 5, 1), s(t, 0.5, 10)]
    rot["Spine1"] = [0.0, s(t, 0.5, 3, 1), s(t, 0.5, 6)]
    rot["Neck"] = [0.0, s(t, 1, 8), s(t, 0.4, 20)]
    rot["Head"] = [s(t, 0.7, 6), s(t, 1, 10, 0.5), 0.0]
    rot["LeftArm"] = [-55 + s(t, 1, 25), s(t, 0.5, 20), s(t, 1, 30)]
    rot["LeftForeArm"] = [0.0, 0.0, 40 + s(t, 2, 35)]
    rot["LeftHand"] = [s(t, 2, 20), s(t, 2, 15, 1), 0.0]
    rot["RightArm"] = [60 + s(t, 0.75, 20, 2), s(t, 0.75, 15), s(t, 0.5, -25)]
    rot["RightForeArm"] = [0.0, 0.0, -50 + s(t, 1.5, 30)]
    rot["RightHand"] = [s(t, 1.5, 25), 0.0, s(t, 1.5, 15)]
    rot["LeftUpLeg"] = [0.0, s(t, 1, 20), 0.0]
    rot["LeftLeg"] = [0.0, 20 + s(t, 1, 20, -1.5), 0.0]
    rot["RightUpLeg"] = [0.0, s(t, 1, -20), 0.0]
    rot["RightLeg"] = [0.0, 20 + s(t, 1, -20, -1.5), 0.0]
    position = [s(t, 0.25, 10), 93 + s(t, 2, 1.5), 25 * t]
    return position, rot


lines = []
for f in range(FRAMES):
    position, rot = pose(f / FPS)
    values = position + [v for j in joints for v in rot[j]]
    lines.append(" ".join(f"{v:.6f}" for v in values))
out = header + f"MOTION\nFrames: {FRAMES}\nFrame Time: {1 / FPS:.8f}\n" + "\n".join(lines) + "\n"
(pathlib.Path(__file__).parent / "wave.bvh").write_text(out)
