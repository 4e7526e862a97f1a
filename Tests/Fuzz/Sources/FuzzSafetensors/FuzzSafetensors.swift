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

/// The safetensors reader and everything a model file goes through before and during its arena's creation: the
/// header (lengths, JSON, dtypes, shapes, offsets, duplicates), `a2m.model` decoding and validation, the tensor
/// table and file-size checks, the memory budget, and finally the load itself, bounded to 64 MiB so the fuzzer can
/// reach it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    MemoryBudget.set(64 << 20)
    let data = Data(bytes: start, count: count)
    guard let file = try? SafetensorsFile(data: data, path: "fuzz.safetensors") else { return 0 }
    for name in file.tensors.keys.sorted() { _ = try? file.floats(name) }
    guard let json = file.metadata[Denoiser.configMetadataKey],
          let config = try? StrictJSON.decode(DenoiserConfig.self, from: Data(json.utf8), file: "fuzz"),
          (try? config.validate()) != nil,
          (try? Denoiser.checkBeforeAllocating(config, file: file)) != nil,
          let model = try? Denoiser(config: config) else { return 0 }
    _ = try? model.parameters.load(from: file)
    return 0
}

@_cdecl("FuzzSafetensors_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    a2m_fuzz_main(argc, argv, fuzz)
}
