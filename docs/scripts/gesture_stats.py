#!/usr/bin/env python3
"""Skeleton-independent gesture statistics of a folder of BVH motion (docs/evaluation.md, "Gesture statistics").

    python3 docs/scripts/gesture_stats.py DIR [DIR ...] [--out STATS.json] [--compare REF.json] [--quiet]
    python3 docs/scripts/gesture_stats.py --table "real reference=docs/reference/real_gesture_stats.json" "corpus v1=..."
    python3 docs/scripts/gesture_stats.py --embed docs/reference/real_gesture_stats.json \
        Sources/A2MKit/Evaluation/GestureReference.swift

Reads every *.bvh in the given folders (not recursively), recognizes each rig's joint roles by name and by
structure, resamples every take to 30 fps and prints one table of statistics; --out writes them as JSON and
--compare REF.json also prints the distances to another set (a JSON this script or `a2m eval` wrote).

It is the independent reference of a2m's Swift implementation (Sources/A2MKit/Evaluation/GestureStatistics*.swift):
the Swift tests compare the two on committed fixtures. Every definition and threshold is in docs/evaluation.md;
the constants below are the same numbers. Needs numpy only. It never runs in the product.

Units: every length is divided by the rig's shoulder height S (the distance from the hips joint to the midpoint
of the two shoulder joints, in the rest pose), so rigs of any size compare; times are seconds, angles degrees.
"""
import argparse
import glob
import json
import math
import os
import re
import sys

import numpy as np

FORMAT = "a2m-gesture-stats"
VERSION = 1
RATE = 30.0                      # every take is resampled to this rate before any statistic
SPEED_BIN_WIDTH = 0.05           # wrist-speed histogram: S/s per bin ...
SPEED_BIN_COUNT = 80             # ... 80 bins over [0, 4) S/s, then one overflow bin for >= 4 S/s
HEIGHT_BIN_WIDTH = 0.1           # wrist-height histogram: S per bin ...
HEIGHT_MIN, HEIGHT_BIN_COUNT = -1.5, 30   # ... 30 bins over [-1.5, 1.5) S, plus one underflow and one overflow
SEGMENT = 64                     # spectral segments (frames at 30 fps), Hann window, hop SEGMENT / 2
HIGH_HZ = 6.0                    # the "above 6 Hz" share counts bins whose centre frequency is > 6 Hz
STILL_SPEED = 0.1                # a wrist is still when its smoothed speed (S/s) is below this ...
STILL_WINDOW = 5                 # ... smoothing: the mean speed over a centred window of this many frames
STILL_MIN_FRAMES = 9             # both wrists still for at least this many frames (0.3 s) = a hold or a rest
SWING_DEGREES = 3.0              # a nod / turn is a reversal of head pitch / yaw by at least this much
FINGER_MIN_JOINTS = 5            # a hand has fingers when its wrist has at least this many descendant joints

FINGER_WORDS = {"thumb", "index", "middle", "ring", "pinky", "pinkie", "little", "finger", "fingers",
                "end", "tip", "nub", "site", "carpal", "metacarpal", "palm"}
TWIST_WORDS = ("twist", "roll")


class StatsError(Exception):
    pass


# --------------------------------------------------------------------------------------------- BVH

def read_bvh(path):
    """(names, parents, offsets [J,3], channels [J][...], fps, data [F, C]) of a BVH file. End Sites are skipped."""
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    except OSError as e:
        raise StatsError(f"{path}: cannot read ({e.strerror})")
    names, parents, offsets, chans = [], [], [], []
    stack = []          # open blocks: a joint index, or -1 for an End Site
    current = None      # the block the next '{' opens
    i = 0
    if not lines or lines[0].strip().upper() != "HIERARCHY":
        raise StatsError(f"{path}: not a BVH file (expected HIERARCHY on line 1)")
    for i in range(1, len(lines)):
        t = lines[i].split()
        if not t:
            continue
        key = t[0].upper()
        if key == "MOTION":
            break
        brace = t[-1] == "{" and len(t) > 1
        if key in ("ROOT", "JOINT"):
            name = lines[i].strip()[len(t[0]):].strip().rstrip("{").strip()
            names.append(name)
            parents.append(next((j for j in reversed(stack) if j >= 0), -1))
            offsets.append([0.0, 0.0, 0.0])
            chans.append([])
            current = len(names) - 1
        elif key == "END":
            current = -1
        elif key == "{":
            stack.append(current)
        elif key == "}":
            stack.pop()
        elif key == "OFFSET":
            if stack and stack[-1] >= 0:
                offsets[stack[-1]] = [float(x) for x in t[1:4]]
        elif key == "CHANNELS":
            chans[stack[-1]] = [c.lower() for c in t[2:2 + int(t[1])]]
        else:
            raise StatsError(f"{path}:{i + 1}: unexpected '{t[0]}' in the hierarchy")
        if brace:
            stack.append(current)
    else:
        raise StatsError(f"{path}: no MOTION section")
    rest = " ".join(lines[i + 1:]).replace(":", " : ").split()
    # Frames : N Frame Time : dt data...
    dt_at = next(k for k in range(len(rest)) if rest[k].lower() == "time") + 2
    dt_tok = rest[dt_at]
    dt = float(dt_tok)
    fps = plausible_fps(dt, dt_tok)
    ncols = sum(len(c) for c in chans)
    values = np.array(rest[dt_at + 1:], dtype=np.float64)
    frames = len(values) // ncols if ncols else 0
    data = values[:frames * ncols].reshape(frames, ncols)
    return names, parents, np.array(offsets), chans, fps, data


def plausible_fps(dt, text):
    """1/dt snapped to an integer (or NTSC) rate when it lies within half a unit of dt's last printed digit
    (the same rule as a2m's BVHReader.plausibleFPS)."""
    mantissa = text.lower().split("e")[0]
    exp = int(text.lower().split("e")[1]) if "e" in text.lower() else 0
    digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
    half = 0.5 * 10 ** (exp - digits) + dt * 1e-9
    raw = 1 / dt
    integer = round(raw)
    if integer >= 1 and abs(1 / integer - dt) <= half:
        return float(integer)
    for base in (24.0, 30, 48, 60, 120):
        ntsc = base * 1000 / 1001
        if abs(1 / ntsc - dt) <= half:
            return ntsc
    return raw


def axis_matrix(axis, radians):
    """[F,3,3] rotation about x/y/z (0/1/2) by radians [F]."""
    c, s = np.cos(radians), np.sin(radians)
    m = np.zeros(radians.shape + (3, 3))
    a, b = [(1, 2), (2, 0), (0, 1)][axis]
    m[..., axis, axis] = 1
    m[..., a, a] = c
    m[..., a, b] = -s
    m[..., b, a] = s
    m[..., b, b] = c
    return m


def quat_from_matrix(m):
    """[F,3,3] -> [F,4] (x, y, z, w), w >= 0 not enforced (continuity is handled by the caller)."""
    f = m.shape[0]
    q = np.zeros((f, 4))
    tr = m[:, 0, 0] + m[:, 1, 1] + m[:, 2, 2]
    for k in range(f):
        r = m[k]
        if tr[k] > 0:
            s = math.sqrt(tr[k] + 1.0) * 2
            q[k] = [(r[2, 1] - r[1, 2]) / s, (r[0, 2] - r[2, 0]) / s, (r[1, 0] - r[0, 1]) / s, 0.25 * s]
        elif r[0, 0] > r[1, 1] and r[0, 0] > r[2, 2]:
            s = math.sqrt(1.0 + r[0, 0] - r[1, 1] - r[2, 2]) * 2
            q[k] = [0.25 * s, (r[0, 1] + r[1, 0]) / s, (r[0, 2] + r[2, 0]) / s, (r[2, 1] - r[1, 2]) / s]
        elif r[1, 1] > r[2, 2]:
            s = math.sqrt(1.0 + r[1, 1] - r[0, 0] - r[2, 2]) * 2
            q[k] = [(r[0, 1] + r[1, 0]) / s, 0.25 * s, (r[1, 2] + r[2, 1]) / s, (r[0, 2] - r[2, 0]) / s]
        else:
            s = math.sqrt(1.0 + r[2, 2] - r[0, 0] - r[1, 1]) * 2
            q[k] = [(r[0, 2] + r[2, 0]) / s, (r[1, 2] + r[2, 1]) / s, 0.25 * s, (r[1, 0] - r[0, 1]) / s]
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def matrix_from_quat(q):
    x, y, z, w = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    m = np.empty(q.shape[:-1] + (3, 3))
    m[..., 0, 0] = 1 - 2 * (y * y + z * z)
    m[..., 0, 1] = 2 * (x * y - z * w)
    m[..., 0, 2] = 2 * (x * z + y * w)
    m[..., 1, 0] = 2 * (x * y + z * w)
    m[..., 1, 1] = 1 - 2 * (x * x + z * z)
    m[..., 1, 2] = 2 * (y * z - x * w)
    m[..., 2, 0] = 2 * (x * z - y * w)
    m[..., 2, 1] = 2 * (y * z + x * w)
    m[..., 2, 2] = 1 - 2 * (x * x + y * y)
    return m


def slerp(a, b, t):
    """Row-wise slerp of unit quaternions [F,4] by t [F] (short way)."""
    d = np.sum(a * b, axis=1)
    b = np.where(d[:, None] < 0, -b, b)
    d = np.abs(d)
    out = np.empty_like(a)
    near = d > 0.9995
    tt = t[:, None]
    out[near] = a[near] + (b[near] - a[near]) * tt[near]
    far = ~near
    theta = np.arccos(np.minimum(1, d[far]))
    sn = np.sin(theta)
    out[far] = a[far] * (np.sin((1 - t[far]) * theta) / sn)[:, None] + b[far] * (np.sin(t[far] * theta) / sn)[:, None]
    return out / np.linalg.norm(out, axis=1, keepdims=True)


class Take:
    """One BVH take: skeleton, local rotations [F,J,3,3] and translations [F,J,3] at its own rate."""

    def __init__(self, path):
        self.path = path
        names, parents, offsets, chans, fps, data = read_bvh(path)
        self.names, self.parents, self.fps = names, parents, fps
        f, jn = data.shape[0], len(names)
        if f < 1:
            raise StatsError(f"{path}: no frames of motion")
        rot = np.tile(np.eye(3), (f, jn, 1, 1))
        trans = np.tile(offsets[None], (f, 1, 1)).astype(np.float64)
        rest = offsets.copy()
        col = 0
        for j, ch in enumerate(chans):
            pos = {}
            m = np.tile(np.eye(3), (f, 1, 1))
            for c in ch:
                v = data[:, col]
                col += 1
                if c.endswith("position"):
                    pos["xyz".index(c[0])] = v
                else:
                    m = m @ axis_matrix("xyz".index(c[0]), np.radians(v))
            rot[:, j] = m
            if pos:
                for a, v in pos.items():
                    trans[:, j, a] = v
                # a2m's reader: constant non-root translations fold into the rest OFFSET.
                if j > 0 and np.all(trans[:, j] == trans[0, j]):
                    rest[j] = trans[0, j]
        self.rest_offsets = rest
        self.rot, self.trans = rot, trans

    def resampled(self, rate=RATE):
        """The take at `rate`: rotations by slerp, translations linearly, at times k / rate for
        k < max(1, round(frames * rate / fps)) (frame f stands for [f, f + 1) / fps, so the take keeps its
        length; past the last source frame it is held), as MotionClip.resampled and resampledFrameCount."""
        f = self.rot.shape[0]
        if self.fps == rate or f <= 1:
            return self.rot, self.trans
        # Swift's .rounded() rounds halves away from zero; Python's round() would round them to even.
        n = max(1, int(math.floor(f * rate / self.fps + 0.5)))
        s = np.arange(n) * self.fps / rate
        i0 = np.minimum(np.floor(s).astype(int), f - 1)
        i1 = np.minimum(i0 + 1, f - 1)
        t = np.where(i1 == i0, 0.0, s - i0)
        trans = self.trans[i0] + (self.trans[i1] - self.trans[i0]) * t[:, None, None]
        if np.all(t == 0):
            return self.rot[i0], trans
        jn = self.rot.shape[1]
        rot = np.empty((n, jn, 3, 3))
        for j in range(jn):
            qa = quat_from_matrix(self.rot[i0, j])
            qb = quat_from_matrix(self.rot[i1, j])
            rot[:, j] = matrix_from_quat(slerp(qa, qb, t))
        return rot, trans


def forward_kinematics(parents, rot, trans):
    """World rotations [F,J,3,3] and positions [F,J,3]: world = parent · T(local translation) · R_local."""
    f, jn = rot.shape[:2]
    wr = np.empty_like(rot)
    wp = np.empty((f, jn, 3))
    for j, p in enumerate(parents):
        if p < 0:
            wr[:, j], wp[:, j] = rot[:, j], trans[:, j]
        else:
            wr[:, j] = wr[:, p] @ rot[:, j]
            wp[:, j] = wp[:, p] + np.einsum("fab,fb->fa", wr[:, p], trans[:, j])
    return wr, wp


def rest_positions(parents, offsets):
    p = np.zeros((len(parents), 3))
    for j, q in enumerate(parents):
        p[j] = offsets[j] if q < 0 else p[q] + offsets[j]
    return p


# ------------------------------------------------------------------------------------------- roles

def tokens(name):
    """Lower-case words of a joint name: namespace dropped (mixamorig:LeftHand), split at separators, case
    changes and digits; a glued 'left'/'right' prefix is split off (lefthand -> left, hand)."""
    name = name.split(":")[-1].split("|")[-1]
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+", name)
    out = []
    for w in words:
        w = w.lower()
        for side in ("left", "right"):
            if w.startswith(side) and len(w) > len(side):
                out.append(side)
                w = w[len(side):]
                break
        out.append(w)
    return out


def side_of(toks):
    if "left" in toks or "l" in toks:
        return "left"
    if "right" in toks or "r" in toks:
        return "right"
    return None


def depth(parents, j):
    d = 0
    while parents[j] >= 0:
        j = parents[j]
        d += 1
    return d


def ancestors(parents, j):
    out = []
    while parents[j] >= 0:
        j = parents[j]
        out.append(j)
    return out


def is_twist(name):
    low = name.lower()
    return any(w in low for w in TWIST_WORDS)


def find_roles(path, names, parents):
    """Joint indices of hips, chest, head, both wrists, elbows and shoulders, and each hand's fingertips.

    By name: the wrists (a joint whose words include 'hand' or 'wrist' and no finger word, on a side; the one
    nearest the root), the head ('head', no side, not an end), the hips ('hips'/'pelvis', no side; else
    'root', as GENEA's b_root; else the root joint).
    By structure: elbow = the wrist's nearest ancestor that is not a twist/roll helper, shoulder = the elbow's;
    chest = the deepest joint that is an ancestor of both wrists; fingertips = leaf joints at least two joints
    below a wrist that has at least FINGER_MIN_JOINTS joints below it."""
    toks = [tokens(n) for n in names]
    wrist = {}
    for side in ("left", "right"):
        cands = [j for j, t in enumerate(toks)
                 if side_of(t) == side and ("hand" in t or "wrist" in t) and not (set(t) & FINGER_WORDS)]
        if not cands:
            raise StatsError(f"{path}: no {side} wrist: expected a joint named like {side.capitalize()}Hand, "
                             f"{side.capitalize()}Wrist, {'Hand_L' if side == 'left' else 'Hand_R'} or "
                             f"mixamorig:{side.capitalize()}Hand")
        wrist[side] = min(cands, key=lambda j: (depth(parents, j), j))
    heads = [j for j, t in enumerate(toks)
             if "head" in t and side_of(t) is None and not (set(t) & {"end", "top", "nub", "site", "tip"})]
    if not heads:
        raise StatsError(f"{path}: no head: expected a joint named Head (or head, mixamorig:Head)")
    head = min(heads, key=lambda j: (depth(parents, j), j))
    hipc = [j for j, t in enumerate(toks) if side_of(t) is None and ("hips" in t or "pelvis" in t)]
    if not hipc:  # GENEA's b_root under body_world
        hipc = [j for j, t in enumerate(toks) if side_of(t) is None and "root" in t]
    hips = min(hipc, key=lambda j: (depth(parents, j), j)) if hipc else 0
    elbow, shoulder = {}, {}
    for side in ("left", "right"):
        chain = [a for a in ancestors(parents, wrist[side]) if not is_twist(names[a])]
        if len(chain) < 2:
            raise StatsError(f"{path}: no {side} shoulder: expected an elbow and a shoulder joint above the {side} "
                             f"wrist '{names[wrist[side]]}'")
        elbow[side], shoulder[side] = chain[0], chain[1]
    la = ancestors(parents, wrist["left"])
    ra = set(ancestors(parents, wrist["right"]))
    common = [a for a in la if a in ra]
    if not common:
        raise StatsError(f"{path}: no chest: expected the two wrists to hang from one spine (they share no ancestor)")
    chest = common[0]
    if chest in (shoulder["left"], shoulder["right"], elbow["left"], elbow["right"]):
        raise StatsError(f"{path}: no shoulder: expected the arms of '{names[wrist['left']]}' and "
                         f"'{names[wrist['right']]}' to branch from a spine joint")
    children = {j: [] for j in range(len(names))}
    for j, p in enumerate(parents):
        if p >= 0:
            children[p].append(j)
    tips = {}
    for side in ("left", "right"):
        below, todo = [], [(c, 1) for c in children[wrist[side]]]
        while todo:
            j, d = todo.pop()
            below.append((j, d))
            todo += [(c, d + 1) for c in children[j]]
        # A fingertip ends a chain of at least two joints below the wrist (a lone marker child is not a finger).
        tips[side] = sorted(j for j, d in below if not children[j] and d >= 2) if len(below) >= FINGER_MIN_JOINTS else []
    return dict(hips=hips, chest=chest, head=head, wrist=wrist, elbow=elbow, shoulder=shoulder, tips=tips)


# ---------------------------------------------------------------------------------------- one take

def hann(n):
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


def smoothed(x, window):
    """Centred moving mean over `window` frames, the window shrunk at the ends."""
    h = window // 2
    c = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(len(x))
    a, b = np.maximum(0, i - h), np.minimum(len(x), i + h + 1)
    return (c[b] - c[a]) / (b - a)


def runs_at_least(mask, n):
    """mask with runs of True shorter than n set False."""
    out = np.zeros_like(mask)
    i = 0
    while i < len(mask):
        if mask[i]:
            j = i
            while j < len(mask) and mask[j]:
                j += 1
            if j - i >= n:
                out[i:j] = True
            i = j
        else:
            i += 1
    return out


def reversals(angle, threshold):
    """How many times `angle` (degrees) turns back after moving at least `threshold` one way: each reversal
    ends a swing of at least `threshold` (a nod, down and up again, is two)."""
    count, direction = 0, 0
    hi = lo = ext = angle[0]
    for a in angle[1:]:
        if direction == 0:
            hi, lo = max(hi, a), min(lo, a)
            if hi - a >= threshold:
                direction, ext = -1, a
            elif a - lo >= threshold:
                direction, ext = 1, a
        elif direction > 0:
            if a > ext:
                ext = a
            elif ext - a >= threshold:
                count, direction, ext = count + 1, -1, a
        else:
            if a < ext:
                ext = a
            elif a - ext >= threshold:
                count, direction, ext = count + 1, 1, a
    return count


def take_measures(path):
    """Per-frame measures of one take at 30 fps (a dict of arrays and scalars)."""
    take = Take(path)
    r = find_roles(path, take.names, take.parents)
    rest = rest_positions(take.parents, take.rest_offsets)
    ls, rs, hp = rest[r["shoulder"]["left"]], rest[r["shoulder"]["right"]], rest[r["hips"]]
    mid = 0.5 * (ls + rs)
    scale = float(np.linalg.norm(mid - hp))
    if not scale > 0:
        raise StatsError(f"{path}: the shoulders are at the hips in the rest pose (shoulder height 0)")
    up_rest = (mid - hp) / scale
    lat_rest = ls - rs
    lat_rest -= up_rest * np.dot(lat_rest, up_rest)
    if np.linalg.norm(lat_rest) < 1e-9 * scale:
        raise StatsError(f"{path}: the left and right shoulders coincide in the rest pose")
    lat_rest /= np.linalg.norm(lat_rest)
    fwd_rest = np.cross(lat_rest, up_rest)

    rot, trans = take.resampled(RATE)
    if rot.shape[0] < 2:
        raise StatsError(f"{path}: {rot.shape[0]} frame(s) at 30 fps; gesture statistics need at least 2")
    wr, wp = forward_kinematics(take.parents, rot, trans)
    hips = wp[:, r["hips"]]
    lsh, rsh = wp[:, r["shoulder"]["left"]], wp[:, r["shoulder"]["right"]]
    # World up: the coordinate axis nearest the mean hips -> shoulders direction (Y for BVH; Z-up files work too).
    mean_up = np.mean(0.5 * (lsh + rsh) - hips, axis=0)
    axis = int(np.argmax(np.abs(mean_up)))
    up = np.zeros(3)
    up[axis] = 1.0 if mean_up[axis] > 0 else -1.0
    lat = lsh - rsh
    lat -= np.outer(lat @ up, up)
    lat /= np.maximum(np.linalg.norm(lat, axis=1, keepdims=True), 1e-12)
    fwd = np.cross(lat, up)
    mid_torso = 0.5 * ((0.5 * (lsh + rsh) - hips) @ up) / scale
    out = dict(frames=wp.shape[0], fps=take.fps, scale=scale, mid_torso=mid_torso)
    speeds, heights, laterals, forwards = {}, {}, {}, {}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        d = wp[:, r["wrist"][side]] - hips
        heights[side] = (d @ up) / scale
        laterals[side] = sign * np.sum(d * lat, axis=1) / scale
        forwards[side] = np.sum(d * fwd, axis=1) / scale
        speeds[side] = np.linalg.norm(np.diff(d, axis=0), axis=1) * RATE / scale
    out.update(height=heights, lateral=laterals, forward=forwards, speed=speeds)
    # Head: pitch (nod, + = up) and yaw (turn, + = to the character's left) of the head relative to the chest.
    rel = np.einsum("fba,fbc->fac", wr[:, r["chest"]], wr[:, r["head"]])
    f = rel @ fwd_rest
    out["pitch"] = np.degrees(np.arcsin(np.clip(f @ up_rest, -1, 1)))
    out["yaw"] = np.degrees(np.arctan2(f @ lat_rest, f @ fwd_rest))
    # Fingers: fingertips in the wrist's frame, in S.
    tips = {}
    for side in ("left", "right"):
        if r["tips"][side]:
            w = r["wrist"][side]
            local = np.einsum("fba,ftb->fta", wr[:, w], wp[:, r["tips"][side]] - wp[:, w][:, None]) / scale
            tips[side] = local
    out["tips"] = tips
    out["roles"] = {k: (v if isinstance(v, int) else v) for k, v in r.items()}
    out["names"] = take.names
    return out


# ------------------------------------------------------------------------------------------ a set

def percentiles(x, qs=(5, 25, 50, 75, 95)):
    return {f"p{q}": float(np.percentile(x, q)) for q in qs}


def histogram(values, lo, width, count, underflow):
    idx = np.floor((values - lo) / width).astype(np.int64)
    counts = np.zeros(count + 2 if underflow else count + 1, dtype=np.int64)
    if underflow:
        idx = np.clip(idx + 1, 0, count + 1)
    else:
        idx = np.clip(idx, 0, count)
    np.add.at(counts, idx, 1)
    return counts


def hellinger(p, q):
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    p, q = p / p.sum(), q / q.sum()
    return float(math.sqrt(max(0.0, 1.0 - np.sum(np.sqrt(p * q)))))


def set_statistics(files, quiet=False):
    if not files:
        raise StatsError("no BVH files")
    takes = []
    for n, path in enumerate(files):
        takes.append(take_measures(path))
        if not quiet and sys.stderr.isatty():
            print(f"\r{n + 1}/{len(files)} takes", end="", file=sys.stderr)
    if not quiet and sys.stderr.isatty():
        print(file=sys.stderr)
    frames = sum(t["frames"] for t in takes)
    cat = lambda key, side: np.concatenate([t[key][side] for t in takes])
    hl, hr = cat("height", "left"), cat("height", "right")
    mt = np.concatenate([t["mid_torso"] for t in takes])
    in_l, in_r = hl >= mt, hr >= mt
    heights = np.concatenate([hl, hr])
    lateral = np.concatenate([cat("lateral", "left"), cat("lateral", "right")])
    forward = np.concatenate([cat("forward", "left"), cat("forward", "right")])
    speed = np.concatenate([cat("speed", "left"), cat("speed", "right")])

    # Spectrum of each wrist's speed: Welch segments, power summed over every segment of every take and wrist.
    window = hann(SEGMENT)
    power = np.zeros(SEGMENT // 2 + 1)
    segments = 0
    for t in takes:
        for side in ("left", "right"):
            s = t["speed"][side]
            for a in range(0, len(s) - SEGMENT + 1, SEGMENT // 2):
                seg = s[a:a + SEGMENT]
                power += np.abs(np.fft.rfft((seg - seg.mean()) * window)) ** 2
                segments += 1
    freqs = np.arange(SEGMENT // 2 + 1) * RATE / SEGMENT
    total = power[1:].sum()
    share = float(power[freqs > HIGH_HZ].sum() / total) if segments and total > 0 else None

    # Holds and rests: both wrists' smoothed speeds below STILL_SPEED for STILL_MIN_FRAMES frames or more.
    # Speeds are between frames k and k+1; frame k counts with the speed that ends at it (k >= 1).
    hold = rest = counted = 0
    for t in takes:
        sl = smoothed(t["speed"]["left"], STILL_WINDOW)
        sr = smoothed(t["speed"]["right"], STILL_WINDOW)
        still = runs_at_least((sl < STILL_SPEED) & (sr < STILL_SPEED), STILL_MIN_FRAMES)
        up = (t["height"]["left"][1:] >= t["mid_torso"][1:]) | (t["height"]["right"][1:] >= t["mid_torso"][1:])
        hold += int(np.sum(still & up))
        rest += int(np.sum(still & ~up))
        counted += len(still)

    # Head: amplitude = RMS deviation from each take's mean; speed = mean |d angle / dt|; swings per minute.
    def head(key):
        dev = np.concatenate([t[key] - t[key].mean() for t in takes])
        spd = np.concatenate([np.abs(np.diff(t[key])) * RATE for t in takes])
        n = sum(reversals(t[key], SWING_DEGREES) for t in takes) / 2
        minutes = sum((t["frames"] - 1) / RATE for t in takes) / 60
        return float(np.sqrt(np.mean(dev ** 2))), float(spd.mean()), float(n / minutes)

    nod = head("pitch")
    turn = head("yaw")
    # Fingers: speed of the fingertips in the wrist's frame, and the spread of their distance from the wrist.
    finger_takes = [t for t in takes if t["tips"]]
    fingers = None
    if finger_takes:
        sp, ranges = [], []
        for t in finger_takes:
            for side, local in t["tips"].items():
                sp.append(np.linalg.norm(np.diff(local, axis=0), axis=2).ravel() * RATE)
                dist = np.linalg.norm(local, axis=2)
                ranges += list(np.percentile(dist, 95, axis=0) - np.percentile(dist, 5, axis=0))
        sp = np.concatenate(sp)
        fingers = {"takes": len(finger_takes), "tip_speed_mean": float(sp.mean()),
                   "tip_speed_p95": float(np.percentile(sp, 95)), "tip_distance_range": float(np.mean(ranges))}

    fps_list = sorted({round(t["fps"], 3) for t in takes})
    return {
        "format": FORMAT, "version": VERSION,
        "takes": len(takes), "frames": frames, "seconds": float(sum((t["frames"] - 1) / RATE for t in takes)),
        "source_fps": fps_list,
        "gesture_space": {
            "occupancy": float(np.mean(in_l | in_r)),
            "occupancy_left": float(np.mean(in_l)), "occupancy_right": float(np.mean(in_r)),
            "occupancy_both": float(np.mean(in_l & in_r)),
            "mid_torso": float(mt.mean()),
            "wrist_height": dict(mean=float(heights.mean()), **percentiles(heights)),
            "wrist_height_histogram": histogram(heights, HEIGHT_MIN, HEIGHT_BIN_WIDTH, HEIGHT_BIN_COUNT, True).tolist(),
        },
        "range": {
            "lateral": dict(mean=float(lateral.mean()), **percentiles(lateral, (5, 95)),
                            range=float(np.percentile(lateral, 95) - np.percentile(lateral, 5))),
            "forward": dict(mean=float(forward.mean()), **percentiles(forward, (5, 95)),
                            range=float(np.percentile(forward, 95) - np.percentile(forward, 5))),
        },
        "wrist_speed": {
            "mean": float(speed.mean()), **percentiles(speed, (50, 95)),
            "histogram": histogram(speed, 0.0, SPEED_BIN_WIDTH, SPEED_BIN_COUNT, False).tolist(),
        },
        "spectrum": {"share_above_6hz": share, "segments": segments},
        "stillness": {"hold": hold / counted, "rest": rest / counted, "still": (hold + rest) / counted},
        "head": {"nod_rms_deg": nod[0], "nod_speed_deg_s": nod[1], "nods_per_min": nod[2],
                 "turn_rms_deg": turn[0], "turn_speed_deg_s": turn[1], "turns_per_min": turn[2]},
        "fingers": fingers,
    }


# ------------------------------------------------------------------------------------ comparison

# (label, path in the JSON, format)
ROWS = [
    ("takes", ("takes",), "{:.0f}"),
    ("seconds", ("seconds",), "{:.1f}"),
    ("gesture-space occupancy (either wrist >= mid-torso)", ("gesture_space", "occupancy"), "{:.3f}"),
    ("  both wrists >= mid-torso", ("gesture_space", "occupancy_both"), "{:.3f}"),
    ("mid-torso height (S)", ("gesture_space", "mid_torso"), "{:.3f}"),
    ("wrist height mean (S)", ("gesture_space", "wrist_height", "mean"), "{:.3f}"),
    ("wrist height p5 / p50 / p95 (S)", [("gesture_space", "wrist_height", k) for k in ("p5", "p50", "p95")], "{:.2f}"),
    ("lateral range p95 - p5 (S)", ("range", "lateral", "range"), "{:.3f}"),
    ("lateral mean, outward (S)", ("range", "lateral", "mean"), "{:.3f}"),
    ("forward range p95 - p5 (S)", ("range", "forward", "range"), "{:.3f}"),
    ("forward mean (S)", ("range", "forward", "mean"), "{:.3f}"),
    ("wrist speed mean (S/s)", ("wrist_speed", "mean"), "{:.3f}"),
    ("wrist speed p50 / p95 (S/s)", [("wrist_speed", k) for k in ("p50", "p95")], "{:.3f}"),
    ("wrist-speed power above 6 Hz", ("spectrum", "share_above_6hz"), "{:.4f}"),
    ("hold fraction (still, in gesture space)", ("stillness", "hold"), "{:.3f}"),
    ("rest fraction (still, below mid-torso)", ("stillness", "rest"), "{:.3f}"),
    ("head nod RMS (deg)", ("head", "nod_rms_deg"), "{:.2f}"),
    ("head nod speed (deg/s)", ("head", "nod_speed_deg_s"), "{:.2f}"),
    ("head nods per minute", ("head", "nods_per_min"), "{:.1f}"),
    ("head turn RMS (deg)", ("head", "turn_rms_deg"), "{:.2f}"),
    ("head turn speed (deg/s)", ("head", "turn_speed_deg_s"), "{:.2f}"),
    ("head turns per minute", ("head", "turns_per_min"), "{:.1f}"),
    ("fingertip speed in the hand (S/s)", ("fingers", "tip_speed_mean"), "{:.3f}"),
    ("fingertip distance range (S)", ("fingers", "tip_distance_range"), "{:.3f}"),
]


def get(stats, path):
    for k in path:
        if stats is None:
            return None
        stats = stats.get(k)
    return stats


def cell(stats, path, fmt):
    if isinstance(path, list):
        vals = [get(stats, p) for p in path]
        return " / ".join("–" if v is None else fmt.format(v) for v in vals)
    v = get(stats, path)
    return "–" if v is None else fmt.format(v)


def distances(stats, ref):
    """Distances of `stats` to `ref`, with the bounds of issue 35 (corpus v2 against the real reference)."""
    d = {}
    d["wrist_speed_hellinger"] = hellinger(stats["wrist_speed"]["histogram"], ref["wrist_speed"]["histogram"])
    d["wrist_height_hellinger"] = hellinger(stats["gesture_space"]["wrist_height_histogram"],
                                            ref["gesture_space"]["wrist_height_histogram"])
    d["occupancy_difference"] = stats["gesture_space"]["occupancy"] - ref["gesture_space"]["occupancy"]
    a, b = stats["spectrum"]["share_above_6hz"], ref["spectrum"]["share_above_6hz"]
    d["share_above_6hz_ratio"] = a / b if a is not None and b else None
    d["hold_difference"] = stats["stillness"]["hold"] - ref["stillness"]["hold"]
    d["rest_difference"] = stats["stillness"]["rest"] - ref["stillness"]["rest"]
    return d


BOUNDS = [("occupancy_difference", "within ±0.15", lambda x: abs(x) <= 0.15),
          ("wrist_speed_hellinger", "≤ 0.10", lambda x: x <= 0.10),
          ("share_above_6hz_ratio", "≤ 1.2", lambda x: x <= 1.2),
          ("hold_difference", "within ±0.1", lambda x: abs(x) <= 0.1),
          ("rest_difference", "within ±0.1", lambda x: abs(x) <= 0.1),
          ("wrist_height_hellinger", "(no bound)", None)]


def table(columns):
    """Markdown table: one row per statistic, one column per (title, stats)."""
    lines = ["| statistic | " + " | ".join(t for t, _ in columns) + " |",
             "|---|" + "---:|" * len(columns)]
    for label, path, fmt in ROWS:
        lines.append(f"| {label} | " + " | ".join(cell(s, path, fmt) for _, s in columns) + " |")
    return "\n".join(lines)


def distance_table(columns):
    """Markdown table: one row per bound of issue 35, one column per (title, distances)."""
    lines = ["| distance to the reference | bound (issue 35) | " + " | ".join(t for t, _ in columns) + " |",
             "|---|---|" + "---:|" * len(columns)]
    for key, text, ok in BOUNDS:
        cells = []
        for _, d in columns:
            v = d.get(key)
            mark = "" if v is None or ok is None else (" yes" if ok(v) else " no")
            cells.append("–" if v is None else f"{v:.4f}{mark}")
        lines.append(f"| {key} | {text} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def load_stats(path):
    try:
        stats = json.load(open(path))
    except (OSError, ValueError) as e:
        raise StatsError(f"{path}: cannot read statistics JSON ({e})")
    if stats.get("format") != FORMAT:
        raise StatsError(f"{path}: not a gesture statistics file (format is {stats.get('format')!r}, expected {FORMAT!r})")
    return stats


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="*", help="folders of BVH takes (every *.bvh directly inside)")
    ap.add_argument("--out", help="write the statistics as JSON here")
    ap.add_argument("--compare", help="a statistics JSON (this script's or a2m eval's) to print distances to")
    ap.add_argument("--name", default="this set", help="column title in the table")
    ap.add_argument("--table", nargs="+", metavar="TITLE=JSON",
                    help="instead of measuring: print one table of these statistics files side by side, and the "
                         "distances of the others to the first")
    ap.add_argument("--embed", nargs=2, metavar=("JSON", "SWIFT"),
                    help="copy a statistics JSON verbatim into the raw string literal of a Swift file (a2m's embedded "
                         "reference: Sources/A2MKit/Evaluation/GestureReference.swift)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    try:
        if args.embed:
            json_path, swift_path = args.embed
            load_stats(json_path)
            text, swift = open(json_path).read(), open(swift_path).read()
            start, end = swift.find('#"""\n'), swift.rfind('"""#')
            if start < 0 or end < start:
                raise StatsError(f"{swift_path}: no #\"\"\" ... \"\"\"# raw string literal to fill")
            with open(swift_path + ".tmp", "w") as f:
                f.write(swift[:start + 5] + text + swift[end:])
            os.replace(swift_path + ".tmp", swift_path)
            return 0
        if args.table:
            if args.dirs:
                raise StatsError("give either folders to measure or --table, not both")
            cols = []
            for item in args.table:
                title, sep, path = item.rpartition("=")
                if not sep:
                    raise StatsError(f"--table takes TITLE=PATH, got {item!r}")
                cols.append((title, load_stats(path)))
            print(table(cols))
            if len(cols) > 1:
                print()
                print(distance_table([(t, distances(st, cols[0][1])) for t, st in cols[1:]]))
            return 0
        if not args.dirs:
            raise StatsError("no folders given (or use --table)")
        files = []
        for d in args.dirs:
            if not os.path.isdir(d):
                raise StatsError(f"{d}: not a directory")
            found = sorted(glob.glob(os.path.join(d, "*.bvh")))
            if not found:
                raise StatsError(f"{d}: no .bvh files in this folder")
            files += found
        stats = set_statistics(files, quiet=args.quiet)
        stats["files"] = [os.path.relpath(f, os.path.dirname(os.path.abspath(args.dirs[0]))) for f in files]
        ref = load_stats(args.compare) if args.compare else None
        if ref:
            stats["comparison"] = {"reference": args.compare, **distances(stats, ref)}
    except StatsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(table([(args.name, stats)] + ([("reference", ref)] if ref else [])))
    if ref:
        print()
        print(distance_table([(args.name, stats["comparison"])]))
    if args.out:
        tmp = args.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(stats, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
