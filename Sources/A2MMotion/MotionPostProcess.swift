/// A step between the sampler and the writers: the foot lock, retargeting onto a user's rig
/// (`RetargetStep`), or a library user's own.
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

    /// The layout of the frames that come out, for frames of `layout` going in (the writers are made for it).
    /// Called before any generation: a step that cannot act on `layout` throws here. Default: unchanged.
    func outputLayout(for layout: MotionLayout) throws -> MotionLayout

    /// A fresh processor for one clip of `layout` at `fps` (every sample of every input gets its own).
    func makeProcessor(layout: MotionLayout, fps: Double) throws -> any MotionChunkProcessor

    /// A note for the user about what the step will do to frames of `layout` at `fps` when that is not obvious
    /// (no legs to lock, joints left unpaired; printed once; not an error).
    func note(for layout: MotionLayout, fps: Double) -> String?
}

extension MotionPostProcess {
    public func outputLayout(for layout: MotionLayout) throws -> MotionLayout { layout }
    public func note(for layout: MotionLayout, fps: Double) -> String? { nil }
}

/// One clip's state in a `MotionPostProcess`: transforms its chunks in place, in frame order.
public protocol MotionChunkProcessor: AnyObject {
    func process(_ chunk: inout MotionClip) throws
}

/// A chain of steps run in order on one clip.
public final class MotionPostProcessChain {
    public let steps: [any MotionPostProcess]
    private var processors: [any MotionChunkProcessor]

    /// The processors for one clip of `layout` at `fps`.
    public init(_ steps: [any MotionPostProcess], layout: MotionLayout, fps: Double) throws {
        self.steps = steps
        var l = layout
        processors = []
        for step in steps {
            processors.append(try step.makeProcessor(layout: l, fps: fps))
            l = try step.outputLayout(for: l)
        }
    }

    /// The layout the chain's last step puts out for `layout`.
    public static func outputLayout(_ steps: [any MotionPostProcess], for layout: MotionLayout) throws -> MotionLayout {
        try steps.reduce(layout) { try $1.outputLayout(for: $0) }
    }

    /// Each step's note for the layout it receives.
    public static func notes(_ steps: [any MotionPostProcess], for layout: MotionLayout, fps: Double) -> [String] {
        var l = layout, notes: [String] = []
        for step in steps {
            if let n = step.note(for: l, fps: fps) { notes.append(n) }
            guard let next = try? step.outputLayout(for: l) else { break }
            l = next
        }
        return notes
    }

    public func process(_ chunk: inout MotionClip) throws {
        for p in processors { try p.process(&chunk) }
    }

    /// A whole clip of `layout` through a fresh chain.
    public static func apply(_ steps: [any MotionPostProcess], to clip: MotionClip, layout: MotionLayout) throws -> MotionClip {
        var c = clip
        try MotionPostProcessChain(steps, layout: layout, fps: clip.fps).process(&c)
        return c
    }
}
