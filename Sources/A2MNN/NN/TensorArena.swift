import Foundation

/// Raw float pointer used by every kernel. Kernels take explicit shapes; nothing is bounds-checked in release.
package typealias FPtr = UnsafeMutablePointer<Float>

/// One named tensor inside an arena: row-major shape and its offset (in floats) from the arena base.
public struct TensorSpec: Sendable, Equatable {
    let name: String
    let shape: [Int]
    let offset: Int
    var count: Int { shape.reduce(1, *) }
}

/// The list of named tensors in a fixed order, shared by parameters, gradients, Adam m/v and the EMA copy,
/// so the same offset addresses the same weight in all of them (llm.c's one-arena-with-views).
/// Offsets are padded to 16 floats (64 bytes) so every view is cache-line aligned; the padding stays zero.
public struct TensorLayout: Sendable {
    private(set) var specs: [TensorSpec] = []
    /// Total floats including padding.
    private(set) var count = 0
    private var index: [String: Int] = [:]

    init() {}

    /// Appends a tensor and returns its offset.
    @discardableResult
    mutating func add(_ name: String, _ shape: [Int]) -> Int {
        precondition(index[name] == nil, "duplicate tensor \(name)")
        let off = count
        specs.append(TensorSpec(name: name, shape: shape, offset: off))
        index[name] = specs.count - 1
        count = off + (shape.reduce(1, *) + 15) / 16 * 16
        return off
    }

    func spec(_ name: String) -> TensorSpec? { index[name].map { specs[$0] } }

    /// Number of real (unpadded) floats.
    var parameterCount: Int { specs.reduce(0) { $0 + $1.count } }
}

/// A 64-byte aligned, zero-initialized Float buffer laid out by a `TensorLayout`. Owns its memory.
public final class TensorArena {
    package let layout: TensorLayout
    package let base: FPtr
    package var count: Int { layout.count }

    /// `spare` floats after the layout (not part of `count`) carry a few values with the buffer: the gradient
    /// arena's step scalars ride with its last-layer span in the allreduce (`Trainer`).
    package init(layout: TensorLayout, spare: Int = 0) {
        self.layout = layout
        base = alignedFloats(max(layout.count + spare, 16))
    }

    deinit { free(base) }

    /// The view of tensor `name`; traps on an unknown name (programming error).
    func view(_ name: String) -> UnsafeMutableBufferPointer<Float> {
        guard let s = layout.spec(name) else { preconditionFailure("no tensor \(name)") }
        return UnsafeMutableBufferPointer(start: base + s.offset, count: s.count)
    }

    func zero() { base.update(repeating: 0, count: count) }

    /// The first non-finite (or, with `nonNegative`, negative) value, with its tensor's name: weights read from a
    /// file are checked, since one NaN would only show up later as a broken output or a "divergence".
    public func firstBadValue(nonNegative: Bool = false) -> (tensor: String, value: Float)? {
        for s in layout.specs {
            let v = UnsafeBufferPointer(start: base + s.offset, count: s.count)
            if let x = v.first(where: { !$0.isFinite || (nonNegative && $0 < 0) }) { return (s.name, x) }
        }
        return nil
    }

    package func copy(from other: TensorArena) {
        precondition(other.count == count)
        base.update(from: other.base, count: count)
    }
}

/// Zeroed, 64-byte aligned floats; free with `free`.
func alignedFloats(_ n: Int) -> FPtr {
    var raw: UnsafeMutableRawPointer?
    let bytes = max(64, n * MemoryLayout<Float>.stride)
    guard posix_memalign(&raw, 64, bytes) == 0, let r = raw else { fatalError("out of memory allocating \(bytes) bytes") }
    memset(r, 0, bytes)
    return r.bindMemory(to: Float.self, capacity: max(n, 16))
}

/// A bump allocator over one aligned block: activation buffers for one (batch, frames) shape are carved from
/// it once and reused by every step, so the steady-state step allocates nothing.
final class Workspace {
    private(set) var base: FPtr
    let capacity: Int
    private var used = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = alignedFloats(capacity)
    }

    deinit { free(base) }

    func take(_ n: Int) -> FPtr {
        let p = base + used
        used += (n + 15) / 16 * 16
        precondition(used <= capacity, "workspace overflow")
        return p
    }

    /// Counts how many floats a sequence of `take` calls needs, for sizing before allocation.
    struct Sizer {
        var total = 0
        mutating func take(_ n: Int) { total += (n + 15) / 16 * 16 }
    }
}
