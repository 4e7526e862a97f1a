"""Seed vs speech: wrist-path correlation between different speeches with one seed, and one speech with different seeds.

The Python reference of a2m's SeedSpeechDecisiveness (Sources/A2MEvaluation), which `a2m eval` reports when the
generated directory holds at least 2 clips x 2 samples; SeedSpeechDecisivenessTests checks the two agree.

usage: seed_study.py DIR [--json]
  DIR holds NAME.s<seed>.bvh files (one `a2m generate --seed S` run per seed, renamed) or NAME.<k>.bvh files
  (`a2m generate --samples K`: sample k of every clip draws noise stream k, so k plays the seed).
  --json prints the two groups with full precision instead of the summary lines.
Wrist paths are relative to the hips' position (not their heading). The correlation pools the six wrist channels,
each centred on its mean; the distance is the mean over frames and both wrists between the centred paths, in the
files' units (cm for a2m's rigs). Paths of different lengths are compared over the shorter one's frames.
"""
import sys, glob, os, re, itertools, json
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from motion_diagnosis import fk


def wrist_path(path):
    p, names, fps = fk(path)
    h = p[:, names.index('Hips')]
    return np.concatenate([p[:, names.index('LeftHand')] - h, p[:, names.index('RightHand')] - h], axis=1)


def corr(a, b):
    n = min(len(a), len(b)); a = a[:n] - a[:n].mean(0); b = b[:n] - b[:n].mean(0)
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum())), float(np.linalg.norm((a - b).reshape(n, 2, 3), axis=2).mean())


def main():
    args = [a for a in sys.argv[1:] if a != '--json']
    if len(args) != 1:
        sys.exit(__doc__)
    d = args[0]
    paths = {}
    for f in glob.glob(os.path.join(d, '*.bvh')):
        m = re.match(r'(.*)\.s?(\d+)\.bvh$', os.path.basename(f))
        if m:
            paths[(m.group(1), int(m.group(2)))] = wrist_path(f)
    speeches = sorted({k[0] for k in paths}); seeds = sorted({k[1] for k in paths})
    if len(speeches) < 2 or len(seeds) < 2 or len(paths) != len(speeches) * len(seeds):
        sys.exit(f'{d}: need every one of at least 2 speeches with the same at least 2 seeds; found {len(paths)} files, '
                 f'{len(speeches)} speeches, {len(seeds)} seeds')
    same_seed = [corr(paths[(a, s)], paths[(b, s)]) for s in seeds for a, b in itertools.combinations(speeches, 2)]
    same_speech = [corr(paths[(a, s)], paths[(a, t)]) for a in speeches for s, t in itertools.combinations(seeds, 2)]
    out = {}
    for key, label, v in (('differentSpeechSameSeed', 'different speeches, same seed', same_seed),
                          ('sameSpeechDifferentSeed', 'same speech, different seeds', same_speech)):
        c = np.array([x[0] for x in v]); dist = np.array([x[1] for x in v])
        out[key] = dict(pairs=len(c), medianCorrelation=float(np.median(c)), correlationP10=float(np.percentile(c, 10)),
                        correlationP90=float(np.percentile(c, 90)), meanDistance=float(dist.mean()))
        if '--json' not in sys.argv:
            print(f'{label}: median corr {np.median(c):.3f} [{np.percentile(c,10):.2f}, {np.percentile(c,90):.2f}]  '
                  f'mean distance {dist.mean():.1f} cm  (n={len(c)})')
    if '--json' in sys.argv:
        print(json.dumps(dict(speeches=len(speeches), seeds=len(seeds), **out)))


if __name__ == '__main__':
    main()
