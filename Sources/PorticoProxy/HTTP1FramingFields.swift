/// The two fields that frame an HTTP/1 body, read field by field as a head is parsed, with the
/// rules requests and responses share: `Content-Length` all digits and sent once,
/// `Transfer-Encoding` sent once and exactly `chunked` (501 otherwise: Portico frames bodies
/// again and could not carry another coding on), never both.
struct HTTP1FramingFields {
    private(set) var contentLength: Int?
    private(set) var chunked = false

    /// Takes `name` if it is one of the two, and says whether it was.
    mutating func inspect(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) throws(HTTP1ParseError) -> Bool {
        switch name.count {
        case 14 where HeaderName.equals(name, "content-length"):
            guard self.contentLength == nil else { throw .malformed("Content-Length sent twice") }
            self.contentLength = try HTTP1Syntax.contentLength(value)
            return true
        case 17 where HeaderName.equals(name, "transfer-encoding"):
            guard !self.chunked else { throw .malformed("Transfer-Encoding sent twice") }
            guard HeaderName.equals(value, "chunked") else { throw .unsupportedTransferCoding() }
            self.chunked = true
            return true
        default:
            return false
        }
    }

    /// Checks that the two do not both frame the body.
    func validate() throws(HTTP1ParseError) {
        if self.chunked, self.contentLength != nil { throw .malformed("both Content-Length and Transfer-Encoding") }
    }
}
