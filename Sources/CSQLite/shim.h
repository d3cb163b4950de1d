// The system SQLite (libsqlite3-dev), exposed to Swift as the CSQLite module, plus the one
// libc call PortalStore needs that Swift's Glibc module hides. PortalStore is the only importer.
#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H

#include <pthread.h>
#include <stddef.h>
#include <sqlite3.h>

// Declared by glibc only under _GNU_SOURCE, which would make this module's view of the
// system headers differ from Swift's Glibc module; declare them ourselves instead.
extern int pthread_setname_np(pthread_t thread, const char *name);
extern int pthread_getname_np(pthread_t thread, char *name, size_t length);

/// Names the calling thread (Linux keeps at most 15 bytes), for top -H, gdb and perf.
static inline void csqlite_set_thread_name(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

/// The calling thread's name into `buffer` (at least 16 bytes).
static inline int csqlite_thread_name(char *buffer, size_t length) {
    return pthread_getname_np(pthread_self(), buffer, length);
}

/// Turns off SQLite's memory-usage statistics before its first use. With them on (the
/// default), every allocation SQLite makes takes a process-wide mutex to keep the totals;
/// nothing here reads them. `sqlite3_config` is variadic, so Swift cannot call it directly.
/// Returns SQLITE_MISUSE if SQLite was already initialized (the setting then stays as it was).
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

#endif
