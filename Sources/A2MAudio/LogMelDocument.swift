import Foundation

/// The JSON form of `a2m features --out X.json`: the matrix plus everything needed to reproduce it.
///
/// Version 2 adds `featureNames` and the prosody columns (`AudioFeatureConfig.prosody`); a log-F0 of an unvoiced
/// frame (NaN in the matrix and in .npy) is written as `null`, which JSON has instead of NaN.
public struct LogMelDocument: Codable, Sendable, Equatable {
    public var format = "a2m-logmel"
    public var version = 2
    /// The audio file the features came from.
    public var source: String
    /// The full front-end config used, winLength and fmax resolved to the values in effect.
    public var config: AudioFeatureConfig
    /// Rows per second: the motion fps when aligned, else sampleRate / hopLength.
    public var frameRate: Double
    /// The motion fps the rows were aligned to, or nil for plain STFT frames (1 + samples / hop).
    public var alignedToFPS: Double?
    public var frames: Int
    public var nMels: Int
    /// Name of every column: "mel0" … "mel<nMels−1>", then the prosody features (`AudioFeatureConfig.featureNames`).
    public var featureNames: [String]
    /// frames × featureNames.count, one array per frame; NaN where a value is missing (unvoiced log-F0).
    package var values: [[Float]]

    public init(source: String, config: AudioFeatureConfig, alignedToFPS: Double?, matrix: FeatureMatrix) {
        precondition(matrix.bins == config.featureDim, "LogMelDocument: \(matrix.bins) columns for \(config.featureDim) features")
        self.source = source
        self.config = config.resolved
        self.frameRate = alignedToFPS ?? config.frameRate
        self.alignedToFPS = alignedToFPS
        frames = matrix.frames
        nMels = config.nMels
        featureNames = config.featureNames
        values = (0..<matrix.frames).map { Array(matrix.row($0)) }
    }

    /// Key-sorted JSON, so the same features always give the same bytes.
    public func jsonData() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try e.encode(self)
    }

    enum CodingKeys: String, CodingKey {
        case format, version, source, config, frameRate, alignedToFPS, frames, nMels, featureNames, values
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        version = try c.decode(Int.self, forKey: .version)
        source = try c.decode(String.self, forKey: .source)
        config = try c.decode(AudioFeatureConfig.self, forKey: .config)
        frameRate = try c.decode(Double.self, forKey: .frameRate)
        alignedToFPS = try c.decodeIfPresent(Double.self, forKey: .alignedToFPS)
        frames = try c.decode(Int.self, forKey: .frames)
        nMels = try c.decode(Int.self, forKey: .nMels)
        featureNames = try c.decodeIfPresent([String].self, forKey: .featureNames) ?? (0..<nMels).map { "mel\($0)" }
        values = try c.decode([[Float?]].self, forKey: .values).map { $0.map { $0 ?? .nan } }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(version, forKey: .version)
        try c.encode(source, forKey: .source)
        try c.encode(config, forKey: .config)
        try c.encode(frameRate, forKey: .frameRate)
        try c.encode(alignedToFPS, forKey: .alignedToFPS)
        try c.encode(frames, forKey: .frames)
        try c.encode(nMels, forKey: .nMels)
        try c.encode(featureNames, forKey: .featureNames)
        try c.encode(values.map { $0.map { $0.isNaN ? nil : $0 } }, forKey: .values)
    }

    /// NaN == NaN here: two documents of the same features are equal.
    public static func == (a: LogMelDocument, b: LogMelDocument) -> Bool {
        func same(_ x: [[Float]], _ y: [[Float]]) -> Bool {
            x.count == y.count && zip(x, y).allSatisfy { r, s in r.count == s.count && zip(r, s).allSatisfy { $0.bitPattern == $1.bitPattern || $0 == $1 } }
        }
        return a.format == b.format && a.version == b.version && a.source == b.source && a.config == b.config
            && a.frameRate == b.frameRate && a.alignedToFPS == b.alignedToFPS && a.frames == b.frames && a.nMels == b.nMels
            && a.featureNames == b.featureNames && same(a.values, b.values)
    }
}
