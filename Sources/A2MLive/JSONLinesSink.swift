import A2MMotion
import Foundation

/// One JSON object per line, written with one `write` each so a reader sees whole lines as soon as they are
/// ready (docs/formats.md, "Stream JSON lines"; `MotionJSONLines` reads them back):
///   {"type":"skeleton","fps":30,"units":"cm","joints":["Hips",...],"parents":[-1,0,...],"bvh":"HIERARCHY..."}  (first line)
///   {"type":"frame","frame":0,"time":0,"root":[x,y,z],"rotations":[[x,y,z,w],...]}           (one per frame)
/// `time` is the seconds of audio the frame belongs to (frame / fps), `root` the root joint's position,
/// `rotations` every joint's local rotation as a unit quaternion (x, y, z, w), in the order of `joints`; `bvh` the
/// skeleton with its offsets as BVH text (hierarchy and one rest-pose frame).
public final class JSONLinesSink: LiveFrameSink {
    private let write: (Data) throws -> Void
    private var fps = 30.0

    /// `write` receives each line (with its newline); default: standard output.
    public init(write: ((Data) throws -> Void)? = nil) {
        self.write = write ?? { try FileHandle.standardOutput.write(contentsOf: $0) }
    }

    static func number(_ v: Float) -> String { v.isFinite ? "\(v)" : "null" }

    public func start(skeleton: Skeleton, fps: Double) throws {
        self.fps = fps
        try write(Data((try MotionJSONLines.headerLine(skeleton: skeleton, fps: fps) + "\n").utf8))
    }

    public func send(_ chunk: MotionClip, first: Int) throws {
        let J = chunk.jointCount
        for f in 0..<chunk.frameCount {
            let r = chunk.rootPositions[f]
            var line = "{\"type\":\"frame\",\"frame\":\(first + f),\"time\":\(Double(first + f) / fps),\"root\":[\(Self.number(r.x)),\(Self.number(r.y)),\(Self.number(r.z))],\"rotations\":["
            for j in 0..<J {
                let q = chunk.rotations[f * J + j]
                if j > 0 { line += "," }
                line += "[\(Self.number(q.x)),\(Self.number(q.y)),\(Self.number(q.z)),\(Self.number(q.w))]"
            }
            line += "]}\n"
            try write(Data(line.utf8))
        }
    }

    public func finish() throws {}
}
