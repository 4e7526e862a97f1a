import Foundation

/// A forward-only byte scanner over a file read in fixed-size chunks (or over bytes already in memory),
/// so a 100 MB BVH is never held as text: numbers are parsed straight from the bytes.
/// Counts lines for error messages; LF, CRLF and bare CR each end one line.
struct ByteScanner {
    private var buffer: [UInt8]
    private var pos = 0
    private var end = 0
    private var finished = false
    private var refills = 0
    private let refill: (UnsafeMutableBufferPointer<UInt8>) -> Int
    private(set) var line = 1
    /// Total input size in bytes when known (a regular file or in-memory bytes), to bound reservations.
    let totalBytes: Int?
    /// Bytes consumed before the current buffer.
    private var consumedBefore = 0
    /// Bytes not yet read, when the total is known.
    var remainingBytes: Int? { totalBytes.map { max(0, $0 - consumedBefore - pos) } }

    static let chunkSize = 1 << 20

    /// Reads `fd` through a 1 MB buffer. A read error ends input like EOF; callers then report truncation.
    init(fileDescriptor fd: Int32, size: Int?) {
        totalBytes = size
        buffer = [UInt8](repeating: 0, count: ByteScanner.chunkSize)
        refill = { buf in
            while true {
                let n = read(fd, buf.baseAddress, buf.count)
                if n >= 0 { return n }
                if errno != EINTR { return 0 }
            }
        }
    }

    init(bytes: [UInt8]) {
        totalBytes = bytes.count
        buffer = bytes
        end = bytes.count
        finished = true
        refill = { _ in 0 }
    }

    @inline(__always) mutating func peek() -> UInt8? {
        if pos < end { return buffer[pos] }
        return slowPeek()
    }

    private mutating func slowPeek() -> UInt8? {
        if finished { return nil }
        let n = buffer.withUnsafeMutableBufferPointer { refill($0) }
        consumedBefore += end
        pos = 0
        end = n
        refills += 1
        if n == 0 { finished = true; return nil }
        return buffer[0]
    }

    /// Consumes one byte, counting line ends (CR, LF, and CRLF as one).
    @inline(__always) mutating func advance() {
        let b = buffer[pos]
        pos += 1
        if b == 10 { line += 1 }
        else if b == 13 {
            line += 1
            if peek() == 10 { pos += 1 }
        }
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 11 || b == 12 }
    @inline(__always) static func isNewline(_ b: UInt8) -> Bool { b == 10 || b == 13 }
    @inline(__always) static func isWhite(_ b: UInt8) -> Bool { isSpace(b) || isNewline(b) || b == 0 }

    /// Skips spaces, tabs and line ends.
    mutating func skipWhitespace() {
        while let b = peek(), ByteScanner.isWhite(b) { advance() }
    }

    /// Skips a UTF-8 byte order mark (EF BB BF) at the start of the input, which Windows editors write and which
    /// would otherwise glue itself to the first keyword. Call before the first token.
    mutating func skipByteOrderMark() {
        guard consumedBefore == 0, pos == 0, peek() == 0xEF, end >= 3, buffer[1] == 0xBB, buffer[2] == 0xBF else { return }
        pos = 3
    }

    /// Skips spaces and tabs but stops at a line end.
    @inline(__always) mutating func skipSpaces() {
        while let b = peek(), ByteScanner.isSpace(b) || b == 0 { pos += 1 }
    }

    /// The next whitespace-delimited token and the line it starts on; "" at end of input.
    mutating func token() -> (text: String, line: Int) {
        skipWhitespace()
        let startLine = line
        var bytes: [UInt8] = []
        while let b = peek(), !ByteScanner.isWhite(b) {
            bytes.append(b)
            pos += 1
        }
        return (String(decoding: bytes, as: UTF8.self), startLine)
    }

    /// The rest of the current line, trimmed, without consuming the line end.
    mutating func restOfLine() -> String {
        var bytes: [UInt8] = []
        while let b = peek(), !ByteScanner.isNewline(b) {
            bytes.append(b)
            pos += 1
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\0")))
    }

    /// Result of `number()`: the value, and the decimal exponent of its last written digit (for 0.016667
    /// that is −6), which tells how precisely the file printed it.
    struct Number {
        var value: Double
        var lastDigitExponent: Int
    }

    /// Parses a decimal number (optional sign incl. '+', digits, fraction, e/E exponent) from the bytes.
    /// Returns nil if the token is not a number; the position then goes back to the token start (unless a
    /// chunk boundary was crossed), so the caller can read the whole offending token for its message.
    @inline(__always) mutating func number() -> Number? {
        guard let first = peek() else { return nil }
        let (start, startRefills) = (pos, refills)
        guard let n = parseNumber(first) else {
            if refills == startRefills { pos = start }
            return nil
        }
        return n
    }

    @inline(__always) private mutating func parseNumber(_ first: UInt8) -> Number? {
        var b = first
        var negative = false
        if b == 45 || b == 43 { // '-' '+'
            negative = b == 45
            pos += 1
            guard let n = peek() else { return nil }
            b = n
        }
        var mantissa: UInt64 = 0
        var digits = 0, significant = 0
        var exp10 = 0
        while b >= 48 && b <= 57 {
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(b - 48)
                if mantissa > 0 { significant += 1 }
            } else {
                exp10 += 1
            }
            digits += 1
            pos += 1
            guard let n = peek() else { b = 32; break }
            b = n
        }
        if b == 46 { // '.'
            pos += 1
            b = peek() ?? 32
            while b >= 48 && b <= 57 {
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(b - 48)
                    if mantissa > 0 { significant += 1 }
                    exp10 -= 1
                }
                digits += 1
                pos += 1
                guard let n = peek() else { b = 32; break }
                b = n
            }
        }
        guard digits > 0 else { return nil }
        if b == 101 || b == 69 { // 'e' 'E'
            pos += 1
            b = peek() ?? 32
            var expNegative = false
            if b == 45 || b == 43 {
                expNegative = b == 45
                pos += 1
                b = peek() ?? 32
            }
            var e = 0, expDigits = 0
            while b >= 48 && b <= 57 {
                if e < 100_000 { e = e * 10 + Int(b - 48) }
                expDigits += 1
                pos += 1
                guard let n = peek() else { b = 32; break }
                b = n
            }
            guard expDigits > 0 else { return nil }
            exp10 += expNegative ? -e : e
        }
        guard ByteScanner.isWhite(b) else { return nil }
        var v = Double(mantissa)
        // Within ±22 and below 2^53, one correctly rounded multiply or divide gives the nearest double.
        if exp10 < 0 && exp10 >= -22 { v /= ByteScanner.pow10[-exp10] }
        else if exp10 > 0 && exp10 <= 22 { v *= ByteScanner.pow10[exp10] }
        else if exp10 != 0 { v *= pow(10, Double(exp10)) }
        return Number(value: negative ? -v : v, lastDigitExponent: exp10)
    }

    private static let pow10: [Double] = (0...22).map { pow(10, Double($0)) }
}
