import A2MCore
import Foundation

/// A contact sheet of poses: `frames` evenly spaced frames, each drawn twice with orthographic cameras —
/// front (looking down −Z at a figure facing +Z) and side (from the figure's right, −X, so it faces right).
/// Each pose is centred on its own root on the ground plane; height and scale are shared by all panels so poses
/// compare directly. Writes SVG (text, no library) or PNG (own rasterizer, libpng encoder); both come from one
/// layout, so they show the same thing (the PNG's text uses a built-in 3×5 capitals font).
public struct ContactSheet {
    enum View: CaseIterable { case front, side }

    public static let defaultFrames = 12
    public let track: ViewerTrack
    let frameIndices: [Int]
    let columns: Int
    let scale: Double
    let topY: Double
    let boneWidth: Double
    /// Fitted to the poses: the figure's height at the scale the width allows, at most `maxPanelHeight`.
    let panelHeight: Double

    static let panelWidth = 120.0, maxPanelHeight = 220.0, padding = 10.0, labelHeight = 18.0, gap = 12.0
    static let margin = 16.0, titleHeight = 44.0

    static let background = RGB(255, 255, 255), ground = RGB(200, 200, 200), jointColor = RGB(34, 34, 34)
    static let textColor = RGB(51, 51, 51)
    static let sideColors = (left: RGB(31, 119, 180), right: RGB(214, 39, 40), center: RGB(85, 85, 85))

    /// `frames` must be in 1...1000; with more requested than the clip has, every frame is shown once.
    public init(track: ViewerTrack, frames: Int = ContactSheet.defaultFrames, columns: Int = 6) throws {
        guard (1...1000).contains(frames) else { throw ViewerError.invalidOption(name: "--frames", reason: "expected 1...1000, got \(frames)") }
        guard (1...100).contains(columns) else { throw ViewerError.invalidOption(name: "columns", reason: "expected 1...100, got \(columns)") }
        try track.validate()
        self.track = track
        let n = track.frameCount, k = min(frames, n)
        frameIndices = k == 1 ? [0] : (0..<k).map { Int((Double($0) * Double(n - 1) / Double(k - 1)).rounded()) }
        self.columns = min(columns, k)
        var halfWidth = 1e-6, lo = 0.0, hi = 1e-6   // the ground (y = 0) is always in the picture
        for f in frameIndices {
            for j in 0..<track.pointCount {
                for v in View.allCases { halfWidth = max(halfWidth, abs(ContactSheet.horizontal(track, f, j, v))) }
                let y = Double(track.point(frame: f, j).y)
                lo = min(lo, y); hi = max(hi, y)
            }
        }
        let inner = (w: ContactSheet.panelWidth - 2 * ContactSheet.padding, h: ContactSheet.maxPanelHeight - 2 * ContactSheet.padding)
        scale = min(inner.w / (2 * halfWidth), inner.h / (hi - lo))
        panelHeight = (hi - lo) * scale + 2 * ContactSheet.padding
        topY = hi
        boneWidth = max(2, 0.02 * (hi - lo) * scale)
    }

    /// Horizontal coordinate of point j in `view`, relative to the root: front shows x, side shows z.
    static func horizontal(_ t: ViewerTrack, _ f: Int, _ j: Int, _ v: View) -> Double {
        let p = t.point(frame: f, j), r = t.point(frame: f, 0)
        return v == .front ? Double(p.x) - Double(r.x) : Double(p.z) - Double(r.z)
    }

    var rows: Int { (frameIndices.count + columns - 1) / columns }
    var cellWidth: Double { 2 * ContactSheet.panelWidth + ContactSheet.gap }
    var cellHeight: Double { panelHeight + ContactSheet.labelHeight + ContactSheet.gap }
    public var width: Int { Int((2 * ContactSheet.margin + Double(columns) * cellWidth - ContactSheet.gap).rounded(.up)) }
    package var height: Int { Int((ContactSheet.titleHeight + Double(rows) * cellHeight + ContactSheet.margin).rounded(.up)) }

    /// Top-left corner of the panel showing the `cell`-th chosen frame in `view`.
    func panelOrigin(cell: Int, view: View) -> SIMD2<Double> {
        let x = ContactSheet.margin + Double(cell % columns) * cellWidth + (view == .front ? 0 : ContactSheet.panelWidth)
        return SIMD2(x, ContactSheet.titleHeight + Double(cell / columns) * cellHeight)
    }

    /// Pixel position of point `j` in the panel of the `cell`-th chosen frame.
    func project(cell: Int, point j: Int, view: View) -> SIMD2<Double> {
        let o = panelOrigin(cell: cell, view: view), f = frameIndices[cell]
        return SIMD2(o.x + ContactSheet.panelWidth / 2 + ContactSheet.horizontal(track, f, j, view) * scale,
                     o.y + ContactSheet.padding + (topY - Double(track.point(frame: f, j).y)) * scale)
    }

    var jointRadius: Double { max(2, 0.6 * boneWidth) }

    func color(of j: Int) -> RGB {
        let n = track.pointNames[j].lowercased()
        return n.contains("left") ? ContactSheet.sideColors.left : n.contains("right") ? ContactSheet.sideColors.right : ContactSheet.sideColors.center
    }

    enum Mark { case line(SIMD2<Double>, SIMD2<Double>, width: Double, RGB); case disc(SIMD2<Double>, Double, RGB) }

    /// Everything drawn in one panel, back to front.
    func marks(cell: Int, view: View) -> [Mark] {
        let f = frameIndices[cell], o = panelOrigin(cell: cell, view: view)
        let groundY = o.y + ContactSheet.padding + topY * scale
        var out: [Mark] = [.line(SIMD2(o.x + 4, groundY), SIMD2(o.x + ContactSheet.panelWidth - 4, groundY), width: 1, ContactSheet.ground)]
        // Nearer bones last: the front camera sits at +z, the side camera at −x.
        func depth(_ j: Int) -> Double { let p = track.point(frame: f, j); return view == .front ? Double(p.z) : -Double(p.x) }
        let bones = (0..<track.pointCount).filter { track.parents[$0] >= 0 }
            .sorted { (depth($0) + depth(track.parents[$0]), $0) < (depth($1) + depth(track.parents[$1]), $1) }
        for j in bones {
            out.append(.line(project(cell: cell, point: track.parents[j], view: view), project(cell: cell, point: j, view: view),
                             width: boneWidth, color(of: j)))
        }
        for j in 0..<track.pointCount where !track.isEndSite[j] {
            out.append(.disc(project(cell: cell, point: j, view: view), jointRadius, ContactSheet.jointColor))
        }
        return out
    }

    func label(cell: Int) -> String {
        let f = frameIndices[cell]
        return "frame \(f) · " + String(format: "%.2f s", Double(f) / track.fps)
    }

    var metadataLine: String { track.metadata.keys.sorted().map { "\($0)=\(track.metadata[$0]!)" }.joined(separator: ", ") }

    var title: String {
        "\(track.name) — \(ViewerFormat.number(track.fps)) fps · \(track.frameCount) frames · \(track.jointCount) joints · front | side"
    }

    func svg() -> String {
        func n(_ v: Double) -> String { String(format: "%.2f", v) }
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif">
        <rect width="100%" height="100%" fill="\(ContactSheet.background.hex)"/>
        <text x="\(n(ContactSheet.margin))" y="22" font-size="15" font-weight="bold" fill="\(ContactSheet.textColor.hex)">\(HTMLViewer.escape(title))</text>

        """
        let meta = metadataLine
        if !meta.isEmpty { s += "<text x=\"\(n(ContactSheet.margin))\" y=\"38\" font-size=\"11\" fill=\"#777777\">\(HTMLViewer.escape(meta))</text>\n" }
        for cell in frameIndices.indices {
            s += "<g>\n"
            for view in View.allCases {
                for m in marks(cell: cell, view: view) {
                    switch m {
                    case let .line(a, b, w, c):
                        s += "<line x1=\"\(n(a.x))\" y1=\"\(n(a.y))\" x2=\"\(n(b.x))\" y2=\"\(n(b.y))\" stroke=\"\(c.hex)\" stroke-width=\"\(n(w))\" stroke-linecap=\"round\"/>\n"
                    case let .disc(c, r, col):
                        s += "<circle cx=\"\(n(c.x))\" cy=\"\(n(c.y))\" r=\"\(n(r))\" fill=\"\(col.hex)\"/>\n"
                    }
                }
            }
            let o = panelOrigin(cell: cell, view: .front)
            s += "<text x=\"\(n(o.x + 4))\" y=\"\(n(o.y + panelHeight + 13))\" font-size=\"12\" fill=\"\(ContactSheet.textColor.hex)\">\(label(cell: cell))</text>\n</g>\n"
        }
        return s + "</svg>\n"
    }

    func raster() -> RasterImage {
        var img = RasterImage(width: width, height: height, background: ContactSheet.background)
        let m = Int(ContactSheet.margin)
        img.text(title, x: m, y: 10, scale: 2, color: ContactSheet.textColor)
        img.text(metadataLine, x: m, y: 26, scale: 1, color: ContactSheet.textColor)
        for cell in frameIndices.indices {
            for view in View.allCases {
                for m in marks(cell: cell, view: view) {
                    switch m {
                    case let .line(a, b, w, c): img.capsule(a, b, width: w, color: c)
                    case let .disc(c, r, col): img.disc(c, radius: r, color: col)
                    }
                }
            }
            let o = panelOrigin(cell: cell, view: .front)
            img.text(label(cell: cell), x: Int(o.x) + 4, y: Int(o.y + panelHeight) + 3, scale: 2, color: ContactSheet.textColor)
        }
        return img
    }

    func png() throws -> Data {
        let img = raster()
        return try PNGFile.encodeRGB(width: img.width, height: img.height, pixels: img.pixels)
    }

    /// Writes SVG or PNG, chosen by the extension of `url` (.svg / .png), atomically.
    public func write(to url: URL) throws {
        switch url.pathExtension.lowercased() {
        case "svg": try AtomicFile.write(svg(), to: url)
        case "png": try AtomicFile.write(try png(), to: url)
        default:
            throw ViewerError.invalidOption(name: url.path, reason: "expected an output ending in .svg or .png, got '.\(url.pathExtension)'")
        }
    }
}

enum ViewerFormat {
    /// Up to 3 decimals, no trailing zeros: 30, 29.97, 23.976.
    static func number(_ v: Double) -> String {
        var s = String(format: "%.3f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
