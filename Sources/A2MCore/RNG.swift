/// Seeded random numbers: PCG32 (O'Neill 2014, "PCG-XSH-RR 64/32"), the reference `pcg32_random_r`.
///
/// Chosen because it is tiny, fast, statistically strong, has independent streams (`stream` selects
/// one of 2^63 sequences), and gives the same numbers on every platform. Streams are derived from
/// (seed, purpose, rank) so that data-parallel ranks and separate consumers (noise, dropout, condition
/// dropout, data order) never share a sequence. Gaussians use Box–Muller in Double, both outputs used.
public struct PCG32: RandomNumberGenerator, Sendable, Codable, Equatable {
    @usableFromInline var state: UInt64
    @usableFromInline var inc: UInt64
    private var spare: Double?

    public init(seed: UInt64, stream: UInt64 = 0) {
        state = 0
        inc = (stream << 1) | 1
        _ = next32()
        state &+= seed
        _ = next32()
    }

    @inlinable mutating func next32() -> UInt32 {
        let old = state
        state = old &* 6364136223846793005 &+ inc
        let xorshifted = UInt32(truncatingIfNeeded: ((old >> 18) ^ old) >> 27)
        let rot = UInt32(truncatingIfNeeded: old >> 59)
        return (xorshifted >> rot) | (xorshifted << ((~rot &+ 1) & 31))
    }

    /// What a generator made by `init` always satisfies: an odd increment (PCG's full period) and a finite
    /// cached Gaussian. A decoded state (a checkpoint) that fails this was not written by a2m.
    public var isWellFormed: Bool { inc & 1 == 1 && (spare?.isFinite ?? true) }

    public mutating func next() -> UInt64 {
        (UInt64(next32()) << 32) | UInt64(next32())
    }

    /// Uniform in [0, 1) with 24 bits, exactly representable as Float.
    @inlinable package mutating func uniformFloat() -> Float {
        Float(next32() >> 8) * (1.0 / 16_777_216.0)
    }

    /// Uniform in (0, 1) with 53 bits.
    mutating func uniformOpenDouble() -> Double {
        (Double(next() >> 11) + 0.5) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Standard normal sample.
    public mutating func gaussian() -> Float {
        if let s = spare { spare = nil; return Float(s) }
        let u1 = uniformOpenDouble(), u2 = uniformOpenDouble()
        let r = (-2.0 * _log(u1)).squareRoot()
        let a = 2.0 * Double.pi * u2
        spare = r * _sin(a)
        return Float(r * _cos(a))
    }

    /// Fills `buffer` with standard normal samples.
    package mutating func fillGaussian(_ buffer: UnsafeMutableBufferPointer<Float>) {
        for i in buffer.indices { buffer[i] = gaussian() }
    }

    /// Uniform integer in 0..<n (Lemire's unbiased method via the stdlib).
    package mutating func int(below n: Int) -> Int {
        Int.random(in: 0..<n, using: &self)
    }

    /// A derived, independent generator: same seed, a stream id hashed from `purpose` and `rank`.
    package static func derived(seed: UInt64, purpose: StreamPurpose, rank: Int = 0) -> PCG32 {
        PCG32(seed: seed, stream: (purpose.rawValue << 16) ^ UInt64(rank))
    }
}

/// Named RNG streams, so consumers never share a sequence.
package enum StreamPurpose: UInt64, Sendable {
    case initialization = 1, dataOrder, diffusionTime, diffusionNoise, conditionDrop, dropout, sampling, corpus, test
    /// Timesteps and noise of validation passes: re-seeded for every pass, so validation losses are comparable across steps.
    case validation
    /// x_T of one absolute motion frame of a live stream: windows that share a frame start from the same noise there.
    case frameNoise
}

import Foundation
@usableFromInline func _log(_ x: Double) -> Double { Foundation.log(x) }
@usableFromInline func _sin(_ x: Double) -> Double { Foundation.sin(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Foundation.cos(x) }
