/// The foot lock as a post-processing step (`FootLock`; docs/sampling.md, "Foot lock"). Its thresholds are
/// fractions of the skeleton's rest height, so it works in any unit and on a retargeted rig (after
/// `RetargetStep`). On a skeleton without legs the frames pass through unchanged, and `note` says so.
public struct FootLockStep: MotionPostProcess {
    public init() {}

    public var name: String { "foot lock" }

    public func makeProcessor(layout: MotionLayout, fps: Double) throws -> any MotionChunkProcessor {
        FootLockProcessor(FootLock(skeleton: layout.skeleton, fps: fps))
    }

    public func note(for layout: MotionLayout, fps: Double) -> String? {
        FootLock(skeleton: layout.skeleton, fps: fps) != nil ? nil
            : "the skeleton has no legs (hip → knee → ankle chains below the root) to lock; feet are left as generated"
    }
}

private final class FootLockProcessor: MotionChunkProcessor {
    let lock: FootLock?
    init(_ lock: FootLock?) { self.lock = lock }
    func process(_ chunk: inout MotionClip) throws { lock?.process(&chunk) }
}
