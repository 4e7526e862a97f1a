"""Imports an a2m GLB with Blender's own glTF importer and compares it with a2m's forward kinematics.

    python3 Tests/A2MKitTests/Fixtures/export/blender_gltf_check.py motion.glb expected.json   # PyPI bpy (Blender 4+)
    blender --background --factory-startup --python-exit-code 1 \
        --python Tests/A2MKitTests/Fixtures/export/blender_gltf_check.py -- motion.glb expected.json

expected.json (written by GLTFLoaderTests):
    {"jointCount": 22, "frameCount": n, "fps": 30,
     "frames": [0, k, n-1],                        # frame indices
     "positions": {"Head": [[x, y, z], ...], ...}}   # world positions per listed frame, glTF space (Y up, metres)

glTF has no frame rate: the script sets the scene's fps to the expected one before importing, and checks that
the importer puts a key on every frame from 0 to n-1 (so times are k / fps). Blender converts glTF's Y up to
its Z up: a glTF point (x, y, z) lands at Blender (x, -z, y); one glTF metre is one Blender unit. Prints one
line "A2M_BLENDER_GLTF_CHECK {json}" and exits 1 when a check fails.
"""
import json
import sys

import bpy

TOLERANCE = 0.005  # metres (0.5 cm)

argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]
glb_path, expected_path = argv[0], argv[1]
with open(expected_path) as f:
    expected = json.load(f)

bpy.ops.wm.read_factory_settings(use_empty=True)
scene = bpy.context.scene
scene.render.fps = int(round(expected["fps"]))
scene.render.fps_base = scene.render.fps / expected["fps"]
bpy.ops.import_scene.gltf(filepath=glb_path)
arm = next(o for o in scene.objects if o.type == "ARMATURE")
meshes = [o for o in scene.objects if o.type == "MESH" and o.find_armature() == arm]
action = arm.animation_data.action
start, end = action.frame_range


def keyed_frames(act):
    # Blender 5 keeps F-curves in layered actions (layers → strips → channelbags); 4.x on the action.
    curves = list(getattr(act, "fcurves", []) or [])
    for layer in getattr(act, "layers", []):
        for strip in layer.strips:
            for bag in getattr(strip, "channelbags", []):
                curves += list(bag.fcurves)
    frames = set()
    for c in curves:
        frames.update(round(k.co[0], 4) for k in c.keyframe_points)
    return sorted(frames)


keys = keyed_frames(action)
result = {
    "blender": bpy.app.version_string,
    "jointCount": len(arm.data.bones),
    "skinnedMeshes": len(meshes),
    "frameRange": [start, end],
    "keyCount": len(keys),
    "fps": scene.render.fps / scene.render.fps_base,
    "maxError": {},
}
failures = []
n = expected["frameCount"]
if result["jointCount"] != expected["jointCount"]:
    failures.append(f"bone count {result['jointCount']} != {expected['jointCount']}")
if not meshes:
    failures.append("no mesh is skinned to the armature")
if abs(start) > 1e-4 or abs(end - (n - 1)) > 1e-4:
    failures.append(f"frame range {start}..{end} != 0..{n - 1}")
if keys != [float(k) for k in range(n)]:
    failures.append(f"keys on {len(keys)} frames ({keys[:3]}...{keys[-3:]}), expected every frame 0..{n - 1}")

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
            failures.append(f"{name} frame {frame}: blender {tuple(round(v, 4) for v in got)} vs a2m {want} (off by {err:.5f} m)")
    result["maxError"][name] = worst

result["failures"] = failures
print("A2M_BLENDER_GLTF_CHECK " + json.dumps(result), flush=True)
if failures:
    raise SystemExit(1)
