import Foundation

/// The processes of a data-parallel run and the collective operations training needs (docs/training.md,
/// "Data-parallel training"). `SingleProcess` is the run without MPI; `MPICollective` (when a2m is built with
/// Open MPI) is one rank of `mpirun -n N a2m train`.
///
/// Every call is collective: all ranks make the same calls in the same order. A failure (a rank that died, a
/// broken link) throws or ends the process with a message; it never waits forever on purpose.
public protocol Collective: AnyObject {
    /// This process's rank, 0..<size. Rank 0 alone logs and writes files.
    var rank: Int { get }
    var size: Int { get }
    /// Where this rank runs (host name), for messages.
    var processorName: String { get }
    /// Waits until every rank has arrived.
    func barrier() throws
    /// Element-wise sum over the ranks, in place, on every rank.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws
    /// Starts the element-wise sum over the ranks of `buffer`, in place, to run while this rank computes on; the
    /// buffer must not be read or written until `waitForSums()`. Sums complete in the order they were started, and
    /// every rank must start the same spans in the same order. No other collective may be called in between.
    func startAllreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    /// Waits until every sum `startAllreduceSum` began is complete; throws the first failure among them.
    func waitForSums() throws
    /// Element-wise maximum over the ranks, in place, on every rank.
    func allreduceMax(_ buffer: UnsafeMutableBufferPointer<UInt64>) throws
    /// Ends every rank of the run with `code` after printing `message` (a rank that cannot go on must not leave
    /// the others waiting for it).
    func abort(_ message: String, code: Int32) -> Never
}

extension Collective {
    public var isRoot: Bool { rank == 0 }

    /// Without a background reduction: the sum at once, nothing to wait for.
    public func startAllreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws { try allreduceSum(buffer) }
    public func waitForSums() throws {}

    /// The same value on every rank: rank 0's, checked by comparing the maximum with the minimum over ranks.
    public func agree(_ value: UInt64) throws -> Bool {
        var v = [value, ~value]
        try v.withUnsafeMutableBufferPointer { try allreduceMax($0) }
        return v[0] == value && ~v[1] == value
    }
}

/// A run of one process: every collective is the identity.
public final class SingleProcess: Collective {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var processorName: String { "localhost" }
    public func barrier() throws {}
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {}
    public func allreduceMax(_ buffer: UnsafeMutableBufferPointer<UInt64>) throws {}
    public func abort(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }
}

