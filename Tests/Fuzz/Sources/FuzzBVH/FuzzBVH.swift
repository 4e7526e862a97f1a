@testable import A2MCore
@testable import A2MAudio
@testable import A2MMotion
@testable import A2MNN
@testable import A2MGeneration
@testable import A2MTraining
@testable import A2MCorpus
@testable import A2MEvaluation
import A2MKit
import Foundation
import FuzzDriver

/// The BVH reader; whatever it accepts must write back and read again, and resampling a clip it accepted must
/// stay inside the memory budget check.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    MemoryBudget.set(64 << 20)
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let (clip, _) = try? BVHReader.read(bytes: bytes, name: "fuzz.bvh") else { return 0 }
    let written: [UInt8]
    do { written = try BVHWriter.bytes(clip) } catch { return 0 }
    do { _ = try BVHReader.read(bytes: written, name: "rewritten.bvh") } catch {
        fatalError("a2m's own BVH of an accepted file does not read back: \(error)")
    }
    if (try? clip.checkResampling(to: 30, file: "fuzz.bvh")) != nil { _ = try? clip.resampled(to: 30) }
    _ = MotionJSON.bytes(clip, format: .a2m)
    return 0
}

@_cdecl("FuzzBVH_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    a2m_fuzz_main(argc, argv, fuzz)
}
