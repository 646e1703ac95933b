import CLibCrypto

/// One-shot digests from the system's libcrypto, for host-key fingerprints and hashed known_hosts names.
enum Digest {
    static func sha1(_ bytes: [UInt8]) -> [UInt8] { digest(bytes, EVP_sha1()) }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] { digest(bytes, EVP_sha256()) }

    /// HMAC-SHA1 (RFC 2104), as OpenSSH hashes host names in known_hosts (`HashKnownHosts yes`).
    static func hmacSHA1(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        let blockSize = 64
        var block = key.count > blockSize ? sha1(key) : key
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        let inner = sha1(block.map { $0 ^ 0x36 } + message)
        return sha1(block.map { $0 ^ 0x5c } + inner)
    }

    private static func digest(_ bytes: [UInt8], _ type: OpaquePointer?) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let done = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &output, &length, type, nil)
        }
        precondition(done == 1, "libcrypto cannot compute a digest (out of memory?)")
        return Array(output.prefix(Int(length)))
    }
}
