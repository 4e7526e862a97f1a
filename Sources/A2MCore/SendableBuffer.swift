/// The one audited `@unchecked Sendable` in a2m.
///
/// Parallel loops (`parallelFor`) hand each worker a disjoint index range of the same buffer.
/// Swift cannot prove that the ranges are disjoint, so this wrapper asserts it for the compiler.
/// Rules for callers, checked in review:
/// - every worker writes only the indices of its own chunk; reads of shared inputs are fine;
/// - the buffer outlives the `parallelFor` call (it is always a view of an arena or array that
///   the caller keeps alive across the call).
package struct SendableBuffer<Element>: @unchecked Sendable {
    package let base: UnsafeMutablePointer<Element>
    package let count: Int

    @inlinable package init(_ base: UnsafeMutablePointer<Element>, count: Int) {
        self.base = base
        self.count = count
    }

    @inlinable package init(_ buffer: UnsafeMutableBufferPointer<Element>) {
        self.base = buffer.baseAddress!
        self.count = buffer.count
    }

    @inlinable package subscript(i: Int) -> Element {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}
