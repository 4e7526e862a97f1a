import Foundation

/// Length units a2m writes BVH and JSON in (`--units cm|m`). glTF and VRMA are always metres (the glTF spec).
public enum LengthUnit: String, CaseIterable, Sendable, Codable {
    case cm, m

    /// Metres per unit.
    public var metres: Double {
        switch self {
        case .cm: return 0.01
        case .m: return 1
        }
    }

    /// The label a2m JSON's `units` field uses (`MotionJSON.knownUnits`).
    public var jsonLabel: String {
        switch self {
        case .cm: return "centimeters"
        case .m: return "meters"
        }
    }

    /// The unit a2m JSON's `units` label names, nil for labels a2m cannot convert ("unknown", "inches", ...).
    public init?(jsonLabel: String) {
        guard let u = LengthUnit.allCases.first(where: { $0.jsonLabel == jsonLabel }) else { return nil }
        self = u
    }

    /// Factor that turns lengths in `self` into lengths in `other`.
    public func factor(to other: LengthUnit) -> Double { metres / other.metres }
}

extension Skeleton {
    /// The skeleton with every offset and end site multiplied by `factor` (a unit change).
    public func scaled(by factor: Double) -> Skeleton {
        guard factor != 1 else { return self }
        var s = self
        let f = Float(factor)
        for j in s.joints.indices {
            s.joints[j].offset *= f
            if s.joints[j].endSite != nil { s.joints[j].endSite!.offset *= f }
        }
        return s
    }
}

extension MotionClip {
    /// The clip with every length (offsets, end sites, root positions, translations) multiplied by `factor`;
    /// rotations are unchanged. `clip.scaled(by: LengthUnit.cm.factor(to: .m))` turns centimetres into metres.
    public func scaled(by factor: Double) -> MotionClip {
        guard factor != 1 else { return self }
        let f = Float(factor)
        return MotionClip(skeleton: skeleton.scaled(by: factor), fps: fps, rootPositions: rootPositions.map { $0 * f },
                          rotations: rotations, translations: translations.mapValues { $0.map { $0 * f } })
    }
}
