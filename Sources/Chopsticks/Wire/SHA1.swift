import CLibCrypto
import Foundation

/// A running SHA-1 over a file's chunks, as `sha1sum` prints it, from the system's libcrypto (OpenSSL's EVP).
///
/// SHA-1 here checks that a transfer arrived whole, not that it is authentic: the tunnel (ssh) does that.
/// A class, because the digest context is a C object with one owner; not shared between threads.
final class SHA1 {
    private let context: OpaquePointer

    init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha1(), nil) == 1 else {
            fatalError("libcrypto cannot make a SHA-1 context (out of memory?)")
        }
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { buffer in
            _ = EVP_DigestUpdate(context, buffer.baseAddress, buffer.count)
        }
    }

    /// The digest in lower-case hexadecimal; the hasher is spent afterwards.
    func hexDigest() -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = EVP_DigestFinal_ex(context, &digest, &length)
        return digest.prefix(Int(length)).hex
    }
}
