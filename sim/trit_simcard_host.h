// Host memory as the simulated card's DMA sees it: the prepared buffers
// (fpgaPrepareBuffer) behind the AFU's host channel, the split read/write
// Avalon-MM master `host_rd_*` / `host_wr_*` (beat addresses; a beat is the
// core's data width).
//
// Reads: bursts answered in order, the first beat `latency` cycles after
// the command is accepted, at most a beat per cycle, with the data as of
// acceptance. Writes: a beat per accepted cycle, with byte enables; one
// write response per burst, `latency / 2` cycles after its last beat.
// Back-pressure: each cycle each channel raises waitrequest with the
// configured probability, and a due read beat is withheld with half of it.
// A burst reaching outside every prepared buffer is a bus error (reported
// through `busError`; its beats read as zero and its writes are dropped);
// a burst of 0 beats, longer than the maximum or crossing a multiple of it
// breaks the protocol (`fail`).

#pragma once

#include "trit_sim_models.h"

#include <cstdio>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace trit_simcard {

using trit_sim::PendingBeat;
using trit_sim::Port;
using trit_sim::PortFinder;
using trit_sim::PortIO;
using trit_sim::Rng;

// A prepared buffer: host bytes and the IO range the card reaches them at.
struct Buffer {
    uint64_t wsid = 0;
    uint64_t io = 0;
    uint64_t length = 0;
    uint8_t *bytes = nullptr;
    bool owned = false; // allocated here (freed at release) or preallocated by the caller
};

class HostChannel {
  public:
    std::vector<Buffer> buffers;
    std::function<void(const std::string &)> busError;
    std::function<void(const std::string &)> fail;
    // Statistics.
    uint64_t readBursts = 0, readBeats = 0, writeBursts = 0, writeBeats = 0, heldCycles = 0, busErrors = 0;

    HostChannel(PortIO io, int dataBits, int latency, double waitProbability)
        : io(io), beatBytes(dataBits / 8), beatWords(dataBits / 32), latency(latency < 1 ? 1 : latency),
          waitProbability(waitProbability) {
        scratch.assign(beatWords + 2, 0);
        idle.assign(beatWords, 0xDEADBEEFu);
    }

    bool bind(PortFinder &port) {
        int bits = beatBytes * 8;
        rdAddress = port("host_rd_address", 0);
        rdRead = port("host_rd_read", 1);
        rdBurst = port("host_rd_burstcount", 0);
        rdWait = port("host_rd_waitrequest", 1);
        rdData = port("host_rd_readdata", bits);
        rdValid = port("host_rd_readdatavalid", 1);
        wrAddress = port("host_wr_address", 0);
        wrWrite = port("host_wr_write", 1);
        wrBurst = port("host_wr_burstcount", 0);
        wrData = port("host_wr_writedata", bits);
        wrEnable = port("host_wr_byteenable", beatBytes);
        wrWait = port("host_wr_waitrequest", 1);
        wrResponse = port("host_wr_writeresponsevalid", 1);
        return port.error.empty();
    }

    // Bytes of the host address space the channel can reach.
    uint64_t addressSpace() const {
        return rdAddress.width >= 58 ? ~uint64_t(0) : (uint64_t(1) << rdAddress.width) * uint64_t(beatBytes);
    }

    void setMaxBurst(uint64_t n) { maxBurst = n; }

    void reset() {
        reads.clear();
        responses.clear();
        burstLeft = 0;
    }

    bool quiet() const { return reads.empty() && responses.empty() && burstLeft == 0; }

    void drive(uint64_t now, Rng &rng) {
        rdHeld = rng.chance(waitProbability);
        wrHeld = rng.chance(waitProbability);
        io.set1(rdWait, rdHeld);
        io.set1(wrWait, wrHeld);
        bool due = !reads.empty() && reads.front().ready <= now;
        presenting = due && !rng.chance(waitProbability / 2);
        io.set1(rdValid, presenting);
        trit_sim_set(io.sim, rdData.index, presenting ? reads.front().data.data() : idle.data());
        answering = !responses.empty() && responses.front() <= now;
        io.set1(wrResponse, answering);
    }

    void observe(uint64_t now) {
        if (presenting) { reads.pop_front(); ++readBeats; }
        if (answering) responses.pop_front();
        bool rd = io.get1(rdRead), wr = io.get1(wrWrite);
        if (rd && rdHeld) ++heldCycles;
        if (wr && wrHeld) ++heldCycles;
        if (rd && !rdHeld) acceptRead(now);
        if (wr && !wrHeld) acceptWrite(now);
    }

  private:
    PortIO io;
    int beatBytes, beatWords, latency;
    double waitProbability;
    uint64_t maxBurst = 64;
    Port rdAddress, rdRead, rdBurst, rdWait, rdData, rdValid;
    Port wrAddress, wrWrite, wrBurst, wrData, wrEnable, wrWait, wrResponse;
    std::vector<uint32_t> scratch, idle;
    std::deque<PendingBeat> reads;
    std::deque<uint64_t> responses;
    uint64_t burstLine = 0, burstLeft = 0;
    bool burstInside = true;
    bool rdHeld = false, wrHeld = false, presenting = false, answering = false;

    // The buffer holding bytes [address, address + length), or null.
    uint8_t *find(uint64_t address, uint64_t length) {
        for (Buffer &b : buffers) {
            if (address >= b.io && address + length <= b.io + b.length) return b.bytes + (address - b.io);
        }
        return nullptr;
    }

    static std::string hex(uint64_t v) {
        char text[32];
        std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(v));
        return text;
    }

    // Checks a burst's shape and range; false (after reporting) when it reaches outside every buffer.
    bool checkBurst(const char *kind, uint64_t line, uint64_t n) {
        if (n == 0 || n > maxBurst || line / maxBurst != (line + n - 1) / maxBurst) {
            fail(std::string("host ") + kind + " burst of " + std::to_string(n) + " beats at beat " + std::to_string(line)
                 + " (the maximum is " + std::to_string(maxBurst) + ", never crossing a multiple of it)");
        }
        uint64_t address = line * uint64_t(beatBytes), length = n * uint64_t(beatBytes);
        if (find(address, length)) return true;
        ++busErrors;
        busError(std::string("the DMA ") + (kind[0] == 'r' ? "read" : "wrote") + " host IO addresses " + hex(address) + " ... "
                 + hex(address + length - 1) + ", outside every prepared buffer");
        return false;
    }

    void acceptRead(uint64_t now) {
        uint64_t line = io.get64(rdAddress), n = io.get64(rdBurst);
        ++readBursts;
        bool inside = checkBurst("read", line, n);
        for (uint64_t k = 0; k < n; ++k) {
            PendingBeat beat;
            beat.ready = now + latency + k;
            beat.data.assign(beatWords, 0);
            uint8_t *source = inside ? find((line + k) * beatBytes, beatBytes) : nullptr;
            if (source) std::memcpy(beat.data.data(), source, beatBytes);
            reads.push_back(std::move(beat));
        }
    }

    void acceptWrite(uint64_t now) {
        if (burstLeft == 0) {
            burstLine = io.get64(wrAddress);
            burstLeft = io.get64(wrBurst);
            ++writeBursts;
            burstInside = checkBurst("write", burstLine, burstLeft);
            if (burstLeft == 0) return;
        }
        trit_sim_get(io.sim, wrData.index, scratch.data());
        uint32_t enables[4] = {0, 0, 0, 0}; // up to 128 byte lanes
        trit_sim_get(io.sim, wrEnable.index, enables);
        uint8_t *target = burstInside ? find(burstLine * beatBytes, beatBytes) : nullptr;
        const uint8_t *data = reinterpret_cast<const uint8_t *>(scratch.data());
        const uint8_t *mask = reinterpret_cast<const uint8_t *>(enables);
        for (int i = 0; target && i < beatBytes; ++i) {
            if ((mask[i / 8] >> (i % 8)) & 1) target[i] = data[i];
        }
        ++writeBeats;
        ++burstLine;
        if (--burstLeft == 0) {
            uint64_t due = now + latency / 2;
            responses.push_back(responses.empty() ? due : std::max(due, responses.back() + 1));
        }
    }
};

} // namespace trit_simcard
