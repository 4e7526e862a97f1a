#!/usr/bin/env python3
"""Makes bvhio_written.bvh, a BVH file written by another tool (bvhio 1.5.4, MIT), and
bvhio_written_positions.json, bvhio's own world positions for it (joints in file order, then end sites),
which BVHPitfallTests.fileWrittenByBvhio compares a2m's reader and forward kinematics against.

bvhio writes its own dialect: 6 channels on every joint whose keyframes move it, `0.0`-style numbers with
9 decimals, two-space indentation, trailing spaces on motion lines, a full-precision Frame Time.

Run once (pip install bvhio==1.5.4):  python3 make_bvhio_fixture.py
"""
import json
import os
import random

import bvhio
import glm

from crosscheck_bvhio import bvhio_points

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    random.seed(3)
    root = bvhio.readAsHierarchy(os.path.join(HERE, "mixed_orders.bvh"))
    joints = [j for j, _, _ in root.layout()]
    frames = 12
    for f in range(frames):
        for j in joints:
            key = j.getKeyframe(0).duplicate()
            key.Rotation = glm.quat(glm.radians(glm.vec3(random.uniform(-170, 170), random.uniform(-80, 80), random.uniform(-170, 170))))
            if j is root:
                key.Position = glm.vec3(1.5 * f, 2 + 0.1 * f, -f)
            j.setKeyframe(f, key)
    bvh_path = os.path.join(HERE, "bvhio_written.bvh")
    bvhio.writeHierarchy(bvh_path, root, 1 / 60)
    points = bvhio_points(bvh_path, frames)
    with open(os.path.join(HERE, "bvhio_written_positions.json"), "w") as out:
        json.dump({"about": "bvhio 1.5.4 world positions of bvhio_written.bvh (joints, then end sites); made by make_bvhio_fixture.py",
                   "frames": [[[round(float(c), 6) for c in p] for p in frame] for frame in points]}, out)
    print(f"wrote {bvh_path} and bvhio_written_positions.json ({len(points)} frames)")


if __name__ == "__main__":
    main()
