import Foundation

/// An 8-bit RGB canvas with the three primitives the contact sheet needs: anti-aliased round-capped segments,
/// filled discs, and a 3×5 pixel font for frame numbers. Coverage is the clamped distance to the shape
/// (1 px wide ramp), which is all a stick figure needs.
struct RasterImage {
    let width: Int
    let height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int, background: RGB) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { pixels[3 * i] = background.r; pixels[3 * i + 1] = background.g; pixels[3 * i + 2] = background.b }
    }

    func pixel(_ x: Int, _ y: Int) -> RGB {
        let o = 3 * (y * width + x)
        return RGB(pixels[o], pixels[o + 1], pixels[o + 2])
    }

    mutating func blend(_ x: Int, _ y: Int, _ c: RGB, _ alpha: Double) {
        guard alpha > 0, x >= 0, y >= 0, x < width, y < height else { return }
        let a = min(alpha, 1), o = 3 * (y * width + x)
        for (k, v) in [c.r, c.g, c.b].enumerated() {
            pixels[o + k] = UInt8((Double(pixels[o + k]) * (1 - a) + Double(v) * a).rounded())
        }
    }

    /// Segment a–b of the given width with round caps (a capsule); pixel centres at integer + 0.5.
    mutating func capsule(_ a: SIMD2<Double>, _ b: SIMD2<Double>, width w: Double, color: RGB) {
        let r = w / 2, d = b - a, len2 = max((d * d).sum(), 1e-12)
        let x0 = Int((min(a.x, b.x) - r - 1).rounded(.down)), x1 = Int((max(a.x, b.x) + r + 1).rounded(.up))
        let y0 = Int((min(a.y, b.y) - r - 1).rounded(.down)), y1 = Int((max(a.y, b.y) + r + 1).rounded(.up))
        for y in max(y0, 0)...max(min(y1, height - 1), 0) {
            for x in max(x0, 0)...max(min(x1, width - 1), 0) {
                let p = SIMD2(Double(x) + 0.5, Double(y) + 0.5)
                let t = min(max(((p - a) * d).sum() / len2, 0), 1)
                let q = p - (a + t * d)
                blend(x, y, color, r + 0.5 - (q * q).sum().squareRoot())
            }
        }
    }

    mutating func disc(_ c: SIMD2<Double>, radius: Double, color: RGB) {
        capsule(c, c, width: 2 * radius, color: color)
    }

    /// Draws `s` in the built-in 3×5 font (upper case; lower case is drawn as upper case, unknown characters
    /// as blanks), `scale` pixels per font pixel, 1 font pixel of spacing.
    mutating func text(_ s: String, x: Int, y: Int, scale: Int, color: RGB) {
        var cx = x
        for ch in s.uppercased() {
            let rows = RasterImage.font[ch] ?? RasterImage.font[RasterImage.fallback[ch] ?? " "] ?? []
            for (ry, bits) in rows.enumerated() {
                for rx in 0..<3 where bits & (4 >> rx) != 0 {
                    for dy in 0..<scale { for dx in 0..<scale { blend(cx + rx * scale + dx, y + ry * scale + dy, color, 1) } }
                }
            }
            cx += 4 * scale
        }
    }

    /// 3×5 glyphs, one row per entry, bit 2 = left column.
    static let font: [Character: [UInt8]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7], "4": [5, 5, 7, 1, 1],
        "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1], "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
        "A": [2, 5, 7, 5, 5], "B": [6, 5, 6, 5, 6], "C": [3, 4, 4, 4, 3], "D": [6, 5, 5, 5, 6], "E": [7, 4, 6, 4, 7],
        "F": [7, 4, 6, 4, 4], "G": [3, 4, 5, 5, 3], "H": [5, 5, 7, 5, 5], "I": [7, 2, 2, 2, 7], "J": [1, 1, 1, 5, 2],
        "K": [5, 5, 6, 5, 5], "L": [4, 4, 4, 4, 7], "M": [5, 7, 7, 5, 5], "N": [6, 5, 5, 5, 5], "O": [2, 5, 5, 5, 2],
        "P": [6, 5, 6, 4, 4], "Q": [2, 5, 5, 6, 3], "R": [6, 5, 6, 5, 5], "S": [3, 4, 2, 1, 6], "T": [7, 2, 2, 2, 2],
        "U": [5, 5, 5, 5, 7], "V": [5, 5, 5, 5, 2], "W": [5, 5, 7, 7, 5], "X": [5, 5, 2, 5, 5], "Y": [5, 5, 2, 2, 2],
        "Z": [7, 1, 2, 4, 7], ".": [0, 0, 0, 0, 2], ",": [0, 0, 0, 2, 4], ":": [0, 2, 0, 2, 0], "-": [0, 0, 7, 0, 0],
        "_": [0, 0, 0, 0, 7], "=": [0, 7, 0, 7, 0], "+": [0, 2, 7, 2, 0], "/": [1, 1, 2, 4, 4], "|": [2, 2, 2, 2, 2],
        "(": [1, 2, 2, 2, 1], ")": [4, 2, 2, 2, 4], "#": [5, 7, 5, 7, 5], "·": [0, 0, 2, 0, 0], " ": [0, 0, 0, 0, 0],
    ]
    static let fallback: [Character: Character] = ["—": "-", "–": "-", "×": "X"]
}

struct RGB: Equatable {
    var r, g, b: UInt8
    init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }
    var hex: String { String(format: "#%02x%02x%02x", r, g, b) }
}
