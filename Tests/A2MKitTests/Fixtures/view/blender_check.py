"""Imports an a2m BVH with Blender's own importer and compares it with a2m's forward kinematics.

    blender --background --factory-startup --python-exit-code 1 \
        --python Tests/A2MKitTests/Fixtures/view/blender_check.py -- motion.bvh expected.json

expected.json (written by a2m's BlenderCheckTests):
    {"jointCount": 22, "frameCount": n, "fps": 30,
     "frames": [0, k, n-1],                      # 0-based BVH frame indices
     "positions": {"Head": [[x, y, z], ...], ...}} # world positions per listed frame, BVH space (Y up, file units)

Blender's importer converts axes (axis_forward='-Z', axis_up='Y' are its defaults): a BVH point (x, y, z)
lands at Blender (x, -z, y); with global_scale=1 one BVH unit is one Blender unit. Prints one line
"A2M_BLENDER_CHECK {json}" and raises (exit code 1 with --python-exit-code 1) when a check fails.
"""
import json
import sys

import bpy

TOLERANCE = 0.5  # BVH units (cm for a2m files)

argv = sys.argv[sys.argv.index("--") + 1:]
bvh_path, expected_path = argv[0], argv[1]
with open(expected_path) as f:
    expected = json.load(f)

bpy.ops.wm.read_factory_settings(use_empty=True)

# Debian's Blender 3.4.1 runs on Python 3.11, which removed open(..., 'rU'); its bundled importer still uses it
# (io_anim_bvh/import_bvh.py, read_bvh) and fails with "ValueError: invalid mode: 'rU'". Same file, same
# parser: only the obsolete 'U' flag is dropped.
from io_anim_bvh import import_bvh  # noqa: E402

import_bvh.open = lambda path, mode="r", *a, **k: open(path, mode.replace("U", ""), *a, **k)
bpy.ops.import_anim.bvh(filepath=bvh_path, axis_forward="-Z", axis_up="Y", global_scale=1.0,
                        rotate_mode="NATIVE", frame_start=1, use_fps_scale=False,
                        update_scene_fps=True, update_scene_duration=True)
arm = next(o for o in bpy.context.scene.objects if o.type == "ARMATURE")
scene = bpy.context.scene
start, end = arm.animation_data.action.frame_range
result = {
    "blender": bpy.app.version_string,
    "jointCount": len(arm.data.bones),
    "frameCount": int(round(end - start)) + 1,
    "fps": scene.render.fps / scene.render.fps_base,
    "maxError": {},
}
failures = []
if result["jointCount"] != expected["jointCount"]:
    failures.append(f"joint count {result['jointCount']} != {expected['jointCount']}")
if result["frameCount"] != expected["frameCount"]:
    failures.append(f"frame count {result['frameCount']} != {expected['frameCount']}")
if abs(result["fps"] - expected["fps"]) > 1e-3:
    failures.append(f"fps {result['fps']} != {expected['fps']}")

for name, points in expected["positions"].items():
    bone = arm.pose.bones.get(name)
    if bone is None:
        failures.append(f"no bone named {name}")
        continue
    worst = 0.0
    for frame, (x, y, z) in zip(expected["frames"], points):
        scene.frame_set(int(start) + frame)
        got = arm.matrix_world @ bone.head
        want = (x, -z, y)
        err = max(abs(got[i] - want[i]) for i in range(3))
        worst = max(worst, err)
        if err > TOLERANCE:
            failures.append(f"{name} frame {frame}: blender {tuple(round(v, 3) for v in got)} vs a2m {want} (off by {err:.4f})")
    result["maxError"][name] = worst

result["failures"] = failures
print("A2M_BLENDER_CHECK " + json.dumps(result), flush=True)
if failures:
    raise SystemExit(1)
