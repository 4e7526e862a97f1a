// libFuzzer's driver, called from each fuzz target's entry point. SwiftPM links an executable target with
// `--defsym main=<Target>_main`, so a target built with -parse-as-library (which libFuzzer needs) defines
// `<Target>_main` itself and hands its input callback to libFuzzer here.
#include <stddef.h>
#include <stdint.h>

typedef int (*a2m_fuzz_callback)(const uint8_t *data, size_t size);

int a2m_fuzz_main(int argc, char **argv, a2m_fuzz_callback callback);
