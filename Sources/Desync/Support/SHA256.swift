import CCrypto

/// SHA-256 through OpenSSL's libcrypto, which uses the CPU's SHA
/// instructions where present: hashing the input must not cost more than
/// parsing it. Used for the ledger's per-file checksums. Sendable so that
/// a reader can hash on another thread; one thread at a time uses it.
final class SHA256Hasher: @unchecked Sendable {
    private let context: OpaquePointer

    init() {
        guard let context = EVP_MD_CTX_new() else {
            preconditionFailure("EVP_MD_CTX_new returned NULL: out of memory")
        }
        self.context = context
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            preconditionFailure("EVP_DigestInit_ex failed for SHA-256")
        }
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        guard EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1 else {
            preconditionFailure("EVP_DigestUpdate failed")
        }
    }

    /// The digest as 64 lowercase hex digits.
    func finish() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &digest, &length) == 1 else {
            preconditionFailure("EVP_DigestFinal_ex failed")
        }
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in digest[0..<Int(length)] {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
