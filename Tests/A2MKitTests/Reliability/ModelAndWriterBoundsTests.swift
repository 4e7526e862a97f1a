import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio
@testable import A2MMotion
@testable import A2MNN
@testable import A2MGeneration
@testable import A2MTraining
@testable import A2MCorpus
@testable import A2MEvaluation
@testable import A2MView
import A2MKit

/// Sizes that grow with what a file says: a model's audio front end, and the BVH writer's indentation.
@Suite struct ModelAndWriterBoundsTests {
    static func audioJSON(_ c: AudioFeatureConfig) -> String { String(decoding: try! JSONEncoder().encode(c), as: UTF8.self) }

    /// A model's front end is checked on load like training checks it: the audio feature rate must be the motion
    /// frame rate, the rate must be one training accepts, and the FFT input per second of audio is bounded. A model
    /// at 384 kHz with hop 1 generated at about 100 s per second of audio; one whose fps disagreed wrote motion with
    /// the wrong timing.
    @Test func aModelsAudioFrontEndIsChecked() throws {
        let dir = try ScratchDirectory("front-end")
        let wav = try TinyModel.wav(in: dir.url, name: "talk.wav", seconds: 1)
        var fast = AudioFeatureConfig.model
        fast.sampleRate = 384_000
        fast.hopLength = 1
        fast.nFFT = 16_384   // 23 Hz bins: every one of the 80 mel filters covers one
        var slowFFT = AudioFeatureConfig.model
        slowFFT.sampleRate = 384_000
        slowFFT.hopLength = 384
        slowFFT.nFFT = 65_536
        var librosa = AudioFeatureConfig.librosaDefault
        librosa.nMels = 80
        librosa.topDB = nil
        let cases: [(String, AudioFeatureConfig, String, String)] = [
            ("384 kHz, hop 1, fps 384000", fast, "384000", "a2m.fps"),
            ("384 kHz, hop 1, fps 30", fast, "30", "differs from the audio feature rate"),
            ("22050 / 512 = 43.07 fps, fps 30", librosa, "30", "differs from the audio feature rate"),
            ("1000 fps of 65536-point FFTs", slowFFT, "1000", "samples per second of audio"),
        ]
        for (name, audio, fps, fragment) in cases {
            let model = try TinyModel.write(to: dir.url, name: "m.safetensors") { meta in
                meta[GenerationModel.Key.audio] = Self.audioJSON(audio)
                meta[GenerationModel.Key.fps] = fps
            }
            let r = try Probe.a2m(["generate", wav.path, "--model", model.path, "--out", dir.path("out").path, "--steps", "2", "--quiet"], timeout: 60)
            #expect(r.status == 1 && !r.timedOut && r.stderr.contains(model.path) && r.stderr.contains(fragment), "\(name): \(r.stderr)")
        }
        // An invalid front end (odd nFFT) is refused as the config's field.
        var odd = AudioFeatureConfig.model
        odd.nFFT = 1023
        let model = try TinyModel.write(to: dir.url, name: "odd.safetensors") { $0[GenerationModel.Key.audio] = Self.audioJSON(odd) }
        #expect { try GenerationModel.load(contentsOf: model) } throws: { e in "\(e)".contains("a2m.audio") && "\(e)".contains("nFFT") }
        #expect(!FileManager.default.fileExists(atPath: dir.path("out").path))
    }

    /// One tab per level made a 10,000-deep chain (819 KB as BVH) a 250 MB file: the indentation is capped, and the
    /// file reads back to the same skeleton.
    @Test func aDeepHierarchyIsWrittenInLinearSize() throws {
        var joints = [Skeleton.Joint(name: "j0", parent: nil, offset: .zero, hasPosition: true, rotationOrder: .zxy, endSite: nil)]
        for j in 1..<10_000 {
            joints.append(Skeleton.Joint(name: "j\(j)", parent: j - 1, offset: SIMD3(0, 1, 0), hasPosition: false, rotationOrder: .zxy,
                                         endSite: j == 9_999 ? Skeleton.EndSite(name: nil, offset: SIMD3(0, 1, 0)) : nil))
        }
        let skeleton = try Skeleton(joints: joints)
        let clip = MotionClip(restPoseOf: skeleton, fps: 30, frames: 2)
        let bytes = try BVHWriter.bytes(clip)
        #expect(bytes.count < 2_000_000, "\(bytes.count) bytes")
        let back = try BVHReader.read(bytes: bytes, name: "deep.bvh").clip
        #expect(back.skeleton == skeleton && back.frameCount == 2)
    }
}
