import Testing
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import A2MView

@Suite struct ContactSheetTests {
    /// Anti-aliased edges blend at most one pixel; a joint's centre pixel is fully covered.
    static let colorTolerance = 8

    @Test func choosesEvenlySpacedFramesIncludingFirstAndLast() throws {
        let t = try ViewerFixtures.figure(frames: 90)
        #expect(try ContactSheet(track: t, frames: 12).frameIndices == [0, 8, 16, 24, 32, 40, 49, 57, 65, 73, 81, 89])
        #expect(try ContactSheet(track: t, frames: 1).frameIndices == [0])
        #expect(try ContactSheet(track: t, frames: 500).frameIndices == Array(0..<90))
        #expect(throws: ViewerError.self) { try ContactSheet(track: t, frames: 0) }
    }

    @Test func frontAndSideViewsPlacePointsWhereTheGeometrySays() throws {
        let t = try ViewerFixtures.figure(frames: 30)
        let s = try ContactSheet(track: t, frames: 4)
        for cell in 0..<4 {
            let f = s.frameIndices[cell]
            let hips = s.project(cell: cell, point: 0, view: .front), head = s.project(cell: cell, point: 2, view: .front)
            let left = s.project(cell: cell, point: 3, view: .front), right = s.project(cell: cell, point: 5, view: .front)
            // Front view: the figure faces the viewer, so its left shoulder (+x) is on the image's right.
            #expect(left.x > hips.x && right.x < hips.x)
            #expect(head.y < hips.y)
            // Vertical pixel distance is the world height difference times the shared scale, in both views.
            let dy = Double(t.point(frame: f, 0).y - t.point(frame: f, 2).y) * s.scale
            #expect(abs((hips.y - head.y) + dy) < 1e-9)
            #expect(abs(s.project(cell: cell, point: 2, view: .side).y - head.y) < 1e-9)
            // Side view from −x: +z (the facing direction) is to the right, root-centred.
            let foot = s.project(cell: cell, point: 7, view: .side), hipsSide = s.project(cell: cell, point: 0, view: .side)
            #expect(abs((foot.x - hipsSide.x) - Double(t.point(frame: f, 7).z - t.point(frame: f, 0).z) * s.scale) < 1e-9)
        }
    }

    @Test func pngDecodesAndShowsTheJointsWhereTheLayoutPutThem() throws {
        let t = try ViewerFixtures.figure(frames: 60)
        let sheet = try ContactSheet(track: t, frames: 6, columns: 3)
        let png = try sheet.png()
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let img = try PNGFile.decodeRGB(png)
        #expect(img.width == sheet.width && img.height == sheet.height)
        func px(_ p: SIMD2<Double>) -> [Int] { let o = 3 * (Int(p.y) * img.width + Int(p.x)); return (0..<3).map { Int(img.pixels[o + $0]) } }
        let joint = [34, 34, 34]
        var worst = 0
        for cell in 0..<6 {
            for view in ContactSheet.View.allCases {
                for j in 0..<t.pointCount where !t.isEndSite[j] {
                    let got = px(sheet.project(cell: cell, point: j, view: view))
                    worst = max(worst, zip(got, joint).map { abs($0 - $1) }.max()!)
                }
            }
        }
        #expect(worst <= Self.colorTolerance, "joint pixel differs from the joint colour by up to \(worst)")
        // Far from any figure (the margin), the background is untouched.
        #expect(px(SIMD2(2, Double(img.height - 3))) == [255, 255, 255])
    }

    @Test func svgIsWellFormedWithOneLinePerBonePerPanel() throws {
        let t = try ViewerFixtures.figure(frames: 40)
        let sheet = try ContactSheet(track: t, frames: 5)
        let svg = sheet.svg()
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        let bones = t.parents.filter { $0 >= 0 }.count, joints = t.jointCount
        let panels = 5 * 2
        #expect(svg.components(separatedBy: "<line ").count - 1 == panels * (bones + 1))   // + ground line
        #expect(svg.components(separatedBy: "<circle ").count - 1 == panels * joints)
        let p = sheet.project(cell: 2, point: 4, view: .side)
        #expect(svg.contains(String(format: "cx=\"%.2f\" cy=\"%.2f\"", p.x, p.y)))
        #expect(svg.contains("synthetic — 30 fps · 40 frames · 8 joints"))
    }

    @Test func writesByExtensionAndRejectsOthers() throws {
        let dir = try ViewerFixtures.tempDir("sheet")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sheet = try ContactSheet(track: try ViewerFixtures.figure(frames: 10), frames: 3)
        try sheet.write(to: dir.appendingPathComponent("a.svg"))
        try sheet.write(to: dir.appendingPathComponent("a.png"))
        #expect(throws: ViewerError.self) { try sheet.write(to: dir.appendingPathComponent("a.jpg")) }
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["a.svg", "a.png"])
        // Deterministic: same input, same bytes.
        #expect(try sheet.png() == sheet.png())
    }
}
