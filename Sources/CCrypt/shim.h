// CCrypt: libxcrypt (yescrypt password hashing) and getrandom(2) for PortalSecurity.
// Thin inline wrappers only; all logic (EINTR retries, short reads) lives in Swift.
#ifndef C_CRYPT_SHIM_H
#define C_CRYPT_SHIM_H

#include <crypt.h>
#include <stddef.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

/// getrandom(2) with flags 0: blocks only until the kernel's pool is first initialised,
/// then never. Returns the byte count or -1 with errno set (EINTR is retried by Swift).
static inline long ccrypt_getrandom(void *buffer, size_t length) {
    return (long)getrandom(buffer, length, 0);
}

/// Overwrites `length` bytes with zeros in a way the compiler may not elide.
static inline void ccrypt_wipe(void *buffer, size_t length) {
    explicit_bzero(buffer, length);
}

/// sizeof(struct crypt_data): the scratch size crypt_rn needs (32 KiB in libxcrypt 4.4).
static inline int ccrypt_data_size(void) { return (int)sizeof(struct crypt_data); }

#endif
