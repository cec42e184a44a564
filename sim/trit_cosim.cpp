// Co-simulation test bench for the generated core (`TritCore`): one
// Avalon-MM memory model per bank, a host on the CSR slave, and the
// collection of retirement records, around the Verilated top module.
//
// This file is compiled in one translation unit after the generated
// simulation harness (Sources/HDLSim/Harness.swift), whose `trit_sim_*`
// functions and `trit_port_*` tables it uses: it drives the model through
// its top-level ports only, found by name, so one source serves every core
// configuration. Swift binds the `trit_cosim_*` functions below with dlsym
// (Sources/Cosim/TestBench.swift).
//
// Memory: the banks of trit_sim_models.h (BankModel). Protocol violations
// of the core (on the banks or the CSR slave) stop the run with a message.

#include "trit_sim_models.h"

#include <cstdio>
#include <deque>
#include <string>
#include <vector>

namespace trit_cosim {

using trit_sim::BankModel;
using trit_sim::Port;
using trit_sim::PortFinder;
using trit_sim::PortIO;
using trit_sim::Rng;

struct Record {
    uint32_t index, opcode, destination, destinationIndex, count, digest, saturations;
    uint64_t cycle;
};

// Words per record handed to the caller: index, opcode, dest, dest index,
// count, digest, cycle low, cycle high, saturations.
static const int recordWords = 9;

enum StepStatus : int32_t { running = 0, halted = 1, faulted = 2, cycleLimit = 3, protocolError = -1 };

class TestBench {
  public:
    std::string error;

    TestBench(void *sim, int banks, int dataBits, int latency, double waitProbability, uint64_t seed, int pollInterval)
        : sim(sim), io{sim}, memory(io, banks, dataBits, latency, waitProbability), pollInterval(pollInterval) {
        rng.state = seed;
        memory.fail = [this](const std::string &m) { fail(m); };
    }

    // Finds every port; false (with `error` set) when one is missing or has
    // an unexpected width.
    bool bind() {
        PortFinder port;
        rst = port("rst", 1);
        csrAddress = port("csr_address", 5);
        csrRead = port("csr_read", 1);
        csrWrite = port("csr_write", 1);
        csrWritedata = port("csr_writedata", 64);
        csrByteenable = port("csr_byteenable", 8);
        csrReaddata = port("csr_readdata", 64);
        csrReaddatavalid = port("csr_readdatavalid", 1);
        csrWaitrequest = port("csr_waitrequest", 1);
        retireValid = port("retire_valid", 1);
        retireIndex = port("retire_index", 32);
        retireOpcode = port("retire_opcode", 8);
        retireDest = port("retire_dest", 3);
        retireDestIndex = port("retire_dest_index", 32);
        retireCount = port("retire_count", 32);
        retireDigest = port("retire_digest", 32);
        retireSaturations = port("retire_saturations", 32);
        busy = port("busy", 1);
        haltedPort = port("halted", 1);
        faultedPort = port("faulted", 1);
        bool ok = memory.bind(port);
        error = port.error;
        return ok;
    }

    // MARK: Memory backdoor

    void writeMemory(uint64_t address, const uint8_t *bytes, uint64_t length) { memory.memory.write(address, bytes, length); }
    void readMemory(uint64_t address, uint8_t *bytes, uint64_t length) { memory.memory.read(address, bytes, length); }

    // MARK: Reset and host operations

    bool reset(int cycles) {
        set1(rst, 1);
        for (int i = 0; i < cycles; ++i) cycle();
        set1(rst, 0);
        memory.reset();
        records.clear();
        host = HostState();
        terminal = false;
        trit_sim_eval(sim);
        return error.empty();
    }

    // A blocking CSR write (the core keeps running meanwhile).
    bool csrWriteBlocking(int index, uint64_t value) {
        if (!finishHostOp()) return false;
        host = HostState();
        host.op = HostOp::write; host.index = index; host.value = value; host.phase = 0;
        return finishHostOp();
    }

    bool csrReadBlocking(int index, uint64_t *value) {
        if (!finishHostOp()) return false;
        host = HostState();
        host.op = HostOp::read; host.index = index; host.phase = 0;
        bool ok = finishHostOp();
        *value = host.result;
        return ok;
    }

    // The host protocol: program the CSRs, then CONTROL.start.
    bool start(uint64_t codeBase, uint64_t codeLength, uint64_t dataBase, uint64_t dataSize, uint64_t timeout) {
        terminal = false;
        return csrWriteBlocking(11, codeBase) && csrWriteBlocking(12, codeLength) && csrWriteBlocking(13, dataBase)
            && csrWriteBlocking(14, dataSize) && csrWriteBlocking(15, timeout) && csrWriteBlocking(8, 1);
    }

    // Runs until a retirement record is buffered, the core halts or faults
    // (then a few more cycles catch late records), `maxCycles` pass, or a
    // protocol error. Copies up to `capacity` records (`recordWords` words each).
    int32_t step(uint64_t maxCycles, uint32_t *out, int32_t capacity, int32_t *count) {
        *count = 0;
        if (!error.empty()) return protocolError;
        uint64_t limit = now + maxCycles;
        while (records.empty() && !terminal && now < limit && error.empty()) {
            if (pollInterval > 0 && host.op == HostOp::none && now >= nextPoll) {
                // The host polls STATUS while the program runs, as a driver does.
                host = HostState();
                host.op = HostOp::read; host.index = 9; host.poll = true;
                nextPoll = now + pollInterval;
            }
            cycle();
            if (haltedNow || faultedNow) {
                for (int i = 0; i < 16 && error.empty(); ++i) cycle();
                terminal = true;
            }
        }
        while (*count < capacity && !records.empty()) {
            const Record &r = records.front();
            uint32_t *w = out + recordWords * *count;
            w[0] = r.index; w[1] = r.opcode; w[2] = r.destination; w[3] = r.destinationIndex;
            w[4] = r.count; w[5] = r.digest; w[6] = uint32_t(r.cycle); w[7] = uint32_t(r.cycle >> 32);
            w[8] = r.saturations;
            records.pop_front();
            ++*count;
        }
        if (!error.empty()) return protocolError;
        if (terminal) return faultedNow ? faulted : halted;
        if (*count == 0 && now >= limit) return cycleLimit;
        return running;
    }

    uint64_t cycleCount() const { return now; }

    uint32_t status() const { return (busyNow ? 1 : 0) | (haltedNow ? 2 : 0) | (faultedNow ? 4 : 0); }

    // cycles, STATUS polls, the last polled STATUS, then per bank: read
    // commands, read beats, write beats, cycles a command was held.
    void statistics(uint64_t *out, int32_t capacity) {
        std::vector<uint64_t> v{now, polls, lastPolledStatus};
        for (const trit_sim::Bank &b : memory.banks) {
            v.push_back(b.readCommands); v.push_back(b.readBeats); v.push_back(b.writeBeats); v.push_back(b.heldCycles);
        }
        for (int32_t i = 0; i < capacity && i < int32_t(v.size()); ++i) out[i] = v[i];
    }

  private:
    void *sim;
    PortIO io;
    BankModel memory;
    int pollInterval;
    Rng rng;
    std::deque<Record> records;
    uint64_t now = 0;
    uint64_t nextPoll = 0;
    uint64_t polls = 0;
    uint64_t lastPolledStatus = 0;
    bool terminal = false;
    bool busyNow = false, haltedNow = false, faultedNow = false;

    Port rst, csrAddress, csrRead, csrWrite, csrWritedata, csrByteenable, csrReaddata, csrReaddatavalid, csrWaitrequest;
    Port retireValid, retireIndex, retireOpcode, retireDest, retireDestIndex, retireCount, retireDigest, retireSaturations;
    Port busy, haltedPort, faultedPort;

    enum class HostOp { none, read, write };
    struct HostState {
        HostOp op = HostOp::none;
        int index = 0;
        uint64_t value = 0;
        uint64_t result = 0;
        int phase = 0; // 0: command presented, 1: read accepted, waiting for data
        int waited = 0;
        bool poll = false;
    } host;

    bool finishHostOp() {
        while (host.op != HostOp::none && error.empty()) cycle();
        return error.empty();
    }

    void set1(const Port &p, uint32_t v) { io.set1(p, v); }
    void set64(const Port &p, uint64_t v) { io.set64(p, v); }
    uint64_t get64(const Port &p) { return io.get64(p); }
    bool get1(const Port &p) { return io.get1(p); }

    void fail(const std::string &message) {
        if (error.empty()) error = "cycle " + std::to_string(now) + ": " + message;
    }

    // One clock cycle: drive inputs, settle, sample outputs, rising edge.
    void cycle() {
        memory.drive(now, rng);
        // CSR inputs.
        bool presenting = host.op != HostOp::none && host.phase == 0;
        set1(csrRead, presenting && host.op == HostOp::read ? 1 : 0);
        set1(csrWrite, presenting && host.op == HostOp::write ? 1 : 0);
        set64(csrAddress, presenting ? uint64_t(host.index) : 0);
        set64(csrWritedata, presenting && host.op == HostOp::write ? host.value : 0);
        set64(csrByteenable, presenting ? 0xFF : 0);
        trit_sim_eval(sim);

        memory.observe(now);
        // CSR slave.
        bool valid = get1(csrReaddatavalid);
        if (host.op != HostOp::none && host.phase == 1) {
            if (!valid) fail("csr_readdatavalid did not rise exactly one cycle after csr_read was accepted");
            host.result = get64(csrReaddata);
            host.op = HostOp::none;
            if (host.poll) { ++polls; lastPolledStatus = host.result; }
        } else if (valid) {
            fail("csr_readdatavalid high without a read one cycle earlier");
        }
        if (presenting) {
            if (!get1(csrWaitrequest)) {
                if (host.op == HostOp::write) host.op = HostOp::none; else host.phase = 1;
            } else if (++host.waited > 1000) {
                fail("csr_waitrequest held for 1000 cycles");
            }
        }
        // Retirement port and status.
        if (get1(retireValid)) {
            Record r;
            r.index = uint32_t(get64(retireIndex));
            r.opcode = uint32_t(get64(retireOpcode));
            r.destination = uint32_t(get64(retireDest));
            r.destinationIndex = uint32_t(get64(retireDestIndex));
            r.count = uint32_t(get64(retireCount));
            r.digest = uint32_t(get64(retireDigest));
            r.saturations = uint32_t(get64(retireSaturations));
            r.cycle = now;
            records.push_back(r);
        }
        busyNow = get1(busy);
        haltedNow = get1(haltedPort);
        faultedNow = get1(faultedPort);

        trit_sim_tick(sim, 1);
        ++now;
    }
};

} // namespace trit_cosim

using trit_cosim::TestBench;

// MARK: C ABI (every function returns 0 or a count on success, -1 after a
// protocol error; `trit_cosim_error` says what happened).

TRIT_API void *trit_cosim_create(int32_t banks, int32_t dataBits, int32_t latency, double waitProbability, uint64_t seed,
                                 int32_t pollInterval, const char *waveform, char *error, int32_t errorCapacity) {
    auto report = [&](const std::string &m) {
        if (error && errorCapacity > 0) std::snprintf(error, size_t(errorCapacity), "%s", m.c_str());
    };
    if (banks < 1 || dataBits < 64 || dataBits % 32 != 0 || dataBits > 1024) {
        report("bad test-bench configuration: banks " + std::to_string(banks) + ", data bits " + std::to_string(dataBits));
        return nullptr;
    }
    void *sim = trit_sim_create();
    TestBench *t = new TestBench(sim, banks, dataBits, latency, waitProbability, seed, pollInterval);
    if (!t->bind()) {
        report(t->error);
        delete t;
        trit_sim_destroy(sim);
        return nullptr;
    }
    if (waveform && waveform[0]) {
        int status = trit_sim_trace_open(sim, waveform);
        if (status != 0) {
            report("cannot write the waveform " + std::string(waveform) + " (code " + std::to_string(status) + ")");
            delete t;
            trit_sim_destroy(sim);
            return nullptr;
        }
    }
    return new std::pair<void *, TestBench *>(sim, t);
}

namespace {
TestBench *bench(void *p) { return static_cast<std::pair<void *, TestBench *> *>(p)->second; }
}

TRIT_API void trit_cosim_destroy(void *p) {
    auto *pair = static_cast<std::pair<void *, TestBench *> *>(p);
    delete pair->second;
    trit_sim_destroy(pair->first);
    delete pair;
}

TRIT_API const char *trit_cosim_error(void *p) { return bench(p)->error.c_str(); }

TRIT_API int32_t trit_cosim_reset(void *p, int32_t cycles) { return bench(p)->reset(cycles) ? 0 : -1; }

TRIT_API void trit_cosim_write_memory(void *p, uint64_t address, const uint8_t *bytes, uint64_t length) {
    bench(p)->writeMemory(address, bytes, length);
}

TRIT_API void trit_cosim_read_memory(void *p, uint64_t address, uint8_t *bytes, uint64_t length) {
    bench(p)->readMemory(address, bytes, length);
}

TRIT_API int32_t trit_cosim_csr_write(void *p, int32_t index, uint64_t value) {
    return bench(p)->csrWriteBlocking(index, value) ? 0 : -1;
}

TRIT_API int32_t trit_cosim_csr_read(void *p, int32_t index, uint64_t *value) {
    return bench(p)->csrReadBlocking(index, value) ? 0 : -1;
}

TRIT_API int32_t trit_cosim_start(void *p, uint64_t codeBase, uint64_t codeLength, uint64_t dataBase, uint64_t dataSize,
                                  uint64_t timeout) {
    return bench(p)->start(codeBase, codeLength, dataBase, dataSize, timeout) ? 0 : -1;
}

TRIT_API int32_t trit_cosim_step(void *p, uint64_t maxCycles, uint32_t *records, int32_t capacity, int32_t *count) {
    return bench(p)->step(maxCycles, records, capacity, count);
}

TRIT_API uint32_t trit_cosim_status(void *p) { return bench(p)->status(); }

TRIT_API uint64_t trit_cosim_cycle(void *p) { return bench(p)->cycleCount(); }

TRIT_API void trit_cosim_statistics(void *p, uint64_t *out, int32_t capacity) { bench(p)->statistics(out, capacity); }
