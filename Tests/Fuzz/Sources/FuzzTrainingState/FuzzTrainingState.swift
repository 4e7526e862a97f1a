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
    c.training.validationFraction = 0
    return c
}()

/// Three pairs on disk (5, 3 and 10 s of a tone and rest-pose motion), loaded as `a2m train` loads data: since
/// the training set streams windows from a memory-mapped feature cache, it is built from files, once per process.
let data: TrainingSet = {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-fuzz-state-\(getpid())")
    try? FileManager.default.removeItem(at: dir)
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let sr = 16000
    for (i, seconds) in [5.0, 3.0, 10.0].enumerated() {
        let tone = (0..<Int(seconds * Double(sr))).map { Float(0.25 * sin(2 * Double.pi * 220 * Double($0) / Double(sr))) }
        try! PCM16WAV.encode(tone, sampleRate: sr).write(to: dir.appendingPathComponent("clip\(i).wav"))
        try! BVHWriter.write(MotionClip(restPoseOf: .a2mDefault, fps: 30, frames: Int(seconds * 30)),
                             to: dir.appendingPathComponent("clip\(i).bvh"))
    }
    return try! TrainingSet.load(TrainingSet.Source(directory: dir), cache: dir.appendingPathComponent("cache"),
                                 audio: config.audio, training: config.training)
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
