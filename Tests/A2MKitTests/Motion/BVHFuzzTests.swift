import Testing
import Foundation
@testable import A2MCore
@testable import A2MMotion

/// Thousands of mutated BVH files: the reader must return a consistent clip or throw a `BVHError`,
/// never crash, hang, or throw anything else; whatever it returns must be writable again.
@Suite struct BVHFuzzTests {
    static let mutationsPerSeed = 600

    static func seeds() throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        for name in ["mixed_orders.bvh", "nonroot_6channel.bvh", "end_sites.bvh", "line_endings_cr.bvh", "scientific_notation.bvh"] {
            out.append(Array(try Data(contentsOf: MotionTestSupport.fixture(name))))
        }
        let clip = MotionTestSupport.smoothClip(skeleton: .a2mDefault, fps: 30, seconds: 0.2, seed: 12)
        out.append(try BVHWriter.bytes(clip))
        return out
    }

    /// Bytes that steer a BVH parser into its corners.
    static let interesting: [UInt8] = Array("{}\n\r \t-+.eE0919:#nN".utf8) + [0, 255]

    static func mutate(_ src: [UInt8], _ rng: inout PCG32) -> [UInt8] {
        var b = src
        let rounds = 1 + rng.int(below: 3)
        for _ in 0..<rounds where !b.isEmpty {
            switch rng.int(below: 7) {
            case 0: // truncate
                b.removeLast(rng.int(below: b.count))
            case 1: // flip a byte to an interesting one
                b[rng.int(below: b.count)] = interesting[rng.int(below: interesting.count)]
            case 2: // random byte
                b[rng.int(below: b.count)] = UInt8(truncatingIfNeeded: rng.next32())
            case 3: // swap two whitespace-separated tokens
                var tokens = b.split(omittingEmptySubsequences: false, whereSeparator: { $0 == 32 || $0 == 10 || $0 == 9 }).map(Array.init)
                if tokens.count > 2 {
                    let i = rng.int(below: tokens.count), j = rng.int(below: tokens.count)
                    tokens.swapAt(i, j)
                    b = Array(tokens.joined(separator: [32]))
                }
            case 4: // delete a range
                let i = rng.int(below: b.count)
                b.removeSubrange(i..<min(b.count, i + 1 + rng.int(below: 40)))
            case 5: // duplicate a range
                let i = rng.int(below: b.count)
                let r = Array(b[i..<min(b.count, i + 1 + rng.int(below: 80))])
                b.insert(contentsOf: r, at: rng.int(below: b.count + 1))
            default: // insert an extreme token
                let tokens = [" 1e308 ", " -0 ", " 99999999999999999999999 ", " nan ", " 1e-400 ", " JOINT ", " End Site ", " { ", " } ", " CHANNELS 6 ", " Frames: 100000000 "]
                b.insert(contentsOf: Array(tokens[rng.int(below: tokens.count)].utf8), at: rng.int(below: b.count + 1))
            }
        }
        return b
    }

    @Test func mutatedFilesNeverCrashOrHang() throws {
        var rng = PCG32(seed: 2024)
        var accepted = 0, rejected = 0
        for seed in try Self.seeds() {
            for _ in 0..<Self.mutationsPerSeed {
                let bytes = Self.mutate(seed, &rng)
                do {
                    let (clip, _) = try BVHReader.read(bytes: bytes, name: "fuzz.bvh")
                    accepted += 1
                    #expect(clip.rotations.count == clip.frameCount * clip.jointCount)
                    #expect(clip.rotations.allSatisfy { q in abs((q * q).sum() - 1) < 1e-3 })
                    #expect(clip.rootPositions.allSatisfy { $0.x.isFinite && $0.y.isFinite && $0.z.isFinite })
                    for (_, t) in clip.translations { #expect(t.count == clip.frameCount) }
                    if clip.frameCount > 0 { _ = clip.worldPositions(frame: clip.frameCount - 1, includeEndSites: true) }
                    _ = try BVHWriter.bytes(clip)
                } catch is BVHError {
                    rejected += 1
                }
            }
        }
        // Both outcomes must occur, or the mutations are not exercising the reader.
        #expect(accepted > 50 && rejected > 1000, "accepted \(accepted), rejected \(rejected)")
    }
}
