// An app's view of the library: `import A2MKit` only, no `@testable`, so this target builds only if the public
// API covers what an embedding app does. It is compiled with the fuzz targets (.ci/run); nothing runs it.
import A2MKit
import Foundation

public enum APIClient {
    /// Speech in, motion out: the model, the features of one file, and DDIM with guidance, as `a2m generate` does.
    public static func generate(audio: URL, model modelURL: URL, out: URL) throws {
        let model = try GenerationModel.load(contentsOf: modelURL)
        let pipeline = GenerationPipeline(model: model)
        let features = try pipeline.features(audio)
        var configuration = GenerationConfiguration()
        configuration.sampling = SamplerOptions(kind: .ddim, steps: 50, guidance: 2.5)
        let clips = try pipeline.clips([(name: audio.lastPathComponent, features: features)], configuration: configuration)
        try BVHWriter.write(clips[0][0], to: out)
    }

    /// A user's BVH at another frame rate, as JSON and as a glTF binary.
    public static func convert(bvh: URL, fps: Double, json: URL, glb: URL) throws -> [String] {
        let (clip, warnings) = try BVHReader.read(bvh)
        let resampled = try clip.resampled(to: fps)
        try MotionJSON.write(resampled, format: .a2m, to: json)
        try GLTFExport.write(resampled, to: glb)
        return warnings
    }

    /// Motion onto the app's own rig.
    public static func retarget(_ clip: MotionClip, onto rigURL: URL) throws -> MotionClip {
        let source = Rig(skeleton: clip.skeleton, unit: .cm, file: "<app>", format: .bvh)
        let target = try Rig.load(rigURL)
        return try Retargeter(source: source, target: target).retarget(clip)
    }
}
