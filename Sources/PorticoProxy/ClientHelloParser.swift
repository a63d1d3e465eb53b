internal import NIOCore

/// Finds the SNI name in the first TLS ClientHello of a connection without terminating TLS, so
/// that the HTTPS listener can pass a connection through untouched or terminate it.
///
/// It reads TLS records of type handshake, joins their fragments until the whole ClientHello
/// is there (a hello may span records), then walks it: version, random, session id, cipher
/// suites, compression methods, extensions, and in `server_name` (type 0) the first
/// `host_name` entry. Every length is checked against what remains before it is used.
enum ClientHelloParser {
    enum Outcome: Equatable {
        /// More bytes are needed.
        case incomplete
        /// A whole ClientHello; the name is lower-cased, nil when the hello carries none.
        case serverName(String?)
        /// Not a TLS ClientHello the parser understands; the TLS stack will decide what to do.
        case malformed
    }

    /// The largest hello the parser waits for; a record is at most 16 KiB, and real hellos,
    /// post-quantum key shares included, are under 2 KiB.
    static let maximumHelloLength = 16 * 1024

    static func parse(_ buffer: ByteBuffer) -> Outcome {
        var records = buffer
        var hello = ByteBuffer()
        while true {
            guard let header = records.readSlice(length: 5) else { return .incomplete }
            guard header.getInteger(at: header.readerIndex, as: UInt8.self) == 22,  // handshake
                  header.getInteger(at: header.readerIndex + 1, as: UInt8.self) == 3,
                  let length = header.getInteger(at: header.readerIndex + 3, as: UInt16.self),
                  length > 0, Int(length) <= maximumHelloLength + 256
            else { return .malformed }
            guard var fragment = records.readSlice(length: Int(length)) else { return .incomplete }
            hello.writeBuffer(&fragment)
            if hello.readableBytes >= 4 {
                guard hello.getInteger(at: hello.readerIndex, as: UInt8.self) == 1,  // client_hello
                      let lengthBytes = hello.getBytes(at: hello.readerIndex + 1, length: 3)
                else { return .malformed }
                let helloLength = Int(lengthBytes[0]) << 16 | Int(lengthBytes[1]) << 8 | Int(lengthBytes[2])
                guard helloLength <= maximumHelloLength else { return .malformed }
                if hello.readableBytes >= 4 + helloLength {
                    hello.moveReaderIndex(forwardBy: 4)
                    guard let body = hello.readSlice(length: helloLength) else { return .malformed }
                    return serverName(inHelloBody: body)
                }
            }
        }
    }

    private static func serverName(inHelloBody body: ByteBuffer) -> Outcome {
        var body = body
        // legacy_version (2) and random (32).
        guard body.readSlice(length: 34) != nil,
              skipVector(&body, lengthBytes: 1),  // session id
              skipVector(&body, lengthBytes: 2),  // cipher suites
              skipVector(&body, lengthBytes: 1)  // compression methods
        else { return .malformed }
        if body.readableBytes == 0 { return .serverName(nil) }  // no extensions at all
        guard let extensionsLength = body.readInteger(as: UInt16.self),
              var extensions = body.readSlice(length: Int(extensionsLength))
        else { return .malformed }
        while extensions.readableBytes > 0 {
            guard let type = extensions.readInteger(as: UInt16.self),
                  let length = extensions.readInteger(as: UInt16.self),
                  var data = extensions.readSlice(length: Int(length))
            else { return .malformed }
            guard type == 0 else { continue }
            guard let listLength = data.readInteger(as: UInt16.self), var list = data.readSlice(length: Int(listLength))
            else { return .malformed }
            while list.readableBytes > 0 {
                guard let nameType = list.readInteger(as: UInt8.self),
                      let nameLength = list.readInteger(as: UInt16.self),
                      let name = list.readBytes(length: Int(nameLength))
                else { return .malformed }
                guard nameType == 0 else { continue }
                guard !name.isEmpty, name.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return .malformed }
                return .serverName(String(decoding: name, as: UTF8.self).lowercased())
            }
            return .serverName(nil)
        }
        return .serverName(nil)
    }

    private static func skipVector(_ buffer: inout ByteBuffer, lengthBytes: Int) -> Bool {
        let length: Int?
        switch lengthBytes {
        case 1: length = buffer.readInteger(as: UInt8.self).map(Int.init)
        default: length = buffer.readInteger(as: UInt16.self).map(Int.init)
        }
        guard let length else { return false }
        return buffer.readSlice(length: length) != nil
    }
}
