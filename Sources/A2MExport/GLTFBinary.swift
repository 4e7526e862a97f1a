import Foundation
import A2MCore
import A2MMotion
import A2MRetarget

/// The binary buffer of a glTF document and the bufferViews and accessors that describe it.
///
/// One bufferView per accessor, tightly packed and aligned to 4 bytes (the glTF rule for every component
/// type we use), so no `byteStride` is needed. Vertex attributes and indices get their bufferView `target`;
/// animation data has none, as the spec requires.
struct GLTFBinary {
    private(set) var data: [UInt8] = []
    private(set) var bufferViews: [JSONValue] = []
    private(set) var accessors: [JSONValue] = []

    enum Target: Int { case vertices = 34962, indices = 34963 }
    enum Component: Int {
        case unsignedShort = 5123, unsignedInt = 5125, float = 5126
        var size: Int { self == .unsignedShort ? 2 : 4 }
    }

    /// Adds a FLOAT accessor of `type` (SCALAR, VEC3, VEC4, MAT4) with `count` elements; `withBounds` writes
    /// min/max (required for POSITION and animation inputs).
    mutating func floats(_ values: [Float], type: String, count: Int, target: Target? = nil, withBounds: Bool = false) -> Int {
        let width = values.count / max(count, 1)
        precondition(values.count == width * count, "accessor values must be count × components")
        let start = beginView()
        data.reserveCapacity(data.count + values.count * 4)
        for v in values { append(v.bitPattern) }
        var extra: [(String, JSONValue)] = []
        if withBounds, count > 0 {
            var lo = [Float](repeating: .infinity, count: width), hi = [Float](repeating: -.infinity, count: width)
            for i in 0..<count {
                for c in 0..<width {
                    lo[c] = min(lo[c], values[i * width + c]); hi[c] = max(hi[c], values[i * width + c])
                }
            }
            extra = [("min", .floats(lo)), ("max", .floats(hi))]
        }
        return endView(start: start, component: .float, type: type, count: count, target: target, extra: extra)
    }

    /// Adds an unsigned integer accessor (UNSIGNED_SHORT when every value fits, else UNSIGNED_INT).
    mutating func integers(_ values: [Int], type: String, count: Int, target: Target?, forceInt: Bool = false) -> Int {
        let wide = forceInt || values.contains { $0 > Int(UInt16.max) }
        let start = beginView()
        for v in values {
            if wide { append(UInt32(v)) } else { append(UInt16(v)) }
        }
        while data.count % 4 != 0 { data.append(0) }
        return endView(start: start, component: wide ? .unsignedInt : .unsignedShort, type: type, count: count,
                       target: target, extra: [], byteLength: values.count * (wide ? 4 : 2))
    }

    private mutating func append<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) }
    }

    private mutating func beginView() -> Int {
        while data.count % 4 != 0 { data.append(0) }
        return data.count
    }

    private mutating func endView(start: Int, component: Component, type: String, count: Int, target: Target?,
                                  extra: [(String, JSONValue)], byteLength: Int? = nil) -> Int {
        var view: [(String, JSONValue)] = [("buffer", .int(0)), ("byteOffset", .int(start)), ("byteLength", .int(byteLength ?? (data.count - start)))]
        if let target { view.append(("target", .int(target.rawValue))) }
        bufferViews.append(.object(view))
        accessors.append(.object([("bufferView", .int(bufferViews.count - 1)), ("componentType", .int(component.rawValue)),
                                  ("count", .int(count)), ("type", .string(type))] + extra))
        return accessors.count - 1
    }

    /// The buffer padded to a multiple of 4 bytes (the GLB BIN chunk rule).
    var paddedData: [UInt8] {
        var d = data
        while d.count % 4 != 0 { d.append(0) }
        return d
    }
}

/// A glTF 2.0 document: the JSON tree and its one binary buffer, written as GLB or as .gltf + .bin.
public struct GLTFDocument: Sendable {
    /// The glTF JSON without `buffers` (added by `glb()` / `gltfText(binaryURI:)`, which know where the data lives).
    public var json: JSONValue
    public var binary: [UInt8]

    /// The JSON with `buffers` set; `uri` nil for GLB (the BIN chunk).
    func jsonWithBuffer(uri: String?) -> JSONValue {
        guard case var .object(pairs) = json else { return json }
        var buffer: [(String, JSONValue)] = [("byteLength", .int(binary.count))]
        if let uri { buffer.append(("uri", .string(uri))) }
        // Place "buffers" just before "bufferViews" for readability.
        let at = pairs.firstIndex { $0.0 == "bufferViews" } ?? pairs.count
        pairs.insert(("buffers", .array([.object(buffer)])), at: at)
        return .object(pairs)
    }

    /// Binary glTF: 12-byte header, JSON chunk padded with spaces, BIN chunk padded with zeros.
    public func glb() -> [UInt8] {
        var text = jsonWithBuffer(uri: nil).bytes
        while text.count % 4 != 0 { text.append(0x20) }
        var bin = binary
        while bin.count % 4 != 0 { bin.append(0) }
        var out: [UInt8] = []
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        let total = 12 + 8 + text.count + (bin.isEmpty ? 0 : 8 + bin.count)
        out.reserveCapacity(total)
        u32(0x4654_6C67); u32(2); u32(total)
        u32(text.count); u32(0x4E4F_534A); out += text
        if !bin.isEmpty { u32(bin.count); u32(0x004E_4942); out += bin }
        return out
    }

    /// The .gltf JSON text referring to the binary buffer at `binaryURI` (relative to the .gltf file).
    public func gltfText(binaryURI: String) -> [UInt8] {
        jsonWithBuffer(uri: binaryURI).bytes + [10]
    }

    /// Writes `url` as GLB (extension .glb or .vrma) or as .gltf plus a .bin beside it (extension .gltf).
    /// Both files of a .gltf pair are complete before either is renamed into place.
    public func write(to url: URL) throws {
        if url.pathExtension.lowercased() == "gltf" {
            let binURL = url.deletingPathExtension().appendingPathExtension("bin")
            try writeGLTF(to: url, buffer: binURL, bufferURI: binURL.lastPathComponent)
        } else {
            try writeGLB(to: url)
        }
    }

    /// Writes the GLB container to `url`, atomically.
    public func writeGLB(to url: URL) throws {
        let file = try AtomicFileWriter(url)
        try file.write(glb())
        try file.commit()
    }

    /// Writes the .gltf text to `url` and the buffer to `buffer`, the text naming it `bufferURI` (its file name at
    /// its destination, relative to the .gltf's; percent-encoded here). Both are complete before either is
    /// renamed into place.
    public func writeGLTF(to url: URL, buffer: URL, bufferURI: String) throws {
        let bin = try AtomicFileWriter(buffer), text = try AtomicFileWriter(url)
        try bin.write(binary)
        try text.write(gltfText(binaryURI: bufferURI.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? bufferURI))
        try bin.commit()
        try text.commit()
    }
}
