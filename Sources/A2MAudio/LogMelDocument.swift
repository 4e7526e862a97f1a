import Foundation

/// The JSON form of `a2m features --out X.json`: the matrix plus everything needed to reproduce it.
public struct LogMelDocument: Codable, Sendable, Equatable {
    public var format = "a2m-logmel"
    public var version = 1
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
    /// frames × nMels, one array per frame.
    package var values: [[Float]]

    public init(source: String, config: AudioFeatureConfig, alignedToFPS: Double?, matrix: FeatureMatrix) {
        self.source = source
        self.config = config.resolved
        self.frameRate = alignedToFPS ?? config.frameRate
        self.alignedToFPS = alignedToFPS
        frames = matrix.frames
        nMels = matrix.bins
        values = (0..<matrix.frames).map { Array(matrix.row($0)) }
    }

    /// Key-sorted JSON, so the same features always give the same bytes.
    public func jsonData() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try e.encode(self)
    }

    enum CodingKeys: String, CodingKey {
        case format, version, source, config, frameRate, alignedToFPS, frames, nMels, values
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
        try c.encode(values, forKey: .values)
    }
}
