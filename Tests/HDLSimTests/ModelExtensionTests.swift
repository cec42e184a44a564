import HDL
import HDLLib
import HDLSim
import Testing

/// C++ test benches compiled into a model (`ModelLibrary`, `ModelExtension`).
@Suite struct ModelExtensionTests {
    /// Finds ports by name in the harness's tables, drives the counter for
    /// `cycles` enabled cycles and returns the count.
    static let bench = ModelExtension(name: "count_bench.cpp", source: """
        static int port(const char *name) {
            for (int i = 0; i < trit_port_count; ++i) if (std::string(name) == trit_port_names[i]) return i;
            return -1;
        }
        TRIT_API int32_t count_bench_width(const char *name) {
            int p = port(name);
            return p < 0 ? -1 : trit_port_widths[p];
        }
        TRIT_API uint32_t count_bench_run(uint64_t cycles) {
            void *sim = trit_sim_create();
            uint32_t one = 1, zero = 0, count = 0;
            trit_sim_set(sim, port("rst"), &one);
            trit_sim_tick(sim, 1);
            trit_sim_set(sim, port("rst"), &zero);
            trit_sim_set(sim, port("enable"), &one);
            trit_sim_tick(sim, cycles);
            trit_sim_get(sim, port("count"), &count);
            trit_sim_destroy(sim);
            return count;
        }
        """)

    @Test func extensionDrivesTheModelThroughItsPorts() throws {
        let library = try ModelLibrary(elaborate(Counter(width: 12)), extensions: [Self.bench])
        let width = try library.function("count_bench_width", as: (@convention(c) (UnsafePointer<CChar>) -> Int32).self)
        #expect(width("count") == 12)
        #expect(width("enable") == 1)
        #expect(width("nothing") == -1)
        let run = try library.function("count_bench_run", as: (@convention(c) (UInt64) -> UInt32).self)
        #expect(run(1000) == 1000 % 4096)
        #expect(throws: SimulationError.self) { try library.function("no_such_function", as: (@convention(c) () -> Void).self) }
        #expect(library.ports.map(\.name) == ["clk", "rst", "enable", "clear", "count"])
    }

    @Test func badExtensionNamesAreRejected() throws {
        let design = try elaborate(Counter(width: 4))
        for name in ["bench.c", "trit_harness.cpp", "Vbench.cpp", "a/b.cpp"] {
            #expect(throws: SimulationError.self, "\(name)") {
                try ModelLibrary(design, extensions: [ModelExtension(name: name, source: "")])
            }
        }
    }
}
