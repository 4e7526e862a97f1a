import Foundation
import Testing
@testable import A2MAudio

@Suite struct NumpyFileTests {
    @Test func roundTripsAndAlignsTheHeader() throws {
        let m = FeatureMatrix(frames: 3, bins: 2, values: [1, -2, 3.5, .pi, -0, 1e-30])
        let data = NumpyFile.data(m)
        #expect(Array(data.prefix(8)) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let headerLen = Int(data[8]) | Int(data[9]) << 8
        #expect((10 + headerLen) % 64 == 0)
        #expect(data[10 + headerLen - 1] == 0x0A)
        #expect(String(decoding: data[10..<(10 + headerLen)], as: UTF8.self).hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"))
        #expect(data.count == 10 + headerLen + 6 * 4)
        #expect(try NumpyFile.read(data, file: "m.npy") == m)
    }

    @Test func rejectsWhatItCannotRead() {
        let good = NumpyFile.data(FeatureMatrix(frames: 2, bins: 2, values: [1, 2, 3, 4]))
        #expect(throws: NumpyError.self) { try NumpyFile.read(Data("not numpy".utf8), file: "a.npy") }
        #expect(throws: NumpyError.self) { try NumpyFile.read(good.dropLast(1), file: "a.npy") }
        let f8 = Data(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "<f4", with: "<f8").utf8)
        #expect { try NumpyFile.read(f8, file: "b.npy") } throws: { "\($0)".contains("b.npy") }
    }
}
