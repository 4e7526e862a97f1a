/// How many motion frames a stretch of audio gets.
public enum MotionTiming {
    /// round(duration × fps), duration = samples / sampleRate; computed in Double on integers so a 65-s file at
    /// 30 fps is exactly 1950 frames whatever its sample rate. Frame f covers time f / fps.
    public static func frameCount(samples: Int, sampleRate: Double, fps: Double) -> Int {
        Int((Double(samples) * fps / sampleRate).rounded())
    }
}
