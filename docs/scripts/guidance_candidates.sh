#!/bin/sh
# Guidance without tremor (issue 36): generate every guidance candidate for a folder of speech recordings with
# S seeds, then score each with `a2m eval` (gesture statistics against the real reference, jerk, audio-motion
# correlation with its mismatched control, seed vs speech). The table in docs/model_card.md, "Guidance without
# tremor", is this script's output.
#
# usage: docs/scripts/guidance_candidates.sh SPEECH_DIR OUT_DIR [CANDIDATE ...]
#   SPEECH_DIR  NAME.wav files (real speech; no motion needed)
#   OUT_DIR     OUT_DIR/<candidate>/NAME.<seed>.bvh and OUT_DIR/<candidate>/eval.txt, eval.json; an existing
#               candidate folder with all its files is not generated again
#   CANDIDATE   name=generate-flags; default: the list below
# environment: A2M (default: a2m on PATH), A2M_MODEL (default: the built-in model), SEEDS (default: "0 1 2 3"),
#   THREADS (default: 1), SAMPLING (default: "--sampler ddim --steps 50 --spacing trailing", the setting the model
#   card's tables were measured with; SAMPLING="" samples with a2m generate's own default), A2M_GESTURE (an a2m whose eval has the gesture statistics, when
#   A2M's has not: its report goes to eval-gesture.json)
# Eval needs motion paired with each recording only for its ground-truth columns, which this script does not use:
# OUT_DIR/data pairs each recording with the w1 candidate's first-seed motion so that `a2m eval` runs; read the
# "generated" and "mismatched audio" columns only. The last lines print the table (one row per candidate).
set -eu
[ $# -ge 2 ] || { sed -n '2,20p' "$0"; exit 2; }
speech=$1; out=$2; shift 2
A2M=${A2M:-a2m}; SEEDS=${SEEDS:-"0 1 2 3"}; THREADS=${THREADS:-1}; SAMPLING=${SAMPLING-"--sampler ddim --steps 50 --spacing trailing"}
model=""; [ -n "${A2M_MODEL:-}" ] && model="--model $A2M_MODEL"
if [ $# -eq 0 ]; then
  # every guided candidate names its method: `--guidance` alone means lowpass since 2026-12-07
  set -- "w0=--guidance 0" "w1=--guidance 1" "cfg=--guidance 2.5 --guidance-method cfg" \
         "interval=--guidance 2.5 --guidance-method cfg --guidance-schedule interval" "ramp=--guidance 2.5 --guidance-method cfg --guidance-schedule ramp" \
         "lowpass=--guidance 2.5 --guidance-method lowpass" "velocity=--guidance 2.5 --guidance-method velocity" \
         "lowpass-interval=--guidance 2.5 --guidance-method lowpass --guidance-schedule interval" \
         "cfgpp0.75=--guidance 0.75 --guidance-method cfgpp"
fi
mkdir -p "$out"
count=$(ls "$speech"/*.wav | wc -l)
for c in "$@"; do
  name=${c%%=*}; flags=${c#*=}; dir=$out/$name
  for s in $SEEDS; do
    [ "$(ls "$dir"/*."$s".bvh 2>/dev/null | wc -l)" -eq "$count" ] && continue
    rm -rf "$dir/tmp"; mkdir -p "$dir/tmp"
    echo "$name seed $s: $A2M generate $speech/*.wav $flags --seed $s $SAMPLING --threads $THREADS --format bvh" >&2
    # shellcheck disable=SC2086
    $A2M generate "$speech"/*.wav $model $flags --seed "$s" $SAMPLING --threads "$THREADS" --format bvh --out "$dir/tmp" --quiet
    for f in "$dir"/tmp/*.bvh; do mv "$f" "$dir/$(basename "$f" .bvh).$s.bvh"; done
    rmdir "$dir/tmp"
  done
done

first=$(echo "$SEEDS" | awk '{print $1}')
mkdir -p "$out/data"
for f in "$speech"/*.wav; do
  n=$(basename "$f" .wav)
  ln -sf "$(cd "$(dirname "$f")" && pwd)/$n.wav" "$out/data/$n.wav"
  cp "$out/w1/$n.$first.bvh" "$out/data/$n.bvh"
done
names=""
for c in "$@"; do
  name=${c%%=*}; dir=$out/$name; names="$names $name"
  $A2M eval --data "$out/data" --generated "$dir" --threads "$THREADS" --quiet --out "$dir/eval.json" > "$dir/eval.txt"
  if [ -n "${A2M_GESTURE:-}" ]; then
    $A2M_GESTURE eval --data "$out/data" --generated "$dir" --threads "$THREADS" --quiet --out "$dir/eval-gesture.json" > "$dir/eval-gesture.txt"
  fi
done
python3 - "$out" $names <<'PY'
import json, os, sys
out, names = sys.argv[1], sys.argv[2:]
print('| candidate | occupancy | Hellinger | share > 6 Hz | jerk (cm/s³) | audio corr. [95 %] | mismatched [95 %] | rest in silence (mismatched) | diff. speech, same seed | same speech, diff. seeds |')
print('|---|---:|---:|---:|---:|---|---|---|---|---|')
for n in names:
    d = {}
    for f in ('eval-gesture.json', 'eval.json'):
        p = os.path.join(out, n, f)
        if os.path.exists(p):
            j = json.load(open(p)); d.update({k: v for k, v in j['report'].items() if k not in d}); d.setdefault('seedSpeech', j.get('seedSpeech'))
            if j.get('seedSpeech'): d['seedSpeech'] = j['seedSpeech']
    g = d.get('gesture'); ci = lambda x: f"{x['mean']:.3f} [{x['lower']:.3f}, {x['upper']:.3f}]"
    a, ss = d['audioMotionCorrelation'], d.get('seedSpeech')
    gs = (f"{g['generated']['gesture_space']['occupancy']:.3f} | {g['generatedDistances']['wrist_speed_hellinger']:.3f} | "
          f"{g['generated']['spectrum']['share_above_6hz']:.4f}") if g else '– | – | –'
    sp = (lambda x: f"{x['medianCorrelation']:.3f} ({x['meanDistance']:.1f} cm)")
    # rest in silence needs a clip with a half-second pause and a half-second of speech; without one it is absent
    r = d.get('restContrast')
    rest = f"{r['generated']['mean']:.3f} ({r['mismatched']['mean']:.3f})" if r and r.get('generated') and r.get('mismatched') else '–'
    print(f"| {n} | {gs} | {d['jerk']['generated']:.0f} | {ci(a['generated'])} | {ci(a['mismatched'])} | {rest} | "
          + (f"{sp(ss['differentSpeechSameSeed'])} | {sp(ss['sameSpeechDifferentSeed'])} |" if ss else '– | – |'))
PY
