import A2MCore
import A2MMotion
import A2MNN
import Foundation

// Shapes: B rows, T frames, D = motion features (normalized, `MotionFeatures` layout), J skeleton joints,
// F foot joints, C = the joints on the paths from the root to the feet (F ⊆ C ⊆ J).

/// The foot term of the training loss: forward kinematics of the predicted x0, and the squared error of every
/// foot joint's world-space velocity against the ground truth's, as in EDGE (Tseng et al. 2023, §3.2: "foot
/// contact consistency"; their `foot_loss` on joints 7, 8, 10, 11 = ankles and toes).
///
/// Differences from EDGE, and why:
/// - EDGE zeroes the predicted foot velocity where its model's own predicted contact label is on; a2m has no
///   contact channel, so the target is the ground truth's own foot velocity (zero where the foot is planted,
///   the step's motion where it is not). A planted foot is the common case and gets EDGE's behaviour.
/// - Velocity is a per-frame displacement, computed without integrating the root: between frames f−1 and f,
///   in the heading frame of f−1,
///
///       Δ_f = (vx_f, 0, vz_f) / fps + Ry(ω_f / fps) · P_f − P_{f−1}
///
///   where P_f is the joint's position relative to the ground point under the root, by forward kinematics of
///   the heading-free root rotation and the local rotations (Gram–Schmidt of the 6D features), with the root at
///   height y_f. It equals the world displacement rotated by −θ_{f−1}, so its length is the world speed
///   (checked against `MotionFeatures.decode` + forward kinematics in the tests).
/// - Velocity is in body heights per second (rest-pose height of the skeleton), so the weight does not depend
///   on the file's length unit.
///
/// loss = (1 / (pairs · F)) Σ_rows w_r Σ_{valid pairs f−1, f} Σ_feet ‖(Δ̂_f − Δ_f) · fps / H‖²
final class FootVelocityLoss: FootLossTerm {
    /// Joints on the root → foot paths, parents before children; `slotParent[k]` is the slot of chain[k]'s parent.
    let chain: [Int]
    let slotParent: [Int]
    /// Rest offsets of the chain joints (Double).
    let offsets: [SIMD3<Double>]
    /// Slots (in `chain`) of the foot joints.
    let footSlots: [Int]
    /// Skeleton joint indices of the feet.
    let feet: [Int]
    let mean: [Double], std: [Double]
    let fps: Double
    /// Rest-pose height of the skeleton (units of its offsets).
    let bodyHeight: Double
    let featureDim: Int

    /// `feet`: skeleton joint indices (default `Skeleton.footJoints`). Throws when the skeleton has no foot joint or
    /// no height, or the stats do not match it.
    init(skeleton: Skeleton, stats: NormalizationStats, fps: Double, feet: [Int]? = nil) throws {
        let feet = feet ?? skeleton.footJoints
        let d = MotionFeatures.featureDim(for: skeleton)
        guard stats.featureDim == d else {
            throw TrainingError.modelMismatch(reason: "foot velocity loss: motion stats have \(stats.featureDim) features, the skeleton gives \(d)")
        }
        guard !feet.isEmpty, feet.allSatisfy({ (1..<skeleton.jointCount).contains($0) }) else {
            throw TrainingError.modelMismatch(reason: "foot velocity loss: the skeleton has no joint below its hips to treat as a foot (footVelocityLossWeight needs a legged skeleton; set it to 0)")
        }
        let height = skeleton.restHeight
        guard height > 0, height.isFinite, fps > 0, fps.isFinite else {
            throw TrainingError.modelMismatch(reason: "foot velocity loss: the skeleton's rest pose has no height, or fps \(fps) is not positive")
        }
        var onPath = Set<Int>()
        for f in feet {
            var j: Int? = f
            while let k = j { onPath.insert(k); j = skeleton.joints[k].parent }
        }
        let chain = onPath.sorted()   // parents have smaller indices (Skeleton's invariant)
        let slot = Dictionary(uniqueKeysWithValues: chain.enumerated().map { ($1, $0) })
        self.chain = chain
        slotParent = chain.map { skeleton.joints[$0].parent.map { slot[$0]! } ?? -1 }
        offsets = chain.map { SIMD3<Double>(skeleton.joints[$0].offset) }
        footSlots = feet.map { slot[$0]! }
        self.feet = feet
        mean = stats.mean.map(Double.init)
        std = stats.std.map(Double.init)
        self.fps = fps
        bodyHeight = height
        featureDim = d
    }

    /// Forward kinematics of one frame of (denormalized) features: positions P of the feet relative to the ground
    /// point under the root, in the frame's heading frame, plus what the backward pass needs.
    struct Frame {
        var vx = 0.0, vz = 0.0, omega = 0.0
        var gs: [GramSchmidt] = []
        var global: [Matrix3] = []
        var position: [SIMD3<Double>] = []
    }

    func frame(_ x: UnsafePointer<Float>) -> Frame {
        var fr = Frame()
        func feature(_ k: Int) -> Double { Double(x[k]) * std[k] + mean[k] }
        fr.vx = feature(0); fr.vz = feature(1); fr.omega = feature(3)
        fr.gs.reserveCapacity(chain.count); fr.global.reserveCapacity(chain.count); fr.position.reserveCapacity(chain.count)
        for (k, j) in chain.enumerated() {
            let o = MotionFeatures.rootFeatureCount + 6 * j
            let g = GramSchmidt(a: SIMD3(feature(o), feature(o + 1), feature(o + 2)), b: SIMD3(feature(o + 3), feature(o + 4), feature(o + 5)))
            fr.gs.append(g)
            let p = slotParent[k]
            if p < 0 {
                fr.global.append(g.matrix)
                fr.position.append(SIMD3(0, feature(2), 0))
            } else {
                fr.global.append(fr.global[p] * g.matrix)
                fr.position.append(fr.position[p] + fr.global[p] * offsets[k])
            }
        }
        return fr
    }

    /// Displacement of foot slot s from `prev` to `cur`, in the heading frame of `prev` (units of the skeleton).
    func displacement(_ prev: Frame, _ cur: Frame, slot s: Int) -> SIMD3<Double> {
        let phi = cur.omega / fps
        return SIMD3(cur.vx, 0, cur.vz) / fps + Matrix3.axisRotation(1, phi) * cur.position[s] - prev.position[s]
    }

    /// Returns the unweighted loss, and adds weight · ∂loss/∂pred to `dpred` (+=) when it is given (the caller
    /// adds weight · loss to its total). `pred`, `target` [B, T, D] normalized; `mask` [B, T] or nil; `rowWeights`
    /// [B] or nil.
    func accumulate(dpred: FPtr?, pred: FPtr, target: FPtr, mask: FPtr?, rowWeights: FPtr?, b: Int, t: Int, weight: Float,
                    pairs wholeBatchPairs: Double? = nil) -> Double {
        let d = featureDim, nf = footSlots.count
        let pairs = wholeBatchPairs ?? maskedCounts(mask: mask, b: b, t: t).pairs
        guard pairs > 0 else { return 0 }
        let scale = fps / bodyHeight
        let c = 1 / (pairs * Double(nf))
        var total = 0.0
        for r in 0..<b {
            let w = Double(rowWeights?[r] ?? 1)
            let p = (0..<t).map { frame(UnsafePointer(pred + (r * t + $0) * d)) }
            let g = (0..<t).map { frame(UnsafePointer(target + (r * t + $0) * d)) }
            var dPos = [[SIMD3<Double>]](repeating: [SIMD3<Double>](repeating: .zero, count: chain.count), count: t)
            var dRoot = [SIMD3<Double>](repeating: .zero, count: t)   // (vx, vz, ω)
            for f in 1..<max(t, 1) {
                let m = Double(mask?[r * t + f - 1] ?? 1) * Double(mask?[r * t + f] ?? 1)
                guard m != 0 else { continue }
                for s in footSlots {
                    let e = (displacement(p[f - 1], p[f], slot: s) - displacement(g[f - 1], g[f], slot: s)) * scale
                    total += w * m * c * (e * e).sum()
                    guard dpred != nil else { continue }
                    let de = e * (2 * w * m * c * Double(weight) * scale)   // ∂(weight·loss)/∂Δ̂
                    let phi = p[f].omega / fps
                    dRoot[f].x += de.x / fps
                    dRoot[f].y += de.z / fps
                    let q = p[f].position[s], cs = cos(phi), sn = sin(phi)
                    // d(Ry(φ)·q)/dφ = (−sin·qx + cos·qz, 0, −cos·qx − sin·qz)
                    dRoot[f].z += (de.x * (-sn * q.x + cs * q.z) + de.z * (-cs * q.x - sn * q.z)) / fps
                    dPos[f][s] += Matrix3.axisRotation(1, phi).transposed * de
                    dPos[f - 1][s] -= de
                }
            }
            guard let dpred else { continue }
            for f in 0..<t {
                backward(p[f], dPosition: dPos[f], dRoot: dRoot[f], into: dpred + (r * t + f) * d)
            }
        }
        return total
    }

    /// Backward of `frame` and the root velocities: adds ∂/∂(normalized features) to `dx`.
    private func backward(_ fr: Frame, dPosition: [SIMD3<Double>], dRoot: SIMD3<Double>, into dx: FPtr) {
        var dP = dPosition
        var dG = [Matrix3](repeating: .zero, count: chain.count)
        func add(_ k: Int, _ v: Double) { dx[k] += Float(v * std[k]) }
        add(0, dRoot.x); add(1, dRoot.y); add(3, dRoot.z)
        for k in chain.indices.reversed() {
            let p = slotParent[k]
            let dR: Matrix3
            if p < 0 {
                add(2, dP[k].y)
                dR = dG[k]
            } else {
                // P_k = P_p + G_p · o_k;  G_k = G_p · R_k
                dP[p] += dP[k]
                dG[p] = dG[p] + Matrix3.outer(dP[k], offsets[k]) + dG[k] * fr.gs[k].matrix.transposed
                dR = fr.global[p].transposed * dG[k]
            }
            let (da, db) = fr.gs[k].backward(dR)
            let o = MotionFeatures.rootFeatureCount + 6 * chain[k]
            add(o, da.x); add(o + 1, da.y); add(o + 2, da.z)
            add(o + 3, db.x); add(o + 4, db.y); add(o + 5, db.z)
        }
    }
}

/// `Rotation.matrix(sixD:)` (Gram–Schmidt of the first two columns) with its backward pass. Degenerate input
/// (a zero or a parallel column, where the forward falls back to fixed axes) gets zero gradient.
struct GramSchmidt {
    let a: SIMD3<Double>, b: SIMD3<Double>
    let x: SIMD3<Double>, y: SIMD3<Double>, la: Double, lu: Double
    let matrix: Matrix3

    init(a: SIMD3<Double>, b: SIMD3<Double>) {
        self.a = a; self.b = b
        matrix = Rotation.matrix(sixD: a, b)
        x = matrix.c0; y = matrix.c1
        la = a.length
        lu = (b - x * x.dot(b)).length
    }

    /// ∂/∂a and ∂/∂b given ∂/∂(matrix).
    func backward(_ dm: Matrix3) -> (SIMD3<Double>, SIMD3<Double>) {
        guard la > 1e-12, lu > 1e-12 else { return (.zero, .zero) }
        // z = x × y
        var dx = dm.c0 + y.cross(dm.c2)
        let dy = dm.c1 + dm.c2.cross(x)
        // y = u / |u|
        let du = (dy - y * y.dot(dy)) / lu
        // u = b − x (x·b)
        let xb = x.dot(b), xdu = x.dot(du)
        let db = du - x * xdu
        dx += -du * xb - b * xdu
        // x = a / |a|
        let da = (dx - x * x.dot(dx)) / la
        return (da, db)
    }
}

extension Matrix3 {
    static let zero = Matrix3(columns: .zero, .zero, .zero)

    static func + (l: Matrix3, r: Matrix3) -> Matrix3 { Matrix3(columns: l.c0 + r.c0, l.c1 + r.c1, l.c2 + r.c2) }

    /// u · vᵀ
    static func outer(_ u: SIMD3<Double>, _ v: SIMD3<Double>) -> Matrix3 { Matrix3(columns: u * v.x, u * v.y, u * v.z) }
}
