import Foundation
import CPNG

/// PNG encoding through libpng's simplified API (`png_image_write_to_memory`, libpng ≥ 1.6), which reports
/// errors in `png_image.message` instead of longjmp, so it is safe to call from Swift.
enum PNGFile {
    static func encodeRGB(width: Int, height: Int, pixels: [UInt8]) throws -> Data {
        precondition(pixels.count == width * height * 3)
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = UInt32(PNG_FORMAT_RGB)
        var size = 0
        let stride = Int32(width * 3)
        guard pixels.withUnsafeBytes({ png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil) }) != 0 else {
            throw failure(&image)
        }
        var out = Data(count: size)
        let ok = out.withUnsafeMutableBytes { dst in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, dst.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        guard ok != 0 else { throw failure(&image) }
        return out.prefix(size)
    }

    /// Decodes any PNG to 8-bit RGB (used by tests to read back what was written).
    static func decodeRGB(_ data: Data) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard data.withUnsafeBytes({ png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }) != 0 else {
            throw failure(&image)
        }
        image.format = UInt32(PNG_FORMAT_RGB)
        let w = Int(image.width), h = Int(image.height)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        guard pixels.withUnsafeMutableBytes({ png_image_finish_read(&image, nil, $0.baseAddress, Int32(w * 3), nil) }) != 0 else {
            throw failure(&image)
        }
        return (w, h, pixels)
    }

    private static func failure(_ image: inout png_image) -> ViewerError {
        let msg = withUnsafeBytes(of: &image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        png_image_free(&image)
        return .pngFailed(reason: msg)
    }
}
