// One simulated card: the Verilated AFU (`TritAfu`), its banks
// (trit_sim_models.h) and host memory (trit_simcard_host.h), clocked in the
// caller's thread. An MMIO access drives the CSR slave until it completes;
// a read then runs `cyclesPerPoll` more cycles, so a host polling STATUS
// lets the core and the DMA progress.
//
// Problems never crash the host: a bus error (the DMA outside every
// prepared buffer) or a protocol violation of the AFU is reported on stderr
// and makes the next OPAE call on the handle return FPGA_EXCEPTION.

#pragma once

#include "trit_simcard_host.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace trit_simcard {

using trit_sim::BankModel;

// Settings, from the environment at fpgaOpen (docs/host.md).
struct Settings {
    int latency = 20;       // TRIT_SIMCARD_LATENCY: bank read latency, cycles
    int hostLatency = 100;  // TRIT_SIMCARD_HOST_LATENCY: host read latency, cycles
    double backpressure = 0; // TRIT_SIMCARD_BACKPRESSURE: waitrequest probability per cycle, banks and host
    uint64_t seed = 1;      // TRIT_SIMCARD_SEED
    int cyclesPerPoll = 64; // TRIT_SIMCARD_CYCLES_PER_POLL: cycles every MMIO read advances
    std::string stats;      // TRIT_SIMCARD_STATS: a JSON file written at fpgaClose
    uint64_t failAfterReads = 0; // TRIT_SIMCARD_FAIL_AFTER_READS: fault injection, 0 never

    // Reads the environment; false (with `error`) on a malformed value.
    bool load(std::string &error) {
        return integer("TRIT_SIMCARD_LATENCY", 1, 100000, latency, error)
            && integer("TRIT_SIMCARD_HOST_LATENCY", 1, 100000, hostLatency, error)
            && integer("TRIT_SIMCARD_CYCLES_PER_POLL", 0, 1000000, cyclesPerPoll, error)
            && probability("TRIT_SIMCARD_BACKPRESSURE", backpressure, error)
            && unsigned64("TRIT_SIMCARD_SEED", seed, error) && text("TRIT_SIMCARD_STATS", stats)
            && unsigned64("TRIT_SIMCARD_FAIL_AFTER_READS", failAfterReads, error);
    }

  private:
    static bool text(const char *name, std::string &out) {
        const char *v = std::getenv(name);
        if (v && *v) out = v;
        return true;
    }
    static bool unsigned64(const char *name, uint64_t &out, std::string &error) {
        const char *v = std::getenv(name);
        if (!v || !*v) return true;
        char *end = nullptr;
        unsigned long long n = std::strtoull(v, &end, 0);
        if (*end || v[0] == '-') { error = std::string(name) + "='" + v + "' is not an unsigned integer"; return false; }
        out = n;
        return true;
    }
    static bool integer(const char *name, int least, int most, int &out, std::string &error) {
        uint64_t n = uint64_t(out);
        if (!unsigned64(name, n, error)) return false;
        if (n < uint64_t(least) || n > uint64_t(most)) {
            error = std::string(name) + " must be " + std::to_string(least) + " ... " + std::to_string(most);
            return false;
        }
        out = int(n);
        return true;
    }
    static bool probability(const char *name, double &out, std::string &error) {
        const char *v = std::getenv(name);
        if (!v || !*v) return true;
        char *end = nullptr;
        double p = std::strtod(v, &end);
        if (*end || !(p >= 0 && p < 1)) { error = std::string(name) + "='" + v + "' is not a probability in [0, 1)"; return false; }
        out = p;
        return true;
    }
};

class Card {
  public:
    static constexpr uint32_t magicValue = 0x54524954; // "TRIT"
    uint32_t magic = magicValue;
    const Settings settings;
    HostChannel host;

    Card(void *sim, const Settings &s, int banks, int hostBits, int bankBits)
        : settings(s), host(PortIO{sim}, hostBits, s.hostLatency, s.backpressure), sim(sim), io{sim},
          memory(io, banks, bankBits, s.latency, s.backpressure) {
        rng.state = s.seed;
        memory.fail = [this](const std::string &m) { report("the AFU broke the bank protocol: " + m); };
        host.fail = [this](const std::string &m) { report("the AFU broke the host channel protocol: " + m); };
        host.busError = [this](const std::string &m) { report("bus error: " + m); };
        started = std::chrono::steady_clock::now();
    }

    ~Card() {
        if (!settings.stats.empty()) writeStatistics();
        for (Buffer &b : host.buffers) if (b.owned) std::free(b.bytes);
        trit_sim_destroy(sim);
    }

    // Binds the ports; false with `error` when the model is not a TritAfu.
    bool bind(std::string &error) {
        PortFinder port;
        rst = port("rst", 1);
        csrAddress = port("csr_address", 0);
        csrRead = port("csr_read", 1);
        csrWrite = port("csr_write", 1);
        csrWritedata = port("csr_writedata", 64);
        csrByteenable = port("csr_byteenable", 8);
        csrReaddata = port("csr_readdata", 64);
        csrReaddatavalid = port("csr_readdatavalid", 1);
        csrWaitrequest = port("csr_waitrequest", 1);
        bool ok = memory.bind(port) && host.bind(port);
        error = port.error;
        return ok;
    }

    // Registers on the CSR slave (the MMIO space is 8 bytes per register).
    uint64_t registerCount() const { return uint64_t(1) << csrAddress.width; }

    // Takes the pending error, if any: the caller returns FPGA_EXCEPTION.
    bool takeError() {
        bool had = pending;
        pending = false;
        return had;
    }

    // Holds `rst` for a few cycles and forgets every bus transaction in flight.
    void reset() {
        io.set1(rst, 1);
        for (int i = 0; i < 4; ++i) cycle(CsrDrive());
        io.set1(rst, 0);
        memory.reset();
        host.reset();
        pending = false;
        ++resets;
        trit_sim_eval(sim);
    }

    void mmioWrite(uint64_t index, uint64_t value) {
        ++writes;
        present(CsrDrive{false, true, index, value});
    }

    uint64_t mmioRead(uint64_t index) {
        ++reads;
        // Fault injection, for host code's error paths: one exception, as a bus error gives.
        if (reads == settings.failAfterReads)
            report("injected fault after " + std::to_string(reads) + " MMIO reads (TRIT_SIMCARD_FAIL_AFTER_READS)");
        present(CsrDrive{true, false, index, 0});
        CsrSample s = cycle(CsrDrive());
        if (!s.valid) report("csr_readdatavalid did not rise exactly one cycle after csr_read was accepted");
        for (int i = 0; i < settings.cyclesPerPoll; ++i) idleCycle();
        return s.data;
    }

  private:
    void *sim;
    PortIO io;
    BankModel memory;
    Rng rng;
    uint64_t now = 0, reads = 0, writes = 0, resets = 0, problems = 0;
    bool pending = false;
    std::chrono::steady_clock::time_point started;
    Port rst, csrAddress, csrRead, csrWrite, csrWritedata, csrByteenable, csrReaddata, csrReaddatavalid, csrWaitrequest;

    struct CsrDrive {
        bool read = false, write = false;
        uint64_t index = 0, value = 0;
    };
    struct CsrSample {
        bool wait, valid;
        uint64_t data;
    };

    void report(const std::string &message) {
        ++problems;
        pending = true;
        std::fprintf(stderr, "trit simulated card, cycle %llu: %s (the next OPAE call returns FPGA_EXCEPTION)\n",
                     static_cast<unsigned long long>(now), message.c_str());
    }

    // Presents a CSR command until the slave takes it.
    void present(const CsrDrive &d) {
        for (int waited = 0; cycle(d).wait; ++waited) {
            if (waited == 1000) { report("csr_waitrequest held for 1000 cycles"); return; }
        }
    }

    void idleCycle() {
        if (cycle(CsrDrive()).valid) report("csr_readdatavalid high without a read one cycle earlier");
    }

    // One clock cycle: drive inputs, settle, sample, rising edge.
    CsrSample cycle(const CsrDrive &d) {
        memory.drive(now, rng);
        host.drive(now, rng);
        io.set1(csrRead, d.read);
        io.set1(csrWrite, d.write);
        io.set64(csrAddress, d.index);
        io.set64(csrWritedata, d.value);
        io.set64(csrByteenable, d.read || d.write ? 0xFF : 0);
        trit_sim_eval(sim);
        memory.observe(now);
        host.observe(now);
        CsrSample s{io.get1(csrWaitrequest), io.get1(csrReaddatavalid), io.get64(csrReaddata)};
        trit_sim_tick(sim, 1);
        ++now;
        return s;
    }

    void writeStatistics() {
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        FILE *f = std::fopen(settings.stats.c_str(), "w");
        if (!f) { std::fprintf(stderr, "trit simulated card: cannot write %s\n", settings.stats.c_str()); return; }
        auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
        std::fprintf(f, "{\"cycles\": %llu, \"seconds\": %.3f, \"cycles_per_second\": %.0f, \"mmio_reads\": %llu, "
                        "\"mmio_writes\": %llu, \"resets\": %llu, \"problems\": %llu, \"bus_errors\": %llu,\n",
                     u(now), seconds, seconds > 0 ? double(now) / seconds : 0.0, u(reads), u(writes), u(resets), u(problems),
                     u(host.busErrors));
        std::fprintf(f, " \"host_read_bursts\": %llu, \"host_read_beats\": %llu, \"host_write_bursts\": %llu, "
                        "\"host_write_beats\": %llu, \"host_held_cycles\": %llu,\n",
                     u(host.readBursts), u(host.readBeats), u(host.writeBursts), u(host.writeBeats), u(host.heldCycles));
        std::string banks;
        for (const trit_sim::Bank &b : memory.banks) {
            char line[160];
            std::snprintf(line, sizeof line, "%s{\"read_beats\": %llu, \"write_beats\": %llu, \"held_cycles\": %llu}",
                          banks.empty() ? "" : ", ", u(b.readBeats), u(b.writeBeats), u(b.heldCycles));
            banks += line;
        }
        std::fprintf(f, " \"banks\": [%s],\n \"settings\": {\"latency\": %d, \"host_latency\": %d, \"backpressure\": %g, "
                        "\"seed\": %llu, \"cycles_per_poll\": %d}}\n",
                     banks.c_str(), settings.latency, settings.hostLatency, settings.backpressure, u(settings.seed),
                     settings.cyclesPerPoll);
        std::fclose(f);
    }
};

} // namespace trit_simcard
