import A2MCore
import Foundation

/// How mel power is compressed to a log scale.
public enum LogMode: String, Codable, Sendable, CaseIterable {
    /// `librosa.power_to_db(S, ref=1.0, amin=epsilon, top_db=topDB)`: 10·log10(max(epsilon, S)), in dB.
    case powerToDB
    /// Natural log(S + epsilon); `topDB` does not apply.
    case logEpsilon
}

/// Every parameter of the log-mel front end. The defaults are the model's: 15360 Hz with hop 512 gives
/// exactly 30 feature frames per second (EDGE's choice), so features line up with 30 fps motion with no
/// resampling of frames and no drift.
///
/// Matches librosa 0.10.x `melspectrogram(center=True, pad_mode='constant', power=2, window='hann',
/// htk=False, norm='slaney')` followed by `power_to_db(ref=1.0)`; see docs/audio.md.
public struct AudioFeatureConfig: Codable, Sendable, Equatable {
    /// Rate the audio is resampled to before analysis, in Hz. Default 15360 (= 30 fps × 512).
    public var sampleRate: Int = 15360
    /// FFT size in samples (even). Default 1024: a 67 ms window at 15360 Hz, about two motion frames,
    /// 15 Hz bins, enough for 80 Slaney mels without empty filters.
    public var nFFT: Int = 1024
    /// Samples between frame centers. Default 512.
    public var hopLength: Int = 512
    /// Hann window length, ≤ nFFT, centered in the FFT frame. Default nil = nFFT.
    public var winLength: Int? = nil
    /// Number of mel bands. Default 80.
    public var nMels: Int = 80
    /// Lowest filter edge in Hz. Default 0.
    public var fmin: Double = 0
    /// Highest filter edge in Hz. Default nil = sampleRate / 2.
    public var fmax: Double? = nil
    /// Log compression. Default `.powerToDB`.
    public var logMode: LogMode = .powerToDB
    /// With `.powerToDB`: clip to (max over the whole matrix − topDB). Default nil = no clipping, so
    /// each frame depends only on its own audio (windows cut from long files get the same features).
    public var topDB: Double? = nil
    /// Floor: `amin` of power_to_db, or the ε of log(S + ε). Default 1e-10 (librosa's amin).
    public var epsilon: Double = 1e-10
    /// Prosody columns after the nMels log-mel columns, in this order (`ProsodyFeature`). Default [] (log-mel
    /// only, as every model before prosody): such a config encodes without the prosody keys, so it reads the same
    /// as before.
    public var prosody: [ProsodyFeature] = []
    /// Pitch search range of `logF0` and `voicing`, in Hz (librosa's `fmin` / `fmax` of yin and pyin). Defaults
    /// 60 and 600: from deep male voices to children and raised voices (Praat's default range is 75–600 Hz).
    public var f0Min: Double = 60
    public var f0Max: Double = 600

    public init() {}

    /// The model's front end (all defaults).
    public static let model = AudioFeatureConfig()

    /// librosa's defaults: `melspectrogram(sr=22050)` + `power_to_db` (top_db 80).
    static var librosaDefault: AudioFeatureConfig {
        var c = AudioFeatureConfig()
        c.sampleRate = 22050
        c.nFFT = 2048
        c.hopLength = 512
        c.nMels = 128
        c.topDB = 80
        return c
    }

    /// Window length in use (winLength, or nFFT when unset).
    var effectiveWinLength: Int { winLength ?? nFFT }
    /// Upper filter edge in use (fmax, or Nyquist when unset).
    var effectiveFmax: Double { fmax ?? Double(sampleRate) / 2 }
    /// The same config with winLength and fmax written out (nFFT, sampleRate / 2 when unset).
    var resolved: AudioFeatureConfig {
        var c = self
        c.winLength = effectiveWinLength
        c.fmax = effectiveFmax
        return c
    }

    /// Feature frames per second, sampleRate / hopLength.
    public var frameRate: Double { Double(sampleRate) / Double(hopLength) }

    /// Values per feature row: nMels log-mel columns, then one column per prosody feature. A model's
    /// `audioDim` must equal it.
    public var featureDim: Int { nMels + prosody.count }

    /// "audio.nMels 80" or "audio.nMels 80 + 4 audio.prosody features = 84", for messages about `audioDim`.
    public var featureDimDescription: String {
        prosody.isEmpty ? "audio.nMels \(nMels)" : "audio.nMels \(nMels) + \(prosody.count) audio.prosody features = \(featureDim)"
    }

    /// Column names of a feature row, in order: "mel0" … "mel<nMels−1>", then the prosody features' names.
    public var featureNames: [String] { (0..<nMels).map { "mel\($0)" } + prosody.map(\.rawValue) }

    /// Column of `feature` in a feature row, if the config has it.
    public func column(of feature: ProsodyFeature) -> Int? { prosody.firstIndex(of: feature).map { nMels + $0 } }

    /// Columns whose NaN means "no value" rather than an error: log-F0 of unvoiced frames.
    public var missingValueColumns: Set<Int> { Set([column(of: .logF0)].compactMap { $0 }) }

    /// The YIN frame of `logF0` and `voicing` is the STFT frame (nFFT samples, librosa's `frame_length`), its
    /// difference window half of it (librosa's default `win_length`), so the longest period it can measure is
    /// nFFT − nFFT/2 − 1 samples.
    public var pitchWindow: Int { nFFT / 2 }
    /// Shortest and longest period searched, in samples: floor(sr / f0Max) and ceil(sr / f0Min), as librosa.
    public var pitchPeriods: (min: Int, max: Int) {
        (Int((Double(sampleRate) / f0Max).rounded(.down)), Int((Double(sampleRate) / f0Min).rounded(.up)))
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case sampleRate, nFFT, hopLength, winLength, nMels, fmin, fmax, logMode, topDB, epsilon, prosody, f0Min, f0Max
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AudioFeatureConfig()
        sampleRate = try c.value(.sampleRate, or: d.sampleRate)
        nFFT = try c.value(.nFFT, or: d.nFFT)
        hopLength = try c.value(.hopLength, or: d.hopLength)
        winLength = try c.value(.winLength, or: d.winLength)
        nMels = try c.value(.nMels, or: d.nMels)
        fmin = try c.value(.fmin, or: d.fmin)
        fmax = try c.value(.fmax, or: d.fmax)
        if let raw = try c.decodeIfPresent(String.self, forKey: .logMode) {
            guard let mode = LogMode(rawValue: raw) else {
                let path = (decoder.codingPath.map(\.stringValue) + ["logMode"]).joined(separator: ".")
                throw ConfigError.invalid(file: StrictJSON.currentFile(decoder), field: path,
                                          reason: "'\(raw)' is not a log mode; expected one of: \(LogMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            logMode = mode
        } else {
            logMode = d.logMode
        }
        topDB = try c.value(.topDB, or: d.topDB)
        epsilon = try c.value(.epsilon, or: d.epsilon)
        if let names = try c.decodeIfPresent([String].self, forKey: .prosody) {
            prosody = try names.enumerated().map { i, raw in
                guard let f = ProsodyFeature(rawValue: raw) else {
                    let path = (decoder.codingPath.map(\.stringValue) + ["prosody[\(i)]"]).joined(separator: ".")
                    throw ConfigError.invalid(file: StrictJSON.currentFile(decoder), field: path,
                                              reason: "'\(raw)' is not a prosody feature; expected one of: \(ProsodyFeature.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return f
            }
        }
        f0Min = try c.value(.f0Min, or: d.f0Min)
        f0Max = try c.value(.f0Max, or: d.f0Max)
    }

    /// Writes every key, unset optionals as `null`, so a saved config shows all choices made; the prosody keys
    /// only when `prosody` is not empty, so a log-mel-only config (every model before prosody) encodes exactly as
    /// it did: its feature-cache keys stay valid and a model trained with it loads in older a2m too.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sampleRate, forKey: .sampleRate)
        try c.encode(nFFT, forKey: .nFFT)
        try c.encode(hopLength, forKey: .hopLength)
        try c.encode(winLength, forKey: .winLength)
        try c.encode(nMels, forKey: .nMels)
        try c.encode(fmin, forKey: .fmin)
        try c.encode(fmax, forKey: .fmax)
        try c.encode(logMode, forKey: .logMode)
        try c.encode(topDB, forKey: .topDB)
        try c.encode(epsilon, forKey: .epsilon)
        if !prosody.isEmpty {
            try c.encode(prosody, forKey: .prosody)
            try c.encode(f0Min, forKey: .f0Min)
            try c.encode(f0Max, forKey: .f0Max)
        }
    }

    /// Range checks; `file` names the config in errors. Also refuses settings that would leave a mel
    /// filter with no FFT bin (librosa only warns and emits an all-zero band).
    public func validate(file: String, fieldPrefix: String = "") throws {
        let v = ConfigValidator(file: file)
        let p = fieldPrefix.isEmpty ? "" : fieldPrefix + "."
        try v.check(p + "sampleRate", sampleRate, in: 1000...384_000)
        try v.check(p + "nFFT", nFFT, in: 16...65_536)
        try v.require(p + "nFFT", nFFT % 2 == 0, "must be even, got \(nFFT)")
        try v.check(p + "hopLength", hopLength, in: 1...65_536)
        if let w = winLength { try v.check(p + "winLength", w, in: 2...nFFT) }
        try v.check(p + "nMels", nMels, in: 1...512)
        let nyquist = Double(sampleRate) / 2
        if let f = fmax { try v.check(p + "fmax", f, in: 1...nyquist) }
        try v.check(p + "fmin", fmin, in: 0...(effectiveFmax - 1))
        if let t = topDB { try v.check(p + "topDB", t, in: 1...1000) }
        try v.check(p + "epsilon", epsilon, in: 1e-30...1)
        for (i, f) in prosody.enumerated() where prosody[..<i].contains(f) {
            throw ConfigError.invalid(file: file, field: p + "prosody[\(i)]", reason: "'\(f.rawValue)' is listed twice")
        }
        try v.check(p + "f0Min", f0Min, in: 1...(nyquist - 1))
        try v.check(p + "f0Max", f0Max, in: (f0Min + 1)...nyquist)
        if prosody.contains(where: \.needsPitch) {
            // librosa clips the longest period to the frame silently (raising fmin); a2m refuses instead.
            let longest = nFFT - pitchWindow - 1
            try v.require(p + "f0Min", pitchPeriods.max <= longest,
                          "f0Min \(f0Min) Hz needs periods up to \(pitchPeriods.max) samples at \(sampleRate) Hz, but a YIN frame of nFFT \(nFFT) samples measures at most \(longest); raise f0Min to \(Double(sampleRate) / Double(longest)) Hz or nFFT")
            try v.require(p + "f0Max", pitchPeriods.max - pitchPeriods.min >= 2,
                          "f0Min \(f0Min) Hz to f0Max \(f0Max) Hz spans fewer than 3 periods at \(sampleRate) Hz; widen the range")
        }
        let bank = MelFilterbank(config: self)
        if let empty = bank.firstEmptyFilter {
            throw ConfigError.invalid(file: file, field: p + "nMels",
                                      reason: "mel filter \(empty) of \(nMels) covers no FFT bin; use fewer mels or a larger nFFT")
        }
    }

    /// Reads a config file: either an AudioFeatureConfig object, or a model config whose top-level key
    /// "audio" holds one (the model config's other keys belong to other parts and are not read here).
    /// The result is validated.
    public static func load(contentsOf url: URL) throws -> AudioFeatureConfig {
        let data = try StrictJSON.read(url)
        let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        if let top, top["audio"] is [String: Any] {
            let cfg = try StrictJSON.decode(AudioSection.self, from: data, file: url.path).audio
            try cfg.validate(file: url.path, fieldPrefix: "audio")
            return cfg
        }
        let cfg = try StrictJSON.decode(AudioFeatureConfig.self, from: data, file: url.path)
        try cfg.validate(file: url.path)
        return cfg
    }

    /// The "audio" member of a model config; other members are left to their owners.
    private struct AudioSection: Decodable {
        let audio: AudioFeatureConfig
        enum CodingKeys: String, CodingKey { case audio }
    }
}
