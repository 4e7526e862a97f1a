import A2MAudio
import A2MCore
import Foundation

/// Assembles one clip's audio: espeak-ng sentences separated by pauses, with loudness variation and noise.
struct SpeechClip {
    var samples: [Float]
    var record: CorpusManifest.Clip
}

extension SpeechClip {
    static let sampleRate = 22_050

    /// Draws the voice parameters and sentences of clip `name` from `rng` and synthesizes them.
    /// The clip lasts between `minSeconds` and `maxSeconds` (target drawn uniformly), cut to whole motion frames.
    static func make(name: String, split: CorpusVoices.Split, variant: String, minSeconds: Double, maxSeconds: Double,
                     fps: Double, synthesizer: EspeakSynthesizer, scratch: URL, rng: inout PCG32) throws -> SpeechClip {
        func u(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(rng.uniformFloat()) }
        func ui(_ lo: Int, _ hi: Int) -> Int { lo + rng.int(below: hi - lo + 1) }
        let language = CorpusVoices.languages[rng.int(below: CorpusVoices.languages.count)]
        let generator = try SentenceGenerator(language: language)
        let voice = "\(language)+\(variant)"
        let rate = ui(120, 210), pitch = ui(25, 75), pitchRange = ui(0, 20), wordGap = ui(0, 4)
        let gainDB = u(-16, -3), driftDB = u(-3, 3)
        // espeak-ng speech is about −20 dBFS RMS at amplitude 100; noise sits 30–50 dB below the speech.
        let noiseDB = gainDB - 20 - u(30, 50)
        let target = u(minSeconds, maxSeconds)
        let sr = Double(sampleRate)

        var sentences = [String](), pitches = [Int](), gains = [Double](), pauses = [u(0.2, 0.6)]
        var pieces = [[Float]]()
        var total = pauses[0]
        while total < target {
            // Up to 4 tries for a sentence that still fits; the first sentence is cut if none does.
            var chosen: (text: String, pitch: Int, audio: [Float])?
            for _ in 0..<4 {
                let text = generator.sentence(using: &rng)
                let p = max(0, min(99, pitch + ui(-pitchRange, pitchRange)))
                let speech = try synthesizer.synthesize(.init(voice: voice, wordsPerMinute: rate, pitch: p, amplitude: 100, wordGap: wordGap, text: text),
                                                       output: scratch.appendingPathComponent(name + ".espeak.wav"))
                guard speech.sampleRate == sampleRate else {
                    throw CorpusError.badSpeechOutput(voice: voice, reason: "sample rate \(speech.sampleRate) Hz, expected \(sampleRate)")
                }
                guard !speech.samples.isEmpty else { throw CorpusError.badSpeechOutput(voice: voice, reason: "no samples for \"\(text)\"") }
                chosen = (text, p, speech.samples)
                if total + Double(speech.samples.count) / sr <= maxSeconds { break }
            }
            guard let c = chosen else { break }
            let fits = total + Double(c.audio.count) / sr <= maxSeconds
            if !fits && !pieces.isEmpty { break }
            sentences.append(c.text); pitches.append(c.pitch); gains.append(u(-3, 3))
            pieces.append(c.audio)
            total += Double(c.audio.count) / sr
            if total >= target { break }
            let gap = u(0.25, 1.0)
            pauses.append(gap)
            total += gap
        }
        // Trailing pause: at least 0.1 s, and enough to reach minSeconds.
        let spoken = pauses.reduce(0, +) + pieces.reduce(0) { $0 + Double($1.count) / sr }
        let tail = max(0.1, minSeconds - spoken)
        if pauses.count == pieces.count + 1 { pauses[pauses.count - 1] += tail } else { pauses.append(tail) }

        var audio = [Float]()
        for (k, piece) in pieces.enumerated() {
            audio += [Float](repeating: 0, count: Int(pauses[k] * sr))
            let g = Float(pow(10, (gainDB + gains[k]) / 20))
            audio += piece.map { $0 * g }
        }
        audio += [Float](repeating: 0, count: Int(pauses[pieces.count] * sr))

        let frames = min(SpeechFeatures.frameCount(sampleCount: audio.count, sampleRate: sampleRate, fps: fps),
                         Int(maxSeconds * fps))
        let length = Int((Double(frames) * sr / fps).rounded())
        if audio.count > length {
            audio.removeLast(audio.count - length)
            let fade = min(length, sampleRate / 50)  // 20 ms, so a cut sentence does not click
            for i in 0..<fade { audio[length - 1 - i] *= Float(i) / Float(fade) }
        } else if audio.count < length {
            audio += [Float](repeating: 0, count: length - audio.count)
        }
        // Slow drift and noise.
        let noise = Float(pow(10, noiseDB / 20))
        for i in audio.indices {
            let drift = Float(pow(10, driftDB * (Double(i) / Double(max(1, length - 1)) - 0.5) / 20))
            audio[i] = audio[i] * drift + noise * rng.gaussian()
        }
        let record = CorpusManifest.Clip(
            name: name, split: split, voice: voice, language: language, variant: variant, rate: rate, pitch: pitch,
            pitchRange: pitchRange, sentencePitches: pitches, wordGap: wordGap, sentences: sentences,
            pausesSeconds: pauses.map { ($0 * 1000).rounded() / 1000 }, gainDB: round3(gainDB), sentenceGainsDB: gains.map(round3),
            driftDB: round3(driftDB), noiseDB: round3(noiseDB), durationSeconds: round3(Double(frames) / fps), frames: frames,
            onsetCount: 0, strokeCount: 0, speechFraction: 0, style: GestureStyle.random(using: &rng))
        return SpeechClip(samples: audio, record: record)
    }

    private static func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}
