/// A step between the sampler and the writers (foot lock now; retargeting and unit conversion will join it).
///
/// Steps run in order on each clip, chunk by chunk as generation stitches them (frames in order, each once), so
/// a step sees the same frames whether the clip is written as a stream or held whole; a whole clip is one
/// chunk. A step that needs look-ahead must buffer inside its processor and say so in its docs.
///
/// Adding a step: one type conforming to `MotionPostProcess` (and, for the CLI, a flag that puts it in
/// `GenerationConfiguration.postProcessing`). docs/architecture.md, "Adding a post-process".
public protocol MotionPostProcess: Sendable {
    /// Short name for messages ("foot lock").
    var name: String { get }

    /// The skeleton of the frames that come out, for frames of `skeleton` going in: the writers are made for
    /// it. Default: unchanged.
    func outputSkeleton(for skeleton: Skeleton) throws -> Skeleton

    /// A fresh processor for one clip of `skeleton` at `fps` (every sample of every input gets its own).
    func makeProcessor(skeleton: Skeleton, fps: Double) throws -> any MotionChunkProcessor

    /// A note for the user when the step cannot do anything on `skeleton` at `fps` (printed once; not an error).
    func note(for skeleton: Skeleton, fps: Double) -> String?
}

extension MotionPostProcess {
    public func outputSkeleton(for skeleton: Skeleton) throws -> Skeleton { skeleton }
    public func note(for skeleton: Skeleton, fps: Double) -> String? { nil }
}

/// One clip's state in a `MotionPostProcess`: transforms its chunks in place, in frame order.
public protocol MotionChunkProcessor: AnyObject {
    func process(_ chunk: inout MotionClip) throws
}

/// A chain of steps run in order on one clip.
public final class MotionPostProcessChain {
    public let steps: [any MotionPostProcess]
    private var processors: [any MotionChunkProcessor]

    /// The processors for one clip of `skeleton` at `fps`.
    public init(_ steps: [any MotionPostProcess], skeleton: Skeleton, fps: Double) throws {
        self.steps = steps
        var s = skeleton
        processors = []
        for step in steps {
            processors.append(try step.makeProcessor(skeleton: s, fps: fps))
            s = try step.outputSkeleton(for: s)
        }
    }

    /// The skeleton the chain's last step puts out for `skeleton`.
    public static func outputSkeleton(_ steps: [any MotionPostProcess], for skeleton: Skeleton) throws -> Skeleton {
        try steps.reduce(skeleton) { try $1.outputSkeleton(for: $0) }
    }

    public func process(_ chunk: inout MotionClip) throws {
        for p in processors { try p.process(&chunk) }
    }

    /// A whole clip through a fresh chain.
    public static func apply(_ steps: [any MotionPostProcess], to clip: MotionClip) throws -> MotionClip {
        var c = clip
        try MotionPostProcessChain(steps, skeleton: clip.skeleton, fps: clip.fps).process(&c)
        return c
    }
}
