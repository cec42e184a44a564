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
// Memory: the banks form one beat-interleaved space (global beat L lives in
// bank L mod B at bank address L / B), stored sparsely in pages. Each bank
// answers read bursts in order, one beat per cycle at most, the first beat
// `latency` cycles after the command is accepted; read data are taken when
// the command is accepted, so the bank behaves as if it executed commands in
// order. Back-pressure: in each cycle each bank raises waitrequest with the
// configured probability, and independently withholds a due read beat with
// half that probability (readdatavalid gaps are legal Avalon). Protocol
// violations of the core (read and write together, burstcount 0, a read in
// the middle of a write burst, an address past the bank) stop the run with a
// message.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace trit_cosim {

struct Rng {
    uint64_t state;
    uint64_t next() {
        state += 0x9E3779B97F4A7C15ull;
        uint64_t z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }
};

// A port of the top module, by harness index.
struct Port {
    int index = -1;
    int width = 0;
    int words = 0;
};

// Byte-addressed sparse storage; unwritten bytes read as zero.
class SparseMemory {
  public:
    static constexpr uint64_t pageBits = 16;
    static constexpr uint64_t pageSize = uint64_t(1) << pageBits;

    void write(uint64_t address, const uint8_t *bytes, uint64_t length) {
        while (length > 0) {
            uint64_t offset = address & (pageSize - 1);
            uint64_t n = std::min(length, pageSize - offset);
            std::memcpy(page(address >> pageBits, true) + offset, bytes, n);
            address += n; bytes += n; length -= n;
        }
    }

    void read(uint64_t address, uint8_t *bytes, uint64_t length) {
        while (length > 0) {
            uint64_t offset = address & (pageSize - 1);
            uint64_t n = std::min(length, pageSize - offset);
            uint8_t *p = page(address >> pageBits, false);
            if (p) std::memcpy(bytes, p + offset, n); else std::memset(bytes, 0, n);
            address += n; bytes += n; length -= n;
        }
    }

    // Writes the bytes of `data` whose enable bit is set.
    void writeMasked(uint64_t address, const uint8_t *data, const uint8_t *enables, uint64_t length) {
        for (uint64_t i = 0; i < length; ++i) {
            if ((enables[i / 8] >> (i % 8)) & 1) write(address + i, data + i, 1);
        }
    }

  private:
    std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages;
    uint64_t lastKey = ~uint64_t(0);
    uint8_t *lastPage = nullptr;

    uint8_t *page(uint64_t key, bool create) {
        if (key == lastKey) return lastPage;
        auto it = pages.find(key);
        if (it == pages.end()) {
            if (!create) return nullptr;
            std::unique_ptr<uint8_t[]> fresh(new uint8_t[pageSize]());
            it = pages.emplace(key, std::move(fresh)).first;
        }
        lastKey = key;
        lastPage = it->second.get();
        return lastPage;
    }
};

struct PendingBeat {
    uint64_t ready;             // first cycle the beat may be presented
    std::vector<uint32_t> data; // taken when the command was accepted
};

struct Bank {
    int number = 0;
    Port address, read, write, burstcount, writedata, byteenable;
    Port waitrequest, readdata, readdatavalid;
    std::deque<PendingBeat> responses;
    uint64_t writeRemaining = 0;
    uint64_t writeAddress = 0;
    // Statistics.
    uint64_t readCommands = 0, readBeats = 0, writeBeats = 0, heldCycles = 0;
};

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
        : sim(sim), banks(banks), beatBytes(dataBits / 8), latency(latency < 1 ? 1 : latency),
          waitProbability(waitProbability), pollInterval(pollInterval) {
        rng.state = seed;
        beatWords = dataBits / 32;
        scratch.assign(beatWords + 2, 0);
        idle.assign(beatWords, 0xBAADF00Du);
    }

    // Finds every port; false (with `error` set) when one is missing or has
    // an unexpected width.
    bool bind() {
        bool ok = true;
        auto port = [&](const std::string &name, int width) {
            Port p;
            for (int i = 0; i < trit_port_count; ++i) {
                if (name == trit_port_names[i]) {
                    p.index = i;
                    p.width = trit_port_widths[i];
                    p.words = (p.width + 31) / 32;
                }
            }
            if (p.index < 0) {
                if (ok) error = "the top module has no port '" + name + "'";
                ok = false;
            } else if (width > 0 && p.width != width) {
                if (ok) error = "port '" + name + "' is " + std::to_string(p.width) + " bits wide, expected " + std::to_string(width);
                ok = false;
            }
            return p;
        };
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
        for (int b = 0; b < banks; ++b) {
            Bank k;
            k.number = b;
            std::string p = "mem" + std::to_string(b) + "_";
            k.address = port(p + "address", 0);
            k.read = port(p + "read", 1);
            k.write = port(p + "write", 1);
            k.burstcount = port(p + "burstcount", 0);
            k.writedata = port(p + "writedata", beatBytes * 8);
            k.byteenable = port(p + "byteenable", beatBytes);
            k.waitrequest = port(p + "waitrequest", 1);
            k.readdata = port(p + "readdata", beatBytes * 8);
            k.readdatavalid = port(p + "readdatavalid", 1);
            bankList.push_back(k);
        }
        // A bank the configuration does not know of would be left undriven.
        std::string extra = "mem" + std::to_string(banks) + "_read";
        for (int i = 0; i < trit_port_count; ++i) {
            if (extra == trit_port_names[i] && ok) {
                error = "the core has more than " + std::to_string(banks) + " memory banks";
                ok = false;
            }
        }
        return ok;
    }

    // MARK: Memory backdoor

    void writeMemory(uint64_t address, const uint8_t *bytes, uint64_t length) { memory.write(address, bytes, length); }
    void readMemory(uint64_t address, uint8_t *bytes, uint64_t length) { memory.read(address, bytes, length); }

    // MARK: Reset and host operations

    bool reset(int cycles) {
        set1(rst, 1);
        for (int i = 0; i < cycles; ++i) cycle();
        set1(rst, 0);
        for (Bank &b : bankList) { b.responses.clear(); b.writeRemaining = 0; }
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
        for (const Bank &b : bankList) {
            v.push_back(b.readCommands); v.push_back(b.readBeats); v.push_back(b.writeBeats); v.push_back(b.heldCycles);
        }
        for (int32_t i = 0; i < capacity && i < int32_t(v.size()); ++i) out[i] = v[i];
    }

  private:
    void *sim;
    int banks;
    int beatBytes;
    int beatWords;
    int latency;
    double waitProbability;
    int pollInterval;
    Rng rng;
    SparseMemory memory;
    std::vector<Bank> bankList;
    std::deque<Record> records;
    std::vector<uint32_t> scratch;
    std::vector<uint32_t> idle;
    uint64_t now = 0;
    uint64_t nextPoll = 0;
    uint64_t polls = 0;
    uint64_t lastPolledStatus = 0;
    std::vector<char> held, responding;
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

    void set1(const Port &p, uint32_t v) { trit_sim_set(sim, p.index, &v); }
    void set64(const Port &p, uint64_t v) {
        uint32_t w[2] = {uint32_t(v), uint32_t(v >> 32)};
        trit_sim_set(sim, p.index, w);
    }
    uint64_t get64(const Port &p) {
        uint32_t w[2] = {0, 0};
        trit_sim_get(sim, p.index, w);
        return uint64_t(w[0]) | (p.width > 32 ? uint64_t(w[1]) << 32 : 0);
    }
    bool get1(const Port &p) { return get64(p) != 0; }

    void fail(const std::string &message) {
        if (error.empty()) error = "cycle " + std::to_string(now) + ": " + message;
    }

    std::string bankName(const Bank &b) { return "bank " + std::to_string(b.number); }

    // One clock cycle: drive inputs, settle, sample outputs, rising edge.
    void cycle() {
        // Memory inputs.
        held.resize(bankList.size());
        responding.resize(bankList.size());
        for (size_t i = 0; i < bankList.size(); ++i) {
            Bank &b = bankList[i];
            held[i] = waitProbability > 0 && rng.uniform() < waitProbability;
            bool due = !b.responses.empty() && b.responses.front().ready <= now;
            responding[i] = due && !(waitProbability > 0 && rng.uniform() < waitProbability / 2);
            set1(b.waitrequest, held[i] ? 1 : 0);
            set1(b.readdatavalid, responding[i] ? 1 : 0);
            // Without valid data the bus carries junk, which the core must ignore.
            trit_sim_set(sim, b.readdata.index, responding[i] ? b.responses.front().data.data() : idle.data());
        }
        // CSR inputs.
        bool presenting = host.op != HostOp::none && host.phase == 0;
        set1(csrRead, presenting && host.op == HostOp::read ? 1 : 0);
        set1(csrWrite, presenting && host.op == HostOp::write ? 1 : 0);
        set64(csrAddress, presenting ? uint64_t(host.index) : 0);
        set64(csrWritedata, presenting && host.op == HostOp::write ? host.value : 0);
        set64(csrByteenable, presenting ? 0xFF : 0);
        trit_sim_eval(sim);

        // Memory commands and responses.
        for (size_t i = 0; i < bankList.size(); ++i) {
            Bank &b = bankList[i];
            bool rd = get1(b.read), wr = get1(b.write);
            if (rd && wr) fail(bankName(b) + ": read and write asserted together");
            if ((rd || wr) && held[i]) ++b.heldCycles;
            if (rd && !held[i]) acceptRead(b);
            if (wr && !held[i]) acceptWrite(b);
            if (responding[i]) { b.responses.pop_front(); ++b.readBeats; }
        }
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

    uint64_t bankLimit(const Bank &b) { return b.address.width >= 64 ? ~uint64_t(0) : uint64_t(1) << b.address.width; }

    void acceptRead(Bank &b) {
        if (b.writeRemaining != 0) {
            fail(bankName(b) + ": read command in the middle of a write burst (" + std::to_string(b.writeRemaining) + " beats left)");
            return;
        }
        uint64_t address = get64(b.address), n = get64(b.burstcount);
        if (n == 0) { fail(bankName(b) + ": read with burstcount 0"); return; }
        if (address + n > bankLimit(b)) { fail(bankName(b) + ": read burst past the end of the bank"); return; }
        ++b.readCommands;
        for (uint64_t k = 0; k < n; ++k) {
            PendingBeat beat;
            beat.ready = now + latency + k;
            beat.data.assign(beatWords, 0);
            uint64_t line = (address + k) * banks + b.number;
            memory.read(line * beatBytes, reinterpret_cast<uint8_t *>(beat.data.data()), beatBytes);
            b.responses.push_back(std::move(beat));
        }
    }

    void acceptWrite(Bank &b) {
        if (b.writeRemaining == 0) {
            uint64_t n = get64(b.burstcount);
            if (n == 0) { fail(bankName(b) + ": write with burstcount 0"); return; }
            b.writeAddress = get64(b.address);
            b.writeRemaining = n;
            if (b.writeAddress + n > bankLimit(b)) { fail(bankName(b) + ": write burst past the end of the bank"); return; }
        }
        trit_sim_get(sim, b.writedata.index, scratch.data());
        uint32_t enables[4] = {0, 0, 0, 0}; // up to 128 byte lanes
        trit_sim_get(sim, b.byteenable.index, enables);
        uint64_t line = b.writeAddress * banks + b.number;
        memory.writeMasked(line * beatBytes, reinterpret_cast<const uint8_t *>(scratch.data()),
                           reinterpret_cast<const uint8_t *>(enables), beatBytes);
        ++b.writeAddress;
        --b.writeRemaining;
        ++b.writeBeats;
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
