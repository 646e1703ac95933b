// The system's OpenSSL libcrypto, for SHA-1 through its EVP interface (not deprecated in OpenSSL 3).
// chop needs only this checksum; the system library spares every build compiling BoringSSL.
#include <openssl/evp.h>
