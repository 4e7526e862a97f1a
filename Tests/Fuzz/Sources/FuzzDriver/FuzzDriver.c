#include "FuzzDriver.h"

// Part of libFuzzer since LLVM 11 (FuzzerDriver.cpp); the same call libFuzzer's own main makes.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int a2m_fuzz_main(int argc, char **argv, a2m_fuzz_callback callback) {
    return LLVMFuzzerRunDriver(&argc, &argv, callback);
}
