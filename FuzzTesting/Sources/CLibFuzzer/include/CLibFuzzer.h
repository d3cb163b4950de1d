#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt FuzzerDriver.cpp), linked in by `-sanitize=fuzzer`. The fuzz
/// executables call it from their own `main`, because SwiftPM gives every executable a Swift
/// `main` of its own and libFuzzer's `main` is then never used.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
