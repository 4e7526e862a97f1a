/// A frames × bins matrix of Float, row-major: `values[frame * bins + bin]`.
public struct FeatureMatrix: Sendable, Equatable {
    package let frames: Int
    package let bins: Int
    package var values: [Float]

    package init(frames: Int, bins: Int, values: [Float]) {
        precondition(values.count == frames * bins, "FeatureMatrix: \(values.count) values for \(frames)×\(bins)")
        self.frames = frames
        self.bins = bins
        self.values = values
    }

    package init(frames: Int, bins: Int, repeating value: Float = 0) {
        self.init(frames: frames, bins: bins, values: [Float](repeating: value, count: frames * bins))
    }

    package subscript(frame: Int, bin: Int) -> Float {
        get { values[frame * bins + bin] }
        set { values[frame * bins + bin] = newValue }
    }

    package func row(_ frame: Int) -> ArraySlice<Float> {
        values[(frame * bins)..<((frame + 1) * bins)]
    }
}
