"""Checks an a2m glTF/GLB/VRMA file with pygltflib (pip install pygltflib): it parses, every accessor lies in its
bufferView and buffer, the skin is valid, the animation is well formed; with --vrma, the fields the
VRMC_vrm_animation 1.0 specification requires.

    python3 Tests/A2MKitTests/Fixtures/export/pygltflib_check.py motion.glb [--vrma]

Prints one line "A2M_PYGLTFLIB_CHECK {json}" and exits 1 when a check fails.
"""
import json
import struct
import sys

import pygltflib

path = sys.argv[1]
vrma = "--vrma" in sys.argv
g = pygltflib.GLTF2().load_binary(path) if not path.endswith(".gltf") else pygltflib.GLTF2().load(path)
failures = []
blob = g.binary_blob() if not path.endswith(".gltf") else open(path[:-5] + ".bin", "rb").read()
SIZES = {5121: 1, 5123: 2, 5125: 4, 5126: 4}
WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}
FMT = {5121: "B", 5123: "H", 5125: "I", 5126: "f"}


def values(i):
    a = g.accessors[i]
    v = g.bufferViews[a.bufferView]
    n = a.count * WIDTH[a.type]
    off = (v.byteOffset or 0) + (a.byteOffset or 0)
    return struct.unpack_from("<%d%s" % (n, FMT[a.componentType]), blob, off)


if len(g.buffers) != 1 or g.buffers[0].byteLength > len(blob):
    failures.append(f"buffer byteLength {g.buffers[0].byteLength} > data {len(blob)}")
for i, a in enumerate(g.accessors):
    v = g.bufferViews[a.bufferView]
    need = (a.byteOffset or 0) + a.count * WIDTH[a.type] * SIZES[a.componentType]
    if need > v.byteLength:
        failures.append(f"accessor {i} needs {need} bytes, bufferView {a.bufferView} has {v.byteLength}")
    if (v.byteOffset or 0) + v.byteLength > g.buffers[v.buffer].byteLength:
        failures.append(f"bufferView {a.bufferView} ends past its buffer")
    if ((v.byteOffset or 0) + (a.byteOffset or 0)) % SIZES[a.componentType]:
        failures.append(f"accessor {i} is misaligned")
for m in g.meshes:
    for p in m.primitives:
        pa = g.accessors[p.attributes.POSITION]
        if pa.min is None or pa.max is None:
            failures.append("POSITION without min/max")
        vs = values(p.attributes.POSITION)
        f32 = lambda x: struct.unpack("<f", struct.pack("<f", x))[0]  # JSON holds the float32's shortest text
        for c in range(3):
            col = vs[c::3]
            if min(col) != f32(pa.min[c]) or max(col) != f32(pa.max[c]):
                failures.append(f"POSITION bounds wrong on axis {c}")
        nverts = pa.count
        if max(values(p.indices)) >= nverts:
            failures.append("an index points past the vertices")
        w = values(p.attributes.WEIGHTS_0)
        if any(abs(sum(w[k:k + 4]) - 1) > 1e-6 for k in range(0, len(w), 4)):
            failures.append("WEIGHTS_0 do not sum to 1")
for s in g.skins:
    if any(j < 0 or j >= len(g.nodes) for j in s.joints):
        failures.append("skin joint is not a node")
    ibm = g.accessors[s.inverseBindMatrices]
    if ibm.type != "MAT4" or ibm.count != len(s.joints):
        failures.append(f"inverseBindMatrices: {ibm.count} {ibm.type} for {len(s.joints)} joints")
    mesh_nodes = [n for n in g.nodes if n.skin is not None]
    if not mesh_nodes:
        failures.append("no node uses the skin")
for an in g.animations:
    for c in an.channels:
        if not (0 <= c.target.node < len(g.nodes)):
            failures.append("channel targets a missing node")
        if c.target.path not in ("rotation", "translation", "scale", "weights"):
            failures.append(f"bad path {c.target.path}")
        if vrma and c.target.path == "scale":
            failures.append("VRMA animates scale")
    for s in an.samplers:
        t = values(s.input)
        ia = g.accessors[s.input]
        if ia.min is None or ia.max is None:
            failures.append("sampler input without min/max")
        if any(b <= a for a, b in zip(t, t[1:])):
            failures.append("sampler input times do not increase")
        oa = g.accessors[s.output]
        if oa.count != ia.count:
            failures.append(f"sampler output count {oa.count} != input count {ia.count}")
        if s.interpolation != "LINEAR":
            failures.append(f"interpolation {s.interpolation}")
        if oa.type == "VEC4":
            q = values(s.output)
            if any(abs(sum(x * x for x in q[k:k + 4]) - 1) > 1e-5 for k in range(0, len(q), 4)):
                failures.append("a rotation is not a unit quaternion")

result = {"pygltflib": pygltflib.__version__ if hasattr(pygltflib, "__version__") else "?", "nodes": len(g.nodes),
          "accessors": len(g.accessors), "skins": len(g.skins), "animations": len(g.animations)}
if vrma:
    ext = (g.extensions or {}).get("VRMC_vrm_animation")
    if "VRMC_vrm_animation" not in (g.extensionsUsed or []):
        failures.append("extensionsUsed lacks VRMC_vrm_animation")
    if not ext or ext.get("specVersion") != "1.0":
        failures.append("VRMC_vrm_animation.specVersion must be \"1.0\"")
    bones = ((ext or {}).get("humanoid") or {}).get("humanBones") or {}
    required = ["hips", "spine", "head", "leftUpperArm", "leftLowerArm", "leftHand", "rightUpperArm", "rightLowerArm",
                "rightHand", "leftUpperLeg", "leftLowerLeg", "leftFoot", "rightUpperLeg", "rightLowerLeg", "rightFoot"]
    for b in required:
        if b not in bones:
            failures.append(f"humanBones lacks required bone {b}")
    for b, v in bones.items():
        if b in ("leftEye", "rightEye"):
            failures.append(f"humanBones must not list {b}")
        if not (0 <= v.get("node", -1) < len(g.nodes)):
            failures.append(f"humanBones.{b}.node is not a node")
    bone_nodes = {v["node"] for v in bones.values()}
    hips = bones.get("hips", {}).get("node")
    for an in g.animations:
        for c in an.channels:
            if c.target.path == "translation" and c.target.node in bone_nodes and c.target.node != hips:
                failures.append(f"translation on humanoid bone node {c.target.node} (only the hips may move)")
    for i in bone_nodes:
        if g.nodes[i].scale not in (None, [1, 1, 1]):
            failures.append(f"node {i} has scale")
    look = (ext or {}).get("lookAt")
    if look is not None and "node" in look and not (0 <= look["node"] < len(g.nodes)):
        failures.append("lookAt.node is not a node")
    times = values(g.animations[0].samplers[0].input)
    result["fps"] = round((len(times) - 1) / (times[-1] - times[0]), 4) if len(times) > 1 else None
    result["humanBones"] = len(bones)
result["failures"] = failures
print("A2M_PYGLTFLIB_CHECK " + json.dumps(result), flush=True)
sys.exit(1 if failures else 0)
