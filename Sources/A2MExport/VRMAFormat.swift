import Foundation
import A2MCore
import A2MMotion
import A2MRetarget

/// VRM Animation 1.0 (`VRMAnimationExport`; docs/formats.md, "VRM Animation"): the motion on a VRM T-pose
/// humanoid at `fps` (30, the format's rate, unless told), which the VRM app retargets onto the avatar. It needs a
/// skeleton whose joints map to VRM's humanoid bones at zero-rotation rest (a2m's skeletons and BVH rigs), so
/// it refuses a retargeted glTF rig's layout: the avatar app does that retargeting itself.
public struct VRMAFormat: MotionFormat {
    public var fps: Double

    public init(fps: Double = VRMAnimationExport.defaultFPS) { self.fps = fps }
    public var name: String { "vrma" }
    public var fileExtension: String { "vrma" }
    public var summary: String { "VRM Animation 1.0 (VRMC_vrm_animation): VRM humanoid bones, T-pose rest, \(Int(VRMAnimationExport.defaultFPS)) fps" }

    public func check(_ layout: MotionLayout) throws {
        if let rest = layout.restRotations, !rest.allSatisfy({ abs(abs($0.w) - 1) < 1e-6 }) {
            throw GLTFExportError.invalid(file: "vrma", reason: "the skeleton rests at non-zero rotations (a retargeted glTF rig); "
                                          + "VRM Animation is retargeted onto the avatar by the VRM app itself, so write it without --rig")
        }
        _ = try VRMAnimationExport.tPoseRig(for: Rig(skeleton: layout.skeleton, unit: layout.unit, file: "the skeleton", format: .bvh))
    }

    public func write(_ clip: MotionClip, layout: MotionLayout, to file: OutputFile) throws {
        try VRMAnimationExport.document(clip, unit: layout.unit, fps: fps, source: file.destination.path, file: file.destination.path)
            .writeGLB(to: file.url)
    }

    public func makeStream(to file: OutputFile, layout: MotionLayout, fps clipFPS: Double, frameCount: Int) throws -> any MotionFileStream {
        BufferedMotionStream(layout: layout, fps: clipFPS, frameCount: frameCount, path: file.destination.path) {
            try write($0, layout: layout, to: file)
        }
    }

    public func openFiles(layout: MotionLayout) -> Int { 0 }
}
