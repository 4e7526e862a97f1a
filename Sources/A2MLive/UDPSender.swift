import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Errors of the UDP output.
public enum UDPError: Error, CustomStringConvertible, Equatable {
    case badAddress(String, reason: String)
    case send(peer: String, reason: String)

    public var description: String {
        switch self {
        case let .badAddress(a, reason): return "--vmc \(a): \(reason); expected HOST:PORT, e.g. 127.0.0.1:39539"
        case let .send(peer, reason): return "VMC peer \(peer): \(reason)"
        }
    }
}

/// A connected UDP socket: connected so that the kernel reports an ICMP "port unreachable" from the peer as
/// ECONNREFUSED on a later send, which is how a closed port becomes an error instead of silent loss.
public final class UDPSender {
    public let peer: String
    private let fd: Int32

    /// `address` is HOST:PORT with an IPv4 host name or address.
    public init(_ address: String) throws {
        peer = address
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]), port > 0 else {
            throw UDPError.badAddress(address, reason: "no port in 1...65535")
        }
        let host = String(address[..<colon])
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host.isEmpty ? "127.0.0.1" : host, String(port), &hints, &res)
        guard rc == 0, let info = res else {
            throw UDPError.badAddress(address, reason: "cannot resolve host '\(host)' (\(String(cString: gai_strerror(rc))))")
        }
        defer { freeaddrinfo(res) }
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw UDPError.send(peer: address, reason: "socket: \(String(cString: strerror(errno)))") }
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw UDPError.send(peer: address, reason: "connect: \(reason)")
        }
    }

    deinit { close(fd) }

    public func send(_ bytes: [UInt8]) throws {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 {
            let e = errno
            let reason = e == ECONNREFUSED ? "nothing is listening on that UDP port (connection refused)" : String(cString: strerror(e))
            throw UDPError.send(peer: peer, reason: reason)
        }
    }
}
