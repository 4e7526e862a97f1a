#!/usr/bin/env python3
"""Diagnose what drives FID_k and jerk in generated motion (docs/notes/2026-11-results-notebook.md, "Why FID_k rises with guidance here").

An independent re-implementation, in numpy/scipy, of the two things a2m's evaluation computes from BVH files:
forward kinematics and Bailando's per-joint kinetic features (mean horizontal and vertical squared speed and mean
acceleration magnitude, with Bailando's ±2-frame averaging). It exists to break FID_k down by feature, which
`a2m eval` does not print. Diagnostics only: the product never runs Python.

    python3 docs/scripts/motion_diagnosis.py kinetic GT_DIR GEN_DIR   # features ranked by z-score against GT
    python3 docs/scripts/motion_diagnosis.py joints  GT_DIR GEN_DIR   # selected joints, every feature
    python3 docs/scripts/motion_diagnosis.py jerk    GT_DIR GEN_DIR... # per-joint root-relative jerk, first 3 clips
    python3 docs/scripts/motion_diagnosis.py foot    CLIP GT_DIR GEN_DIR... # LeftFoot range, speed and tremor
    python3 docs/scripts/motion_diagnosis.py fid     GT_DIR GEN_DIR...      # FID_k: all joints, legs only, the rest, without Head.v
    python3 docs/scripts/motion_diagnosis.py pcs     GT_DIR GEN_DIR...      # per-clip variation along GT's principal axes
    python3 docs/scripts/motion_diagnosis.py seeds   GEN_DIR_A GEN_DIR_B    # same clips, two seeds: accel. correlation
    python3 docs/scripts/motion_diagnosis.py bands   GT_DIR GEN_DIR...      # RMS acceleration below / above 1 Hz
    python3 docs/scripts/motion_diagnosis.py outliers GT_DIR GEN_DIR...     # per clip, the feature farthest from GT
    python3 docs/scripts/motion_diagnosis.py hands SECONDS GT_DIR GEN_DIR... # handedness on each clip's first SECONDS
    python3 docs/scripts/motion_diagnosis.py style CORPUS_DIR [N]           # style measured from motion vs corpus.json
    python3 docs/scripts/motion_diagnosis.py nods GT_DIR GEN_DIR...         # neck and head pitch above a 15-frame mean
    python3 docs/scripts/motion_diagnosis.py sway GT_DIR GEN_DIR...         # the root's sideways drift: spread across clips
    python3 docs/scripts/motion_diagnosis.py rest GT_DIR GEN_DIR...         # hands' speed in the audio's silences vs its speech
    python3 docs/scripts/motion_diagnosis.py strata GT_DIR GEN_DIR...       # FID_k of half-second windows, by what the audio does

GEN_DIR holds NAME.bvh for some NAME.bvh in GT_DIR (as `a2m generate GT_DIR/*.wav --out GEN_DIR` writes).
`rest` and `strata` also read GT_DIR/NAME.wav (16-bit PCM, as `a2m corpus` writes) and label every half-second
window of a clip by that audio, for the ground truth and the generated motion alike.
Needs numpy and scipy. Units: cm and seconds.
"""
import glob
import os
import sys
import wave

import numpy as np
import scipy.linalg
from scipy.spatial.transform import Rotation


def read_bvh(path):
    lines = open(path).read().split('\n')
    names, parents, offsets, chans, stack = [], [], [], [], []
    i, cur = 0, None
    while not lines[i].strip().startswith('MOTION'):
        t = lines[i].split()
        if t and t[0] in ('ROOT', 'JOINT'):
            names.append(t[1]); parents.append(stack[-1] if stack else -1); cur = len(names) - 1
        elif t and t[0] == 'End':
            names.append(None); parents.append(stack[-1]); cur = len(names) - 1; chans.append([])
        elif t and t[0] == '{':
            stack.append(cur)
        elif t and t[0] == '}':
            stack.pop()
        elif t and t[0] == 'OFFSET':
            offsets.append([float(x) for x in t[1:4]])
        elif t and t[0] == 'CHANNELS':
            chans.append(t[2:])
        i += 1
    fps = 1 / float(lines[i + 2].split(':')[1])
    data = np.array([[float(x) for x in l.split()] for l in lines[i + 3:] if l.strip()])
    return names, parents, np.array(offsets), chans, fps, data


def bvh_files(d):
    """Every NAME.bvh in directory d, sorted by name."""
    return sorted(glob.glob(os.path.join(d, '*.bvh')))


def root_positions(path):
    """The root's position channels [frames, 3] (X, Y, Z) in cm, and the frame rate."""
    names, parents, off, chans, fps, data = read_bvh(path)
    return data[:, [chans[0].index(c) for c in ('Xposition', 'Yposition', 'Zposition')]], fps


def dct_basis(n, k):
    """The first k orthonormal DCT-II vectors of length n, [k, n]."""
    i = np.arange(n)
    c = np.array([np.cos(np.pi * (i + 0.5) * j / n) for j in range(k)])
    return c / np.linalg.norm(c, axis=1, keepdims=True)


def fk(path):
    """World joint positions [frames, joints, 3] (End Sites dropped), joint names, fps."""
    names, parents, off, chans, fps, data = read_bvh(path)
    F, J = data.shape[0], len(names)
    pos, rot, col = np.zeros((F, J, 3)), [None] * J, 0
    for j in range(J):
        c = chans[j]; vals = data[:, col:col + len(c)]; col += len(c)
        p = off[j][None].repeat(F, 0)
        rc = [k for k, n in enumerate(c) if n.lower().endswith('rotation')]
        pc = [k for k, n in enumerate(c) if n.lower().endswith('position')]
        if pc:
            p = p + vals[:, pc]
        r = Rotation.from_euler(''.join(c[k][0].upper() for k in rc), vals[:, rc], degrees=True) if rc else Rotation.identity(F)
        if parents[j] < 0:
            pos[:, j] = p; rot[j] = r
        else:
            pr = rot[parents[j]]; pos[:, j] = pos[:, parents[j]] + pr.apply(p); rot[j] = pr * r
    keep = [j for j in range(J) if names[j] is not None]
    return pos[:, keep], [names[j] for j in keep], fps


def kinetic(p, fps, w=2):
    """Bailando's kinetic features (utils/features/kinetic.py), Y up: per joint (h, v, e)."""
    T, dt, out = p.shape[0], 1 / fps, []
    d1 = np.diff(p, axis=0)
    for j in range(p.shape[1]):
        h = v = e = 0.0
        for i in range(1, T):
            ks = [k for k in range(-w, w + 1) if i + k - 1 >= 0 and i + k < T]
            vv = sum(d1[i + k - 1, j] for k in ks) / (len(ks) * dt)
            h += vv[0] ** 2 + vv[2] ** 2; v += vv[1] ** 2
        for i in range(1, T - 1):
            ks = [k for k in range(-w, w + 1) if i + k - 1 >= 0 and i + k + 1 < T]
            a = sum(p[i + k + 1, j] - 2 * p[i + k, j] + p[i + k - 1, j] for k in ks) / (len(ks) * dt * dt)
            e += np.linalg.norm(a)
        out += [h / (T - 1), v / (T - 1), e / (T - 1)]
    return np.array(out)


def kinetic_sets(gt_dir, gen_dir):
    G, Gt, names = [], [], None
    for g in bvh_files(gen_dir):
        pg, names, fps = fk(g)
        pt, _, _ = fk(os.path.join(gt_dir, os.path.basename(g)))
        n = min(len(pg), len(pt))
        G.append(kinetic(pg[:n], fps)); Gt.append(kinetic(pt[:n], fps))
    G, Gt = np.array(G), np.array(Gt)
    mu, sd = Gt.mean(0), Gt.std(0)
    return G, mu, sd, normalized(G, mu, sd), feature_labels(names)


def feature_labels(names):
    """Labels of the kinetic features, in `kinetic`'s order: NAME.h, NAME.v, NAME.e per joint."""
    return [f"{n}.{k}" for n in names for k in 'hve']


def normalized(x, mu, sd):
    """Features divided by the ground truth's spread, as Bailando normalizes them before FID_k."""
    return (x - mu) / (sd + 1e-10)


def dir_kinetic(d):
    """Kinetic features of every NAME.bvh in d (rows, sorted by name), each clip at its full length."""
    return np.array([kinetic(*fk(f)[::2]) for f in bvh_files(d)])


def gt_kinetic(gt_dir):
    """Kinetic features of every clip in gt_dir (rows), the joint names, and the features' mean and std."""
    gt = dir_kinetic(gt_dir)
    return gt, fk(bvh_files(gt_dir)[0])[1], gt.mean(0), gt.std(0)


def hand_log_ratio(p, names):
    """log2 of the left over the right hand's horizontal squared speed over positions p [frames, joints, 3]:
    about ±3 for a one-handed clip of the corpus, near 0 for two hands."""
    v = np.diff(p, axis=0)[:, :, [0, 2]]
    return np.log2((v[:, names.index('LeftHand')] ** 2).sum() / (v[:, names.index('RightHand')] ** 2).sum())


def leg_and_head_v(names):
    """Masks over the (h, v, e) features of `names`: the leg and foot joints (every Leg, Foot and Toe joint), and
    the head joint's vertical speed² (Head.v), the two groups the results notebook splits FID_k by."""
    legs = np.array([any(s in n for s in ('Leg', 'Foot', 'Toe')) for n in names for _ in 'hve'])
    head_v = np.zeros(len(legs), bool)
    head_v[names.index('Head') * 3 + 1] = True
    return legs, head_v


def frechet(a, b):
    """Fréchet distance between the Gaussians fitted to the rows of a and b (Bailando's calc_fid)."""
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    return ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2).real)


def frame_count(path):
    """The frames of a BVH file, from its "Frames:" line (no forward kinematics)."""
    with open(path) as f:
        for line in f:
            if line.strip().startswith('Frames:'):
                return int(line.split(':')[1])
    sys.exit(f"{path}: no 'Frames:' line")


def audio_activity(wav, frames, fps):
    """Per motion frame: whether the clip's audio is within ACTIVE_DB of its loudest frame (RMS over 1/fps s)."""
    try:
        w = wave.open(wav)
    except (wave.Error, EOFError) as e:
        sys.exit(f"{wav}: not a WAV file Python's wave module reads ({e}); expected 16-bit PCM, as a2m corpus writes")
    if w.getsampwidth() != 2:
        sys.exit(f"{wav}: {8 * w.getsampwidth()}-bit samples; expected 16-bit PCM, as a2m corpus writes")
    sr, ch = w.getframerate(), w.getnchannels()
    x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64).reshape(-1, ch).mean(1) / 32768
    hop = sr / fps
    rms = np.array([np.sqrt(np.mean(x[int(i * hop):int((i + 1) * hop)] ** 2) + 1e-12) for i in range(frames)])
    db = 20 * np.log10(rms)
    return db > db.max() - ACTIVE_DB


def audio_windows(gt_dir, path):
    """World positions of the generated file `path` cut to its ground-truth clip's length, and its half-second
    windows as (label, first frame): 'silent' if under SILENT_BELOW of the window's frames are active in the
    ground truth's audio, 'speech' if over SPEECH_ABOVE, else 'mixed'."""
    name = os.path.splitext(os.path.basename(path))[0]
    p, names, fps = fk(path)
    n = min(len(p), frame_count(os.path.join(gt_dir, name + '.bvh')))
    act = audio_activity(os.path.join(gt_dir, name + '.wav'), n, fps)
    labels = []
    for s in range(0, n - REST_WINDOW + 1, REST_WINDOW):
        a = act[s:s + REST_WINDOW].mean()
        labels.append(('silent' if a < SILENT_BELOW else 'speech' if a > SPEECH_ABOVE else 'mixed', s))
    return p[:n], names, fps, labels


def row(label, mu, sd, g, z):
    return f"{label:20s} gt {mu:9.3f} ± {sd:8.3f}  gen {g:9.3f}  z {z:8.1f}"


def main(argv):
    mode = argv[1]
    if mode == 'kinetic':
        G, mu, sd, z, labels = kinetic_sets(argv[2], argv[3])
        print("clips", len(G))
        for k in np.argsort(-np.abs(z.mean(0)))[:15]:
            print(row(labels[k], mu[k], sd[k], G[:, k].mean(), z[:, k].mean()))
    elif mode == 'joints':
        G, mu, sd, z, labels = kinetic_sets(argv[2], argv[3])
        for k, label in enumerate(labels):
            if label.split('.')[0] in ('Hips', 'Spine', 'Spine2', 'Head', 'LeftHand', 'LeftUpLeg', 'LeftFoot'):
                print(row(label, mu[k], sd[k], G[:, k].mean(), z[:, k].mean()))
    elif mode == 'jerk':
        gt_dir, dirs = argv[2], argv[3:]
        def j3(x, fps):
            return np.linalg.norm(np.diff(x, 3, axis=0) * fps ** 3, axis=-1).mean(0)
        files = [os.path.basename(g) for g in bvh_files(dirs[0])[:3]]
        cols, names = [], None
        for d in [gt_dir] + dirs:
            acc = 0
            for f in files:
                p, names, fps = fk(os.path.join(d, f))
                acc = acc + j3(p - p[:, :1], fps) / len(files)
            cols.append((d, acc))
        print(f"{'joint':16s}" + ''.join(f"{d[-12:]:>13s}" for d, _ in cols))
        for k, n in enumerate(names):
            print(f"{n:16s}" + ''.join(f"{c[k]:13.0f}" for _, c in cols))
    elif mode == 'foot':
        clip = argv[2]
        for d in argv[3:]:
            p, names, fps = fk(os.path.join(d, clip + '.bvh'))
            f, hips = p[:, names.index('LeftFoot')], p[:, names.index('Hips')]
            low = np.convolve(f[:, 0], np.ones(9) / 9, 'valid')
            print(f"{d}: LeftFoot range xyz {np.ptp(f, 0).round(2)} cm, mean speed "
                  f"{np.linalg.norm(np.diff(f, axis=0) * fps, axis=1).mean():.2f} cm/s, tremor (x minus 9-frame mean) "
                  f"std {(f[4:-4, 0] - low).std():.4f} cm, Hips range xyz {np.ptp(hips, 0).round(2)} cm")
    elif mode == 'fid':
        # GEN_DIR may also be another ground-truth split (clip names differ): the floor of FID_k on this corpus.
        gt, names, mu, sd = gt_kinetic(argv[2])
        legs, head_v = leg_and_head_v(names)
        for d in argv[3:]:
            gen = dir_kinetic(d)
            a, b = normalized(gt, mu, sd), normalized(gen, mu, sd)
            mean_term = ((a.mean(0) - b.mean(0)) ** 2).sum()
            print(f"{d}: FID_k {frechet(a, b):.4g} (mean term {mean_term:.4g}), legs and feet only "
                  f"{frechet(a[:, legs], b[:, legs]):.4g}, other joints only {frechet(a[:, ~legs], b[:, ~legs]):.4g}")
            # The head joint's vertical speed² (Head.v): the feature guidance overshoots (docs/notes/2026-11-results-notebook.md, "The gesture hand").
            keep = ~head_v
            print(f"  without Head.v {frechet(a[:, keep], b[:, keep]):.4g}, without Head.v and the legs "
                  f"{frechet(a[:, keep & ~legs], b[:, keep & ~legs]):.4g}")
            # Handedness per clip: log2 of the left over the right hand's horizontal speed².
            lh, rh = names.index('LeftHand') * 3, names.index('RightHand') * 3
            for label, x in (('ground truth', gt), (d, gen)):
                r = np.log2(x[:, lh] / x[:, rh])
                print(f"  {label}: right-handed {np.sum(r < -1)}, both {np.sum(abs(r) <= 1)}, left-handed {np.sum(r > 1)}")
    elif mode == 'hands':
        # Handedness on each clip's first SECONDS (0 = whole clip), scored on the clips of the last directory:
        # log2 of the left over the right hand's horizontal squared speed. The corpus draws one gesture hand per
        # clip (left, right or both), so the ground truth spreads to about ±3; a model that blends the hands
        # stays near 0. Prints the counts of |log2| > 1 and > 2 and the spread.
        seconds, dirs = float(argv[2]), argv[3:]
        clips = [os.path.basename(f) for f in bvh_files(dirs[-1])]
        for d in dirs:
            r = []
            for c in clips:
                p, names, fps = fk(os.path.join(d, c))
                r.append(hand_log_ratio(p[:int(round(seconds * fps))] if seconds > 0 else p, names))
            r = np.array(r)
            print(f"{d}: {len(r)} clips, one-handed (|log2 L/R| > 1) {np.sum(abs(r) > 1)}, beyond 2: {np.sum(abs(r) > 2)}, "
                  f"std of log2 L/R {r.std():.2f}")
    elif mode == 'style':
        # Per-clip style measured from the motion alone (forward kinematics), against the style the corpus drew
        # (corpus.json): how well a style code measured from users' BVH could stand in for the labels. The first N
        # (default 240) training-split clips; prints each measure's three best-matching fields.
        import json
        corpus = argv[2]
        n = int(argv[3]) if len(argv) > 3 else 240
        labels = {c['name']: c['style'] for c in json.load(open(os.path.join(corpus, 'corpus.json')))['clips'] if c['split'] == 'train'}
        files = [f for f in bvh_files(corpus) if os.path.basename(f)[:-4] in labels][:n]
        measured, drawn = [], []
        for f in files:
            p, names, fps = fk(f)
            J = {name: i for i, name in enumerate(names)}
            speed2 = lambda q: ((np.diff(q, axis=0) * fps) ** 2).sum(-1).mean()
            hl, hr = speed2(p[:, J['LeftHand']]), speed2(p[:, J['RightHand']])
            hips = p[:, J['Hips']]
            wrist_height = (p[:, J['LeftHand'], 1] + p[:, J['RightHand'], 1]) / 2 - hips[:, 1]
            measured.append(dict(hand=hand_log_ratio(p, names), arm_energy=np.log(hl + hr), wrist_height=np.percentile(wrist_height, 90),
                                 nod=np.log(speed2(p[:, J['Head']] - p[:, J['Neck']])), sway=np.log(hips[:, [0, 2]].std(0).sum())))
            s = dict(labels[os.path.basename(f)[:-4]])
            s['hand'] = {'left': 1, 'both': 0, 'right': -1}[s.pop('hands')]
            s['size*energy'] = s['size'] * s['energy']
            drawn.append(s)
        print(f"{len(files)} clips; |correlation| of each motion measure with the drawn style fields, best three")
        for key in measured[0]:
            x = np.array([m[key] for m in measured])
            best = sorted(((abs(np.corrcoef(x, [d[k] for d in drawn])[0, 1]), k) for k in drawn[0]), reverse=True)[:3]
            print(f"  {key:13s}" + '  '.join(f"{k} {c:.2f}" for c, k in best))
    elif mode == 'nods':
        # The nods: std of the Neck and Head Xrotation channels (degrees) minus their 15-frame moving average,
        # mean over the last directory's clips. The head joint's vertical speed (Head.v) grows much faster than
        # this, since a nod about upright lowers the head joint only at second order.
        dirs = argv[2:]
        clips = [os.path.basename(f) for f in bvh_files(dirs[-1])]
        for d in dirs:
            out = {'Neck.Xrotation': [], 'Head.Xrotation': []}
            for c in clips:
                names, _, _, chans, _, a = read_bvh(os.path.join(d, c))
                labels = [f"{n}.{ch}" for n, cc in zip(names, chans) for ch in cc]
                for label, values in out.items():
                    x = a[:, labels.index(label)]
                    values.append((x - np.convolve(x, np.ones(15) / 15, 'same'))[8:-8].std())
            print(f"{d}: " + ', '.join(f"{label} {np.mean(v):.2f}°" for label, v in out.items()))
    elif mode == 'pcs':
        # The ground truth's principal directions across clips (normalized kinetic features without the legs and
        # Head.v), and the generated clips' variance and mean shift along each: which per-clip variation is missing.
        gt, names, mu, sd = gt_kinetic(argv[2])
        legs, head_v = leg_and_head_v(names)
        keep = ~legs & ~head_v
        a = normalized(gt, mu, sd)[:, keep]
        kept = [l for l, k in zip(feature_labels(names), keep) if k]
        w, V = np.linalg.eigh(np.cov(a, rowvar=False))
        w, V = w[::-1], V[:, ::-1]
        V = V * np.sign(V[np.abs(V).argmax(0), np.arange(V.shape[1])])   # largest loading positive: shifts keep their sign
        for d in argv[3:]:
            gen = dir_kinetic(d)
            b = normalized(gen, mu, sd)[:, keep]
            pb = (b - a.mean(0)) @ V[:, :6]
            print(f"{d}: total variance ground truth {w.sum():.1f}, generated {np.trace(np.cov(b, rowvar=False)):.1f}")
            for i in range(6):
                top = ', '.join(kept[t] for t in np.argsort(-abs(V[:, i]))[:3])
                print(f"  PC{i + 1} ({100 * w[i] / w.sum():.0f} %): ground truth variance {w[i]:.1f}, generated "
                      f"{pb[:, i].var(ddof=1):.2f}, mean shift {pb[:, i].mean():+.2f}   [{top}]")
    elif mode == 'seeds':
        # Correlation of each channel's frame-to-frame acceleration between two generations of the same clips
        # with different seeds: ~0 for sampling noise, high for motion the audio dictates.
        rows = {}
        for f in bvh_files(argv[3]):
            names, _, _, chans, _, a = read_bvh(os.path.join(argv[2], os.path.basename(f)))
            b = read_bvh(f)[5]
            labels = [f"{n}.{c}" for n, cc in zip(names, chans) for c in cc]
            for k, label in enumerate(labels):
                x, y = np.diff(a[5:-5, k], 2), np.diff(b[5:-5, k], 2)
                if x.std() > 0 and y.std() > 0:
                    rows.setdefault(label, []).append(np.corrcoef(x, y)[0, 1])
        for label in ('Hips.Zrotation', 'Spine2.Xrotation', 'LeftUpLeg.Zrotation', 'LeftLeg.Xrotation', 'LeftArm.Yrotation'):
            print(f"{label:22s} acceleration correlation between seeds {np.mean(rows[label]):.3f}")
    elif mode == 'bands':
        # RMS of each joint's world acceleration, split at 1 Hz by zeroing FFT bins, mean over the last directory's
        # clips (each must exist in every directory): where in frequency the motion differs from the ground truth.
        joints = ('Hips', 'Spine2', 'Neck', 'Head', 'LeftArm', 'LeftHand', 'LeftLeg', 'LeftFoot')
        dirs = argv[2:]
        clips = [os.path.basename(f) for f in bvh_files(dirs[-1])]
        print(f"{'joint':10s}" + ''.join(f"{os.path.basename(d.rstrip('/'))[-15:]:>17s}" for d in dirs)
              + "   (cm/s², below / above 1 Hz)")
        cols = []
        for d in dirs:
            acc = {j: np.zeros(2) for j in joints}
            for c in clips:
                p, names, fps = fk(os.path.join(d, c))
                for j in joints:
                    a = np.diff(p[:, names.index(j)], 2, axis=0) * fps * fps
                    spec, freq = np.fft.rfft(a - a.mean(0), axis=0), np.fft.rfftfreq(len(a), 1 / fps)
                    for k, band in enumerate((freq < 1, freq >= 1)):
                        part = np.fft.irfft(np.where(band[:, None], spec, 0), len(a), axis=0)
                        acc[j][k] += np.sqrt(np.mean(np.sum(part ** 2, axis=1))) / len(clips)
            cols.append(acc)
        for j in joints:
            print(f"{j:10s}" + ''.join(f"{c[j][0]:8.2f} /{c[j][1]:7.2f}" for c in cols))
    elif mode == 'outliers':
        # Per generated clip, the largest |z| of its kinetic features against the mean and std over every GT clip:
        # a single sliding foot is hundreds of GT standard deviations out and can dominate FID_k by itself.
        _, names, mu, sd = gt_kinetic(argv[2])
        for d in argv[3:]:
            files = bvh_files(d)
            z = normalized(dir_kinetic(d), mu, sd)
            labels = feature_labels(names)
            worst = np.abs(z).max(1)
            print(f"{d}: {len(files)} clips, {int((worst > OUTLIER_Z).sum())} with a feature beyond |z| {OUTLIER_Z}, "
                  f"median of the per-clip maximum {np.median(worst):.1f}")
            for i in np.argsort(-worst)[:6]:
                k = int(np.argmax(np.abs(z[i])))
                print(f"   {os.path.basename(files[i]):18s} {labels[k]:18s} z {z[i, k]:8.1f}")
    elif mode == 'sway':
        # The weight shift is a sideways drift of the root (corpus: two sines, periods 5-16 s). Per clip, on the
        # first SWAY_FRAMES frames (one model window) the root's x velocity projected on the first three
        # orthonormal DCT-II vectors (mean, trend, bend), and the root's horizontal speed squared (frame
        # differences, no smoothing) over that window and over the whole clip. Printed: the spread across clips.
        print(f"{'directory':28s} {'var vx·DCT0':>11s} {'DCT1':>7s} {'DCT2':>7s} | {'speed² window mean':>18s} {'var':>6s} | "
              f"{'whole mean':>10s} {'var':>6s}")
        for d in argv[2:]:
            K, h_win, h_all = [], [], []
            for f in bvh_files(d):
                p, fps = root_positions(f)
                v = np.diff(p, axis=0) * fps
                n = min(SWAY_FRAMES, len(v))
                K.append(dct_basis(n, 3) @ v[:n, 0])
                h = v[:, 0] ** 2 + v[:, 2] ** 2
                h_win.append(h[:n].mean()); h_all.append(h.mean())
            K = np.array(K)
            print(f"{d[-28:]:28s} {K[:, 0].var():11.1f} {K[:, 1].var():7.1f} {K[:, 2].var():7.1f} | {np.mean(h_win):18.2f} "
                  f"{np.var(h_win):6.2f} | {np.mean(h_all):10.2f} {np.var(h_all):6.2f}")
    elif mode == 'rest':
        # Whether the motion rests where the audio is silent: both hands' speed relative to the root (so the weight
        # shift does not count), averaged over silent and over speech windows, and the ratio silent / speech with a
        # 95 % bootstrap interval over clips. GT_DIR's own motion is the first row.
        for d in argv[2:]:
            rng = np.random.default_rng(0)   # per row, so that a row's interval does not depend on the rows before it
            per_clip = []   # (silent speed sum, silent windows, speech sum, speech windows)
            for f in bvh_files(d):
                p, names, fps, labels = audio_windows(argv[2], f)
                rel = p[:, [names.index('LeftHand'), names.index('RightHand')]] - p[:, :1]
                v = np.linalg.norm(np.diff(rel, axis=0), axis=2).sum(1) * fps
                c = np.zeros(4)
                for lab, s in labels:
                    if lab != 'mixed':
                        k = 0 if lab == 'silent' else 2
                        c[k] += v[s:s + REST_WINDOW].mean(); c[k + 1] += 1
                per_clip.append(c)
            c = np.array(per_clip)
            def ratio(rows):
                t = rows.sum(0)
                return (t[0] / t[1]) / (t[2] / t[3])
            boot = [ratio(c[rng.integers(0, len(c), len(c))]) for _ in range(2000)]
            t = c.sum(0)
            print(f"{d[-28:]:28s} silent {t[0] / t[1]:6.2f} cm/s ({int(t[1])} windows)  speech {t[2] / t[3]:6.2f} cm/s "
                  f"({int(t[3])})  ratio {ratio(c):.3f} [{np.percentile(boot, 2.5):.3f}, {np.percentile(boot, 97.5):.3f}]")
    elif mode == 'strata':
        # FID_k over half-second windows instead of whole clips, on all windows and on the silent and speech windows
        # alone. Features are normalized by the ground truth's windows, as `fid` normalizes by its clips.
        def sets(d):
            out = {'all': [], 'silent': [], 'speech': []}
            for f in bvh_files(d):
                p, names, fps, labels = audio_windows(argv[2], f)
                for lab, s in labels:
                    k = kinetic(p[s:s + REST_WINDOW], fps)
                    out['all'].append(k)
                    if lab in out:
                        out[lab].append(k)
            return {k: np.array(v) for k, v in out.items()}
        gt = sets(argv[2])
        mu, sd = gt['all'].mean(0), gt['all'].std(0) + 1e-10
        print('windows: ' + ', '.join(f'{k} {len(v)}' for k, v in gt.items()))
        for d in argv[3:]:
            g = sets(d)
            print(f"{d[-28:]:28s} " + '  '.join(f"{k} {frechet((g[k] - mu) / sd, (gt[k] - mu) / sd):8.2f}"
                                               for k in ('all', 'silent', 'speech')), flush=True)
    else:
        sys.exit(__doc__)


SWAY_FRAMES = 120   # the model's window (4 s at 30 fps)
OUTLIER_Z = 20   # GT standard deviations; the held-out ground-truth clips themselves stay within 5
REST_WINDOW = 15   # frames: half a second at 30 fps; 1-s windows leave too few silent ones (27 of 540)
ACTIVE_DB = 30   # an audio frame is active within this many dB of the clip's loudest
SILENT_BELOW, SPEECH_ABOVE = 0.2, 0.8   # fraction of a window's frames that are active


if __name__ == '__main__':
    if len(sys.argv) < (3 if sys.argv[1:2] == ['style'] else 4):
        sys.exit(__doc__)
    main(sys.argv)
