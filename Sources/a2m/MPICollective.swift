import A2MKit
import ArgumentParser
import Foundation
#if A2M_MPI
import CMPI
#endif

/// The collective a2m runs with: one rank of an Open MPI job when the binary was built with Open MPI and started
/// by `mpirun` (or `srun` with PMIx), else the single process. A binary built with MPI but started on its own runs
/// as one process without initializing MPI.
enum RunCollective {
    /// Environment variables the Open MPI launcher (or PMIx) sets in every rank it starts.
    static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK"]

    static var launchedByMPI: Bool { launcherVariables.contains { ProcessInfo.processInfo.environment[$0] != nil } }

    /// Ranks on this host (to share its cores), 1 outside MPI.
    static var localRanks: Int { ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? 1 }

    static func make() throws -> Collective {
        guard launchedByMPI else { return SingleProcess() }
        #if A2M_MPI
        return try MPICollective()
        #else
        throw ValidationError("this a2m was built without Open MPI, but it was started by mpirun; install libopenmpi-dev and rebuild (docs/training.md, \"Data-parallel training\"), or run it on its own")
        #endif
    }
}

#if A2M_MPI
/// One rank of `mpirun -n N a2m train`. Errors are returned, not fatal (MPI_ERRORS_RETURN), so a failed
/// collective becomes a message naming the rank and the operation; `abort` ends every rank.
/// Sendable: its stored state is immutable after init (the failure box is ordered by the reducer queue).
final class MPICollective: Collective, @unchecked Sendable {
    let rank: Int
    let size: Int
    let processorName: String
    private let comm = a2m_mpi_comm_world()
    /// Where `startAllreduceSum` runs its sums, one after another, while the main thread computes; nil when the MPI
    /// library cannot take calls from another thread (below MPI_THREAD_SERIALIZED), and the sums then run at once.
    private let reducer: DispatchQueue?
    private let reducerFailure = ReducerFailure()

    init() throws {
        var provided: Int32 = 0
        // MPI is called from one thread at a time: the main one, or the reducer queue between startAllreduceSum and
        // waitForSums, while the main thread makes no MPI call.
        let rc = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_SERIALIZED), &provided)
        guard rc == a2m_mpi_success() else { throw MPIError(operation: "MPI_Init_thread", code: rc, rank: -1) }
        reducer = provided >= Int32(MPI_THREAD_SERIALIZED) ? DispatchQueue(label: "a2m.allreduce") : nil
        MPI_Comm_set_errhandler(comm, a2m_mpi_errors_return())
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(comm, &r)
        MPI_Comm_size(comm, &s)
        rank = Int(r)
        size = Int(s)
        var name = [CChar](repeating: 0, count: Int(a2m_mpi_max_processor_name()) + 1)
        var length: Int32 = 0
        MPI_Get_processor_name(&name, &length)
        processorName = String(decoding: name.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        atexit { MPI_Finalize() }
    }

    private func check(_ rc: Int32, _ operation: String) throws {
        guard rc != a2m_mpi_success() else { return }
        throw MPIError(operation: operation, code: rc, rank: rank)
    }

    func barrier() throws { try check(MPI_Barrier(comm), "MPI_Barrier") }

    /// In chunks of at most Int32.max elements (MPI counts are C ints).
    private func allreduce<T>(_ buffer: UnsafeMutableBufferPointer<T>, _ type: MPI_Datatype, _ op: MPI_Op, _ name: String) throws {
        var at = 0
        while at < buffer.count {
            let n = min(buffer.count - at, Int(Int32.max))
            try check(MPI_Allreduce(a2m_mpi_in_place(), buffer.baseAddress! + at, Int32(n), type, op, comm), name)
            at += n
        }
    }

    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws { try allreduce(buffer, a2m_mpi_float(), a2m_mpi_sum(), "MPI_Allreduce (float sum)") }
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws { try allreduce(buffer, a2m_mpi_double(), a2m_mpi_sum(), "MPI_Allreduce (double sum)") }
    func allreduceMax(_ buffer: UnsafeMutableBufferPointer<UInt64>) throws { try allreduce(buffer, a2m_mpi_uint64(), a2m_mpi_max(), "MPI_Allreduce (max)") }

    func startAllreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard let reducer else { return try allreduceSum(buffer) }
        let span = SendableSpan(buffer), failure = reducerFailure
        reducer.async { [self] in
            guard failure.error == nil else { return }
            do { try allreduceSum(span.buffer) } catch { failure.error = error }
        }
    }

    func waitForSums() throws {
        guard let reducer else { return }
        reducer.sync {}
        if let e = reducerFailure.error { reducerFailure.error = nil; throw e }
    }

    func abort(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        MPI_Abort(comm, code)
        exit(code)
    }
}

/// The first failure of the reducer queue, read by the main thread after `reducer.sync {}` (which orders the two).
private final class ReducerFailure: @unchecked Sendable {
    var error: Error?
}

/// A gradient span handed to the reducer queue; the caller does not touch it until `waitForSums`.
private struct SendableSpan: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Float>
    init(_ buffer: UnsafeMutableBufferPointer<Float>) { self.buffer = buffer }
}

struct MPIError: Error, CustomStringConvertible {
    var operation: String
    var code: Int32
    var rank: Int

    var description: String {
        var text = [CChar](repeating: 0, count: Int(a2m_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        let message = String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "rank \(rank): \(operation) failed: \(message) (another rank may have died; the last checkpoint stays valid)"
    }
}
#endif
