#!/usr/bin/env bash
# Makes Motions/samples/speech.wav: about 10 s of English speech from espeak-ng (Debian package
# espeak-ng, 1.51), mono, 16-bit, 22050 Hz (espeak-ng's native rate). Run from the repository root.
# The output is committed; this script documents how it was made and regenerates it.
set -euo pipefail
cd "$(dirname "$0")"
espeak-ng -v en-us -s 160 -p 50 -w speech.wav \
  "Hello, and welcome to a two m. This short clip is synthetic speech. \
Give it to the generator, and it answers with a full body motion that follows the rhythm of the voice."
soxi speech.wav
