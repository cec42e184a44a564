/// The C++ wrapper compiled with each Verilator model. It exposes a C ABI
/// (the only symbols the shared library exports) that `Simulator` binds
/// with `dlsym`:
///
///     void *trit_sim_create(void)
///     void  trit_sim_destroy(void *)
///     void  trit_sim_set(void *, int32_t port, const uint32_t *words)
///     void  trit_sim_get(void *, int32_t port, uint32_t *words)
///     void  trit_sim_eval(void *)
///     void  trit_sim_tick(void *, uint64_t cycles)
///     int   trit_sim_trace_open(void *, const char *path)   // 0: ok
///     void  trit_sim_trace_close(void *)
///
/// Ports are numbered as in `HarnessPort` order; values travel as
/// little-endian 32-bit words (Verilator's own `EData` layout). The tables
/// `trit_port_names`, `trit_port_widths` and `trit_port_count` describe them
/// to C++ test benches compiled into the same library (`ModelExtension`).
struct HarnessPort {
    /// The port's name in the design.
    let name: String
    /// The member of the Verilator model class (names may be mangled).
    let member: String
    let width: Int
    let isInput: Bool

    var wordCount: Int { (width + 31) / 32 }
}

enum Harness {
    /// Bump when the generated C++ changes shape (it is part of the cache key).
    static let version = 2

    static func source(prefix: String, ports: [HarnessPort], sequential: Bool, trace: Bool) -> String {
        var setCases: [String] = []
        var getCases: [String] = []
        for (index, p) in ports.enumerated() {
            let m = "s->top->\(p.member)"
            if p.isInput {
                let assign: String
                switch p.width {
                case ...8: assign = "\(m) = static_cast<CData>(w[0]);"
                case ...16: assign = "\(m) = static_cast<SData>(w[0]);"
                case ...32: assign = "\(m) = static_cast<IData>(w[0]);"
                case ...64: assign = "\(m) = static_cast<QData>(w[0]) | (static_cast<QData>(w[1]) << 32);"
                default: assign = "for (int k = 0; k < \(p.wordCount); ++k) \(m)[k] = w[k];"
                }
                setCases.append("    case \(index): \(assign) break;")
            }
            let read: String
            switch p.width {
            case ...32: read = "w[0] = static_cast<uint32_t>(\(m));"
            case ...64: read = "w[0] = static_cast<uint32_t>(\(m)); w[1] = static_cast<uint32_t>(\(m) >> 32);"
            default: read = "for (int k = 0; k < \(p.wordCount); ++k) w[k] = \(m)[k];"
            }
            getCases.append("    case \(index): \(read) break;")
        }

        let names = ports.map { "\"\($0.name)\"" }.joined(separator: ", ")
        let widths = ports.map { String($0.width) }.joined(separator: ", ")
        let traceInclude = trace ? "#include \"verilated_fst_c.h\"\n" : ""
        let traceMember = trace ? "    VerilatedFstC *fst = nullptr;\n" : ""
        let dump = trace ? "    if (s->fst) s->fst->dump(s->ctx->time());\n" : ""
        let traceOpen = trace
            ? """
                if (s->fst) return 1;
                s->fst = new VerilatedFstC;
                s->top->trace(s->fst, 99);
                s->fst->open(path);
                if (!s->fst->isOpen()) { delete s->fst; s->fst = nullptr; return 2; }
                s->fst->dump(s->ctx->time());
                return 0;
            """
            : "    (void)s; (void)path;\n    return 3;\n"
        let traceClose = trace ? "    if (s->fst) { s->fst->close(); delete s->fst; s->fst = nullptr; }\n" : "    (void)s;\n"
        let clockInit = sequential ? "    s->top->clk = 0;\n" : ""
        let tick = sequential
            ? """
                for (uint64_t i = 0; i < cycles; ++i) {
                    s->top->eval();
                    s->ctx->timeInc(1);
                    s->top->clk = 1;
                    s->top->eval();
            \(dump)        s->ctx->timeInc(1);
                    s->top->clk = 0;
                    s->top->eval();
            \(dump)    }

            """
            : "    (void)s; (void)cycles;\n"

        return """
            // Generated simulation harness; see Harness.swift.
            #include "\(prefix).h"
            #include "verilated.h"
            \(traceInclude)#include <cstdint>

            #define TRIT_API extern "C" __attribute__((visibility("default")))

            // The ports in harness order, for test benches built into this library.
            static const char *const trit_port_names[] = {\(names)};
            static const int trit_port_widths[] = {\(widths)};
            static const int trit_port_count = \(ports.count);

            namespace {
            struct Sim {
                VerilatedContext *ctx;
                \(prefix) *top;
            \(traceMember)};
            }

            TRIT_API void *trit_sim_create(void) {
                Sim *s = new Sim;
                s->ctx = new VerilatedContext;
            \(trace ? "    s->ctx->traceEverOn(true);\n" : "")    s->top = new \(prefix)(s->ctx, "top");
            \(clockInit)    s->top->eval();
                return s;
            }

            TRIT_API void trit_sim_trace_close(void *p) {
                Sim *s = static_cast<Sim *>(p);
            \(traceClose)}

            TRIT_API void trit_sim_destroy(void *p) {
                Sim *s = static_cast<Sim *>(p);
                trit_sim_trace_close(p);
                s->top->final();
                delete s->top;
                delete s->ctx;
                delete s;
            }

            TRIT_API int trit_sim_trace_open(void *p, const char *path) {
                Sim *s = static_cast<Sim *>(p);
            \(traceOpen)}

            TRIT_API void trit_sim_set(void *p, int32_t port, const uint32_t *w) {
                Sim *s = static_cast<Sim *>(p);
                (void)s; (void)w;
                switch (port) {
            \(setCases.joined(separator: "\n"))
                default: break;
                }
            }

            TRIT_API void trit_sim_get(void *p, int32_t port, uint32_t *w) {
                Sim *s = static_cast<Sim *>(p);
                (void)s; (void)w;
                switch (port) {
            \(getCases.joined(separator: "\n"))
                default: break;
                }
            }

            TRIT_API void trit_sim_eval(void *p) {
                Sim *s = static_cast<Sim *>(p);
                s->top->eval();
            }

            TRIT_API void trit_sim_tick(void *p, uint64_t cycles) {
                Sim *s = static_cast<Sim *>(p);
            \(tick)}

            """
    }
}
