// Pieces shared by the hand-written test benches (trit_cosim.cpp,
// trit_simcard.cpp): a seeded generator, ports found by name in the
// generated harness's tables, sparse byte memory, and the local-memory
// banks as Avalon-MM slaves.
//
// Included by a bench compiled in one translation unit after the generated
// simulation harness (Sources/HDLSim/Harness.swift): it uses the harness's
// `trit_sim_*` functions and `trit_port_*` tables.
//
// Banks: one beat-interleaved space (global beat L lives in bank L mod B at
// bank address L / B), stored sparsely. Each bank answers read bursts in
// order, one beat per cycle at most, the first beat `latency` cycles after
// the command is accepted, with the data as of acceptance. Back-pressure:
// in each cycle each bank raises waitrequest with the configured
// probability, and independently withholds a due read beat with half that
// probability (readdatavalid gaps are legal Avalon). Write bursts take one
// beat per accepted cycle with byte enables. Protocol violations (read and
// write together, burstcount 0, a read in the middle of a write burst, an
// address past the bank) are reported through the `fail` callback.

#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace trit_sim {

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
    // True with probability p (draws nothing when p is 0).
    bool chance(double p) { return p > 0 && uniform() < p; }
};

// A port of the top module, by harness index.
struct Port {
    int index = -1;
    int width = 0;
    int words = 0;
};

// Finds ports by name; the first problem is kept in `error`.
struct PortFinder {
    std::string error;

    static int find(const std::string &name) {
        for (int i = 0; i < trit_port_count; ++i) {
            if (name == trit_port_names[i]) return i;
        }
        return -1;
    }

    // `width` 0 accepts any width.
    Port operator()(const std::string &name, int width) {
        Port p;
        p.index = find(name);
        if (p.index < 0) {
            if (error.empty()) error = "the top module has no port '" + name + "'";
            return p;
        }
        p.width = trit_port_widths[p.index];
        p.words = (p.width + 31) / 32;
        if (width > 0 && p.width != width && error.empty()) {
            error = "port '" + name + "' is " + std::to_string(p.width) + " bits wide, expected " + std::to_string(width);
        }
        return p;
    }
};

// Reads and writes ports of one model instance.
struct PortIO {
    void *sim = nullptr;

    void set1(const Port &p, uint32_t v) const { trit_sim_set(sim, p.index, &v); }
    void set64(const Port &p, uint64_t v) const {
        uint32_t w[2] = {uint32_t(v), uint32_t(v >> 32)};
        trit_sim_set(sim, p.index, w);
    }
    uint64_t get64(const Port &p) const {
        uint32_t w[2] = {0, 0};
        trit_sim_get(sim, p.index, w);
        return uint64_t(w[0]) | (p.width > 32 ? uint64_t(w[1]) << 32 : 0);
    }
    bool get1(const Port &p) const { return get64(p) != 0; }
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

// The local-memory banks (`mem<b>_*` ports) over one sparse memory. Each
// cycle: `drive` before the model settles, `observe` after it.
class BankModel {
  public:
    SparseMemory memory;
    std::vector<Bank> banks;
    std::function<void(const std::string &)> fail;

    BankModel(PortIO io, int bankCount, int dataBits, int latency, double waitProbability)
        : io(io), bankCount(bankCount), beatBytes(dataBits / 8), beatWords(dataBits / 32),
          latency(latency < 1 ? 1 : latency), waitProbability(waitProbability) {
        scratch.assign(beatWords + 2, 0);
        idle.assign(beatWords, 0xBAADF00Du);
    }

    // Binds every bank's ports; false (with the finder's error) when one is
    // missing or there are more banks than `bankCount`.
    bool bind(PortFinder &port) {
        for (int b = 0; b < bankCount; ++b) {
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
            banks.push_back(k);
        }
        // A bank the configuration does not know of would be left undriven.
        if (PortFinder::find("mem" + std::to_string(bankCount) + "_read") >= 0 && port.error.empty()) {
            port.error = "the core has more than " + std::to_string(bankCount) + " memory banks";
        }
        return port.error.empty();
    }

    // Banks of a model: how many `mem<b>_read` ports it has.
    static int countBanks() {
        int n = 0;
        while (PortFinder::find("mem" + std::to_string(n) + "_read") >= 0) ++n;
        return n;
    }

    void reset() {
        for (Bank &b : banks) { b.responses.clear(); b.writeRemaining = 0; }
    }

    // Sets the banks' inputs for cycle `now` (draws the back-pressure).
    void drive(uint64_t now, Rng &rng) {
        held.resize(banks.size());
        responding.resize(banks.size());
        for (size_t i = 0; i < banks.size(); ++i) {
            Bank &b = banks[i];
            held[i] = rng.chance(waitProbability);
            bool due = !b.responses.empty() && b.responses.front().ready <= now;
            responding[i] = due && !rng.chance(waitProbability / 2);
            io.set1(b.waitrequest, held[i] ? 1 : 0);
            io.set1(b.readdatavalid, responding[i] ? 1 : 0);
            // Without valid data the bus carries junk, which the core must ignore.
            trit_sim_set(io.sim, b.readdata.index, responding[i] ? b.responses.front().data.data() : idle.data());
        }
    }

    // Takes the commands the settled model presents in cycle `now`.
    void observe(uint64_t now) {
        for (size_t i = 0; i < banks.size(); ++i) {
            Bank &b = banks[i];
            bool rd = io.get1(b.read), wr = io.get1(b.write);
            if (rd && wr) fail(name(b) + ": read and write asserted together");
            if ((rd || wr) && held[i]) ++b.heldCycles;
            if (rd && !held[i]) acceptRead(b, now);
            if (wr && !held[i]) acceptWrite(b);
            if (responding[i]) { b.responses.pop_front(); ++b.readBeats; }
        }
    }

    bool quiet() const {
        for (const Bank &b : banks) {
            if (!b.responses.empty() || b.writeRemaining != 0) return false;
        }
        return true;
    }

  private:
    PortIO io;
    int bankCount, beatBytes, beatWords, latency;
    double waitProbability;
    std::vector<uint32_t> scratch, idle;
    std::vector<char> held, responding;

    static std::string name(const Bank &b) { return "bank " + std::to_string(b.number); }

    static uint64_t limit(const Bank &b) { return b.address.width >= 64 ? ~uint64_t(0) : uint64_t(1) << b.address.width; }

    void acceptRead(Bank &b, uint64_t now) {
        if (b.writeRemaining != 0) {
            fail(name(b) + ": read command in the middle of a write burst (" + std::to_string(b.writeRemaining) + " beats left)");
            return;
        }
        uint64_t address = io.get64(b.address), n = io.get64(b.burstcount);
        if (n == 0) { fail(name(b) + ": read with burstcount 0"); return; }
        if (address + n > limit(b)) { fail(name(b) + ": read burst past the end of the bank"); return; }
        ++b.readCommands;
        for (uint64_t k = 0; k < n; ++k) {
            PendingBeat beat;
            beat.ready = now + latency + k;
            beat.data.assign(beatWords, 0);
            uint64_t line = (address + k) * bankCount + b.number;
            memory.read(line * beatBytes, reinterpret_cast<uint8_t *>(beat.data.data()), beatBytes);
            b.responses.push_back(std::move(beat));
        }
    }

    void acceptWrite(Bank &b) {
        if (b.writeRemaining == 0) {
            uint64_t n = io.get64(b.burstcount);
            if (n == 0) { fail(name(b) + ": write with burstcount 0"); return; }
            b.writeAddress = io.get64(b.address);
            b.writeRemaining = n;
            if (b.writeAddress + n > limit(b)) { fail(name(b) + ": write burst past the end of the bank"); return; }
        }
        trit_sim_get(io.sim, b.writedata.index, scratch.data());
        uint32_t enables[4] = {0, 0, 0, 0}; // up to 128 byte lanes
        trit_sim_get(io.sim, b.byteenable.index, enables);
        uint64_t line = b.writeAddress * bankCount + b.number;
        memory.writeMasked(line * beatBytes, reinterpret_cast<const uint8_t *>(scratch.data()),
                           reinterpret_cast<const uint8_t *>(enables), beatBytes);
        ++b.writeAddress;
        --b.writeRemaining;
        ++b.writeBeats;
    }
};

} // namespace trit_sim
