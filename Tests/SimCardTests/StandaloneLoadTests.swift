import Core
import Foundation
import Testing
import TestSupport

/// The library loads into a program that has no Trit code in it (a C
/// program with dlopen), finds the AFU and reads its registers.
extension SimCardTests {
    static let probe = """
        #include <dlfcn.h>
        #include <stdint.h>
        #include <stdio.h>
        typedef int (*GetProperties)(void *, void **);
        typedef int (*Enumerate)(void *const *, uint32_t, void **, uint32_t, uint32_t *);
        typedef int (*Open)(void *, void **, int);
        typedef int (*Read)(void *, uint32_t, uint64_t, uint64_t *);
        typedef int (*Close)(void *);
        int main(int argc, char **argv) {
            void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
            if (!lib) { printf("dlopen: %s\\n", dlerror()); return 1; }
            void *filter = 0, *token = 0, *handle = 0;
            uint32_t found = 0;
            uint64_t high = 0, low = 0;
            if (((GetProperties)dlsym(lib, "fpgaGetProperties"))(0, &filter)) return 2;
            if (((Enumerate)dlsym(lib, "fpgaEnumerate"))(&filter, 1, &token, 1, &found) || found != 1) return 3;
            if (((Open)dlsym(lib, "fpgaOpen"))(token, &handle, 0)) return 4;
            Read read = (Read)dlsym(lib, "fpgaReadMMIO64");
            if (read(handle, 0, 16, &high) || read(handle, 0, 8, &low)) return 5;
            printf("%016llx%016llx\\n", (unsigned long long)high, (unsigned long long)low);
            return ((Close)dlsym(lib, "fpgaClose"))(handle);
        }
        """

    @Test func loadsIntoAProgramWithoutTrit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trit-simcard-probe-\(getpid())", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("probe.c"), binary = dir.appendingPathComponent("probe")
        try Self.probe.write(to: source, atomically: true, encoding: .utf8)
        #expect(try runOnPath("cc", [source.path, "-o", binary.path, "-ldl"]).status == 0)
        SimCardFixture.configure([:])
        let probe = try runProcess(binary, [try SimCardFixture.library])
        #expect(probe.status == 0, "\(probe.output)\(probe.error)")
        #expect(probe.output.trimmingCharacters(in: .whitespacesAndNewlines) == CSR.afuUUID.filter { $0 != "-" })
    }
}
