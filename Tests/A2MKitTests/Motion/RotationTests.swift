import Testing
import Foundation
@testable import A2MCore
@testable import A2MMotion

func maxAbs(_ v: SIMD4<Double>) -> Double { max(abs(v.x), abs(v.y), abs(v.z), abs(v.w)) }

@Suite struct RotationTests {
    static let tolerance = 1e-9

    /// Rotations about one axis, worked by hand: R_z(90°) maps +X to +Y, R_x(90°) maps +Y to +Z,
    /// R_y(90°) maps +Z to +X.
    @Test func axisRotationsByHand() {
        let cases: [(RotationOrder, SIMD3<Double>, SIMD3<Double>, SIMD3<Double>)] = [
            (.zxy, [90, 0, 0], [1, 0, 0], [0, 1, 0]),
            (.xyz, [90, 0, 0], [0, 1, 0], [0, 0, 1]),
            (.yzx, [90, 0, 0], [0, 0, 1], [1, 0, 0]),
        ]
        for (order, e, v, expected) in cases {
            let got = Rotation.matrix(eulerDegrees: e, order: order) * v
            #expect((got - expected).abs().max() < Self.tolerance, "\(order): got \(got)")
        }
        // ZXY (90, 90, 0): R = Rz(90)·Rx(90). Rx(90) takes +Y to +Z, Rz(90) leaves +Z: (0,0,1).
        // +Z: Rx(90) takes it to −Y, Rz(90) takes −Y to +X: (1,0,0).
        let m = Rotation.matrix(eulerDegrees: [90, 90, 0], order: .zxy)
        #expect(((m * [0, 1, 0]) - [0, 0, 1]).abs().max() < Self.tolerance)
        #expect(((m * [0, 0, 1]) - [1, 0, 0]).abs().max() < Self.tolerance)
    }

    @Test(arguments: RotationOrder.allCases)
    func eulerMatrixRoundTrip(order: RotationOrder) {
        var rng = PCG32(seed: 11)
        var worst = 0.0
        for k in 0..<2000 {
            var e = SIMD3<Double>(Double(rng.uniformFloat()) * 360 - 180, Double(rng.uniformFloat()) * 180 - 90,
                                  Double(rng.uniformFloat()) * 360 - 180)
            if k % 10 == 0 { e.y = k % 20 == 0 ? 90 : -90 } // gimbal lock
            let m = Rotation.matrix(eulerDegrees: e, order: order)
            let back = Rotation.eulerDegrees(m, order: order)
            worst = max(worst, Rotation.matrix(eulerDegrees: back, order: order).maxDifference(m))
            if abs(abs(e.y) - 90) > 1e-3 {
                // Away from gimbal lock the angles themselves come back.
                #expect((back - e).abs().max() < 1e-6, "\(order) \(e) -> \(back)")
            }
        }
        #expect(worst < 1e-9, "max matrix difference \(worst)")
    }

    @Test func quaternionMatrixRoundTripAndComposition() {
        var rng = PCG32(seed: 3)
        var worst = 0.0
        for _ in 0..<2000 {
            let a = SIMD4<Double>(MotionTestSupport.randomQuaternion(&rng))
            let b = SIMD4<Double>(MotionTestSupport.randomQuaternion(&rng))
            let ma = Rotation.matrix(quaternion: a), mb = Rotation.matrix(quaternion: b)
            let qa = Rotation.quaternion(ma)
            // q and −q are the same rotation.
            worst = max(worst, min(maxAbs(qa - a), maxAbs(qa + a)))
            worst = max(worst, Rotation.matrix(quaternion: Rotation.multiply(a, b)).maxDifference(ma * mb))
        }
        #expect(worst < 1e-6, "max difference \(worst)")
    }

    @Test func eulerMatchesQuaternionProduct() {
        // The reader builds q = q_c1 · q_c2 · q_c3 from half angles; it must equal the Euler matrix.
        var rng = PCG32(seed: 5)
        for order in RotationOrder.allCases {
            for _ in 0..<200 {
                let e = SIMD3<Double>(Double(rng.uniformFloat()) * 720 - 360, Double(rng.uniformFloat()) * 720 - 360,
                                      Double(rng.uniformFloat()) * 720 - 360)
                let axes = [order.axes.0, order.axes.1, order.axes.2]
                var q = SIMD4<Double>(0, 0, 0, 1)
                for k in 0..<3 {
                    var a = SIMD4<Double>(0, 0, 0, cos(e[k] * .pi / 360))
                    a[axes[k]] = sin(e[k] * .pi / 360)
                    q = Rotation.multiply(q, a)
                }
                let d = Rotation.matrix(quaternion: q).maxDifference(Rotation.matrix(eulerDegrees: e, order: order))
                #expect(d < 1e-9, "\(order) \(e): \(d)")
            }
        }
    }

    @Test func sixDRoundTripAndGramSchmidt() {
        var rng = PCG32(seed: 9)
        for _ in 0..<1000 {
            let m = Rotation.matrix(quaternion: SIMD4<Double>(MotionTestSupport.randomQuaternion(&rng)))
            let s = Rotation.sixD(m)
            let back = Rotation.matrix(sixD: SIMD3(s[0], s[1], s[2]), SIMD3(s[3], s[4], s[5]))
            #expect(back.maxDifference(m) < 1e-12)
            // Scaled and skewed columns still give a rotation with the first column's direction.
            let skew = Rotation.matrix(sixD: m.c0 * 3, m.c1 * 0.5 + m.c0 * 0.2)
            #expect(skew.maxDifference(m) < 1e-12)
        }
        let degenerate = Rotation.matrix(sixD: [0, 0, 0], [0, 0, 0])
        #expect((degenerate.transposed * degenerate).maxDifference(.identity) < 1e-12)
    }

    @Test func slerpTakesShortArcAcrossEulerWrap() {
        // 179.9° and −179.7° about Y are 0.4° apart; halfway is 180.0°, not 0°.
        let a = Rotation.quaternion(Rotation.matrix(eulerDegrees: [179.9, 0, 0], order: .yxz))
        let b = Rotation.quaternion(Rotation.matrix(eulerDegrees: [-179.7, 0, 0], order: .yxz))
        let mid = Rotation.matrix(quaternion: Rotation.slerp(a, b, 0.5))
        let expected = Rotation.matrix(eulerDegrees: [180.1, 0, 0], order: .yxz)
        #expect(mid.maxDifference(expected) < 1e-9)
    }
}

@Suite struct AxisMultiplyTests {
    /// The reader's fast q · q_axis equals the general product with (sin, cos) of the half angle, for
    /// angles far outside ±180° too (up to the sign of the whole quaternion).
    @Test func matchesGeneralProduct() {
        var rng = PCG32(seed: 77)
        var worst = 0.0
        for _ in 0..<3000 {
            let q = SIMD4<Double>(MotionTestSupport.randomQuaternion(&rng))
            let deg = Double(rng.uniformFloat()) * 2000 - 1000
            for axis in 0..<3 {
                var a = SIMD4<Double>(0, 0, 0, cos(deg * .pi / 360))
                a[axis] = sin(deg * .pi / 360)
                let want = Rotation.multiply(q, a), got = Rotation.multiply(q, axis: axis, degrees: deg)
                worst = max(worst, min(maxAbs(want - got), maxAbs(want + got)))
            }
        }
        #expect(worst < 1e-9, "max difference \(worst)")
    }
}
