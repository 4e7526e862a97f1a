/// A frames × bins matrix of Float, row-major: `values[frame * bins + bin]`.
public struct FeatureMatrix: Sendable, Equatable {
    public let frames: Int
    public let bins: Int
    public var values: [Float]

    public init(frames: Int, bins: Int, values: [Float]) {
        precondition(values.count == frames * bins, "FeatureMatrix: \(values.count) values for \(frames)×\(bins)")
        self.frames = frames
        self.bins = bins
        self.values = values
    }

    public init(frames: Int, bins: Int, repeating value: Float = 0) {
        self.init(frames: frames, bins: bins, values: [Float](repeating: value, count: frames * bins))
    }

    public subscript(frame: Int, bin: Int) -> Float {
        get { values[frame * bins + bin] }
        set { values[frame * bins + bin] = newValue }
    }

    public func row(_ frame: Int) -> ArraySlice<Float> {
        values[(frame * bins)..<((frame + 1) * bins)]
    }
}
