// A simulated Trit card behind the OPAE C API: the subset of libopae-c that
// a host program (Sources/OPAE) calls, over the Verilated `TritAfu`, so the
// same host code that drives a D5005 runs against simulated hardware.
// `SimCard.SimulatedCard.build` compiles this file after the generated
// harness into `libopae-c.so`; docs/host.md ("The simulated card") says
// what it models and its settings.
//
// One accelerator is enumerated; its GUID is the AFU UUID the model's
// AFU_ID registers report (read once from a model instance). Each fpgaOpen
// makes a fresh instance (power-up, reset, empty banks). A handle is driven
// from one thread at a time (calls on it are serialized by a lock).

#include "trit_simcard_card.h"

#include <cstdlib>
#include <mutex>

typedef int fpga_result;
enum : fpga_result {
    FPGA_OK = 0, FPGA_INVALID_PARAM = 1, FPGA_BUSY = 2, FPGA_EXCEPTION = 3, FPGA_NOT_FOUND = 4, FPGA_NO_MEMORY = 5,
    FPGA_NOT_SUPPORTED = 6,
};

namespace trit_simcard {

enum : int { accelerator = 1 };                 // FPGA_ACCELERATOR
enum : int { preallocated = 1 };                // FPGA_BUF_PREALLOCATED
static const uint64_t page = 4096;
static const uint64_t firstIOAddress = 1 << 16; // IO address 0 is never a buffer

struct Properties {
    uint32_t magic = 0x50524F50; // "PROP"
    int objectType = -1;         // -1: any
    bool hasGUID = false;
    uint8_t guid[16] = {};
};

struct Token {
    uint32_t magic = 0x544F4B4E; // "TOKN"
};

struct Handle {
    std::mutex lock;
    Card *card;
    uint64_t nextIO = firstIOAddress;
    uint64_t nextWorkspace = 1;
};

// A fresh model instance bound as a card, or null (reason on stderr).
static Handle *makeHandle(const Settings &settings) {
    void *sim = trit_sim_create();
    int banks = BankModel::countBanks();
    // The host channel's beat, and the banks' (wider when the AFU holds a width adapter).
    int hostPort = PortFinder::find("host_rd_readdata"), bankPort = PortFinder::find("mem0_readdata");
    int hostBits = hostPort < 0 ? 0 : trit_port_widths[hostPort];
    int bankBits = bankPort < 0 ? 0 : trit_port_widths[bankPort];
    Card *card = new Card(sim, settings, banks, hostBits, bankBits);
    std::string error;
    if (banks < 1 || hostBits < 64 || hostBits % 32 != 0 || bankBits < hostBits || bankBits % hostBits != 0 ||
        !card->bind(error)) {
        std::fprintf(stderr, "trit simulated card: the model is not a Trit AFU: %s\n", error.c_str());
        delete card;
        return nullptr;
    }
    card->reset();
    // The host channel's longest burst: DMA CONFIGURATION (register 0x100 / 8 + 10), bits 23:16, in
    // the DMA's beats (bits 15:0 bytes each), as many channel beats as a DMA beat holds.
    uint64_t configuration = card->mmioRead(42);
    card->host.setMaxBurst(int((configuration >> 16) & 0xFF) * int(configuration & 0xFFFF) / (hostBits / 8));
    Handle *h = new Handle;
    h->card = card;
    return h;
}

// The AFU UUID in string byte order, from AFU_ID_H (register 2) and AFU_ID_L (1).
static const uint8_t *afuGUID() {
    static std::mutex lock;
    static bool known = false;
    static uint8_t guid[16];
    std::lock_guard<std::mutex> guard(lock);
    if (known) return guid;
    Settings quiet;
    Handle *h = makeHandle(quiet);
    if (!h) return nullptr;
    uint64_t halves[2] = {h->card->mmioRead(2), h->card->mmioRead(1)};
    for (int i = 0; i < 16; ++i) guid[i] = uint8_t(halves[i / 8] >> (8 * (7 - i % 8)));
    delete h->card;
    delete h;
    known = true;
    return guid;
}

static bool matches(const Properties *p, const uint8_t *guid) {
    if (!p || p->magic != Properties().magic) return false;
    if (p->objectType != -1 && p->objectType != accelerator) return false;
    return !p->hasGUID || std::memcmp(p->guid, guid, 16) == 0;
}

static Handle *handleOf(void *p) {
    Handle *h = static_cast<Handle *>(p);
    return h && h->card && h->card->magic == Card::magicValue ? h : nullptr;
}

static Buffer *bufferOf(Handle *h, uint64_t wsid) {
    for (Buffer &b : h->card->host.buffers) if (b.wsid == wsid) return &b;
    return nullptr;
}

static fpga_result prepare(Handle *h, uint64_t length, void **address, uint64_t *wsid, int flags) {
    if (!address || !wsid || length == 0 || (flags & preallocated && !*address)) return FPGA_INVALID_PARAM;
    uint64_t rounded = (length + page - 1) / page * page;
    uint64_t io = h->nextIO;
    if (io + rounded > h->card->host.addressSpace()) return FPGA_NO_MEMORY;
    Buffer b;
    b.owned = !(flags & preallocated);
    b.bytes = b.owned ? static_cast<uint8_t *>(std::aligned_alloc(page, rounded)) : static_cast<uint8_t *>(*address);
    if (!b.bytes) return FPGA_NO_MEMORY;
    if (b.owned) std::memset(b.bytes, 0, rounded);
    b.wsid = h->nextWorkspace++;
    b.io = io;
    b.length = b.owned ? rounded : length;
    // A free page between buffers: a transfer running off one end is a bus error.
    h->nextIO = io + rounded + page;
    h->card->host.buffers.push_back(b);
    *address = b.bytes;
    *wsid = b.wsid;
    return FPGA_OK;
}

} // namespace trit_simcard

using namespace trit_simcard;

#define WITH_HANDLE(p)                                                  \
    Handle *h = handleOf(p);                                            \
    if (!h) return FPGA_INVALID_PARAM;                                  \
    std::lock_guard<std::mutex> guard(h->lock);                         \
    if (h->card->takeError()) return FPGA_EXCEPTION

TRIT_API fpga_result fpgaGetProperties(void *token, void **properties) {
    if (!properties) return FPGA_INVALID_PARAM;
    Properties *p = new Properties;
    if (token) {
        const uint8_t *guid = afuGUID();
        if (!guid) { delete p; return FPGA_EXCEPTION; }
        p->objectType = accelerator;
        p->hasGUID = true;
        std::memcpy(p->guid, guid, 16);
    }
    *properties = p;
    return FPGA_OK;
}

TRIT_API fpga_result fpgaPropertiesSetObjectType(void *properties, int type) {
    Properties *p = static_cast<Properties *>(properties);
    if (!p || p->magic != Properties().magic) return FPGA_INVALID_PARAM;
    p->objectType = type;
    return FPGA_OK;
}

TRIT_API fpga_result fpgaPropertiesSetGUID(void *properties, uint8_t *guid) {
    Properties *p = static_cast<Properties *>(properties);
    if (!p || p->magic != Properties().magic || !guid) return FPGA_INVALID_PARAM;
    std::memcpy(p->guid, guid, 16);
    p->hasGUID = true;
    return FPGA_OK;
}

TRIT_API fpga_result fpgaDestroyProperties(void **properties) {
    if (!properties || !*properties) return FPGA_INVALID_PARAM;
    delete static_cast<Properties *>(*properties);
    *properties = nullptr;
    return FPGA_OK;
}

TRIT_API fpga_result fpgaEnumerate(void *const *filters, uint32_t count, void **tokens, uint32_t maxTokens,
                                   uint32_t *found) {
    if (!found || (count > 0 && !filters) || (maxTokens > 0 && !tokens)) return FPGA_INVALID_PARAM;
    const uint8_t *guid = afuGUID();
    if (!guid) return FPGA_EXCEPTION;
    bool match = count == 0;
    for (uint32_t i = 0; i < count && !match; ++i) match = matches(static_cast<const Properties *>(filters[i]), guid);
    // TRIT_SIMCARD_CARDS accelerators (1 to 16, default 1); each fpgaOpen is a fresh card.
    uint32_t cards = 1;
    if (const char *v = std::getenv("TRIT_SIMCARD_CARDS")) {
        char *end = nullptr;
        unsigned long n = std::strtoul(v, &end, 10);
        if (!*v || *end || n < 1 || n > 16) {
            std::fprintf(stderr, "trit simulated card: TRIT_SIMCARD_CARDS must be 1 to 16, got '%s'\n", v);
            return FPGA_INVALID_PARAM;
        }
        cards = static_cast<uint32_t>(n);
    }
    *found = match ? cards : 0;
    for (uint32_t k = 0; match && k < cards && k < maxTokens; ++k) tokens[k] = new Token;
    return FPGA_OK;
}

TRIT_API fpga_result fpgaDestroyToken(void **token) {
    if (!token || !*token || static_cast<Token *>(*token)->magic != Token().magic) return FPGA_INVALID_PARAM;
    delete static_cast<Token *>(*token);
    *token = nullptr;
    return FPGA_OK;
}

TRIT_API fpga_result fpgaOpen(void *token, void **handle, int flags) {
    (void)flags;
    if (!token || !handle || static_cast<Token *>(token)->magic != Token().magic) return FPGA_INVALID_PARAM;
    Settings settings;
    std::string error;
    if (!settings.load(error)) {
        std::fprintf(stderr, "trit simulated card: %s\n", error.c_str());
        return FPGA_INVALID_PARAM;
    }
    Handle *h = makeHandle(settings);
    if (!h) return FPGA_EXCEPTION;
    *handle = h;
    return FPGA_OK;
}

TRIT_API fpga_result fpgaClose(void *handle) {
    Handle *h = handleOf(handle);
    if (!h) return FPGA_INVALID_PARAM;
    h->card->magic = 0;
    delete h->card;
    delete h;
    return FPGA_OK;
}

TRIT_API fpga_result fpgaReset(void *handle) {
    Handle *h = handleOf(handle);
    if (!h) return FPGA_INVALID_PARAM;
    std::lock_guard<std::mutex> guard(h->lock);
    h->card->reset();
    return FPGA_OK;
}

TRIT_API fpga_result fpgaMapMMIO(void *handle, uint32_t region, uint64_t **address) {
    WITH_HANDLE(handle);
    if (region != 0) return FPGA_INVALID_PARAM;
    // Registers are ports of a model, not memory: no pointer to give.
    return address ? FPGA_NOT_SUPPORTED : FPGA_OK;
}

TRIT_API fpga_result fpgaReadMMIO64(void *handle, uint32_t region, uint64_t offset, uint64_t *value) {
    WITH_HANDLE(handle);
    if (region != 0 || !value || offset % 8 != 0 || offset / 8 >= h->card->registerCount()) return FPGA_INVALID_PARAM;
    *value = h->card->mmioRead(offset / 8);
    return FPGA_OK;
}

TRIT_API fpga_result fpgaWriteMMIO64(void *handle, uint32_t region, uint64_t offset, uint64_t value) {
    WITH_HANDLE(handle);
    if (region != 0 || offset % 8 != 0 || offset / 8 >= h->card->registerCount()) return FPGA_INVALID_PARAM;
    h->card->mmioWrite(offset / 8, value);
    return FPGA_OK;
}

TRIT_API fpga_result fpgaPrepareBuffer(void *handle, uint64_t length, void **address, uint64_t *wsid, int flags) {
    WITH_HANDLE(handle);
    return prepare(h, length, address, wsid, flags);
}

TRIT_API fpga_result fpgaGetIOAddress(void *handle, uint64_t wsid, uint64_t *io) {
    WITH_HANDLE(handle);
    Buffer *b = bufferOf(h, wsid);
    if (!io) return FPGA_INVALID_PARAM;
    if (!b) return FPGA_NOT_FOUND;
    *io = b->io;
    return FPGA_OK;
}

TRIT_API fpga_result fpgaReleaseBuffer(void *handle, uint64_t wsid) {
    WITH_HANDLE(handle);
    std::vector<Buffer> &all = h->card->host.buffers;
    for (size_t i = 0; i < all.size(); ++i) {
        if (all[i].wsid != wsid) continue;
        if (all[i].owned) std::free(all[i].bytes);
        all.erase(all.begin() + long(i));
        return FPGA_OK;
    }
    return FPGA_NOT_FOUND;
}

TRIT_API const char *fpgaErrStr(fpga_result e) {
    static const char *const names[] = {"success", "invalid parameter", "resource busy", "exception",
                                        "not found", "no memory", "not supported"};
    return e >= 0 && e <= FPGA_NOT_SUPPORTED ? names[e] : "unknown error";
}
