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

/// The training-state decoder of `a2m train --resume`: the `a2m.state` JSON of a checkpoint, decoded and checked
/// against a small in-memory training set and config exactly as a resume does. Whatever passes the checks is then
/// used as a resumed run uses it (data order, batches, condition drop, timesteps, noise), so an accepted state that
/// indexes past the windows fails here.
let config: A2MConfig = {
    var c = A2MConfig()
    c.training.batchSize = 4
    c.training.logInterval = 10
    return c
}()

let data: TrainingSet = {
    let skeleton = Skeleton.a2mDefault
    let d = MotionFeatures.featureDim(for: skeleton), m = config.audio.nMels
    let frames = [150, 90, 300]
    let files = frames.enumerated().map { i, n in
        TrainingSet.File(stem: "clip\(i)", frames: n, motion: [Float](repeating: 0, count: n * d), audio: [Float](repeating: 0, count: n * m))
    }
    let windows = frames.indices.flatMap { TrainingWindows.windows(file: $0, frameCount: frames[$0], length: 120, stride: 60) }
    return TrainingSet(directory: URL(fileURLWithPath: "/fuzz"), files: files, skeletonBVH: "", skeleton: skeleton, fps: 30,
                       motionDim: d, audioDim: m,
                       motionStats: try! NormalizationStats(mean: [Float](repeating: 0, count: d), std: [Float](repeating: 1, count: d)),
                       audioStats: try! NormalizationStats(mean: [Float](repeating: 0, count: m), std: [Float](repeating: 1, count: m)),
                       trainingFiles: [0, 1, 2], validationFiles: [], trainingWindows: windows, validationWindows: [], notes: [],
                       cacheHits: 0, cacheMisses: 0)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let json = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    // The step the checkpoint's metadata states: the fuzzer's state is checked against its own claim.
    let metadataStep = json.firstRange(of: "\"step\":").map { r in String(json[r.upperBound...].prefix { $0.isNumber || $0 == "-" }) }
    guard var state = try? Trainer.checkedState(json: json, metadataStep: metadataStep, config: config, data: data, file: "fuzz") else { return 0 }
    let schedule = DiffusionSchedule(config.diffusion)
    for _ in 0..<3 {
        let windows = state.dataOrder.next(config.training.batchSize).map { data.trainingWindows[$0] }
        var motion: [Float] = [], audio: [Float] = [], mask: [Float] = []
        data.fillBatch(windows, length: config.training.windowFrames, motion: &motion, audio: &audio, mask: &mask)
        _ = (0..<windows.count).map { _ in state.timesteps.int(below: schedule.steps) }
        _ = state.noise.gaussian()
        _ = state.conditionDrop.keepMask(batch: windows.count)
    }
    return 0
}

@_cdecl("FuzzTrainingState_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    a2m_fuzz_main(argc, argv, fuzz)
}
