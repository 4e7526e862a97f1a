"""Loads an a2m VRMA onto a VRM humanoid with the VRM add-on for Blender (PyPI bpy + bpy-vrm-format), headless.

    python3 Tests/A2MKitTests/Fixtures/export/blender_vrma_check.py motion.vrma FRAMES RAISED_FRAME

The add-on's "basic armature" (a VRM humanoid) receives the animation through the add-on's own VRMA importer.
Checks: the action spans FRAMES frames (Blender frames 1..FRAMES at the file's 30 fps) and at RAISED_FRAME
(0-based; a frame where the source's right hand is raised above its shoulder: for Motions/wave.bvh, 60) the
avatar's right hand is above its right shoulder, as in the source. Not in the Swift suite (bpy is a 374 MB
wheel); docs/formats.md records a run. Prints "A2M_BLENDER_VRMA_CHECK {json}"; exits 1 on failure.
The add-on's load_post handler prints an AssertionError about preferences when run as a module; harmless.
"""
import json
import sys

import bpy
import io_scene_vrm

path, frames, raised = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bpy.ops.wm.read_factory_settings(use_empty=True)
io_scene_vrm.register()
scene = bpy.context.scene
scene.render.fps = 30
bpy.ops.icyp.make_basic_armature()
arm = next(o for o in scene.objects if o.type == "ARMATURE")
bpy.context.view_layer.objects.active = arm
status = bpy.ops.import_scene.vrma(filepath=path, armature_object_name=arm.name)
action = arm.animation_data.action if arm.animation_data else None
failures = []
result = {"blender": bpy.app.version_string, "import": sorted(status)}
if action is None:
    failures.append("no action on the armature")
else:
    start, end = action.frame_range
    result["frameRange"] = [start, end]
    if round(end - start) + 1 != frames:
        failures.append(f"action spans {end - start + 1} frames, expected {frames}")
    scene.frame_set(int(start) + raised)
    hand = (arm.matrix_world @ arm.pose.bones["hand.R"].head).z
    shoulder = (arm.matrix_world @ arm.pose.bones["upper_arm.R"].head).z
    result["rightHandAboveShoulder"] = hand - shoulder
    if hand <= shoulder:
        failures.append(f"right hand at {hand:.3f} m is not above the right shoulder at {shoulder:.3f} m")
result["failures"] = failures
print("A2M_BLENDER_VRMA_CHECK " + json.dumps(result), flush=True)
sys.exit(1 if failures else 0)
