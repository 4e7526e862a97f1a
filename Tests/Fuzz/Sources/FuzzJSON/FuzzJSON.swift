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

/// a2m's JSON readers on the same bytes: the motion JSON reader (`a2m convert`, `a2m view`), the config reader
/// (Configs/*.json, validated as `a2m train` does), the audio front-end config, and the duplicate-key scanner they
/// all run first.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    MemoryBudget.set(64 << 20)
    let data = Data(bytes: start, count: count)
    _ = data.withUnsafeBytes { JSONDuplicateKeys.first(in: $0) }
    if let clip = try? MotionJSON.read(data: data, name: "fuzz.json") {
        _ = MotionJSON.bytes(clip, format: .a2m)
        _ = MotionJSON.bytes(clip, format: .threejs)
    }
    if let config = try? StrictJSON.decode(A2MConfig.self, from: data, file: "fuzz.json"), (try? config.validate(file: "fuzz.json")) != nil {
        _ = Denoiser.trainingBytes(config.model, batch: config.training.batchSize)
    }
    if let audio = try? StrictJSON.decode(AudioFeatureConfig.self, from: data, file: "fuzz.json") {
        _ = try? audio.validate(file: "fuzz.json")
    }
    return 0
}

@_cdecl("FuzzJSON_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    a2m_fuzz_main(argc, argv, fuzz)
}
