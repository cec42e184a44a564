import HDL

/// A two-entry queue whose outputs all come straight from registers: a
/// register slice that cuts every combinational path through it, at full
/// rate (a word in and a word out every cycle).
///
/// Handshakes as `FIFO` (`in_valid`/`in_ready`, show-ahead
/// `out_valid`/`out_data`/`out_ready`). Why two entries: `in_ready` is the
/// registered "second entry free", so it cannot depend on `out_ready` in
/// the same cycle; the second entry catches the word accepted in the cycle
/// the consumer stalls. `clear` empties it at the clock edge (a flush).
public struct SkidBuffer: Module {
    public let width: Int

    public init(width: Int) {
        self.width = width
    }

    public var parameters: [Parameter] { [Parameter("W", width)] }

    public func build(_ m: ModuleBuilder) {
        guard m.require(width >= 1, "skid buffer width must be at least 1, got \(width)") else { return }
        let inValid = m.input("in_valid", .bool)
        let inData = m.input("in_data", .uint(width))
        let inReady = m.output("in_ready", .bool)
        let outValid = m.output("out_valid", .bool)
        let outData = m.output("out_data", .uint(width))
        let outReady = m.input("out_ready", .bool)
        let clear = m.input("clear", .bool)

        // `main` is the oldest word; `spare` holds a second only while main is stuck.
        let mainValid = m.reg("main_valid", .bool, reset: false)
        let main = m.reg("main", .uint(width))
        let spareValid = m.reg("spare_valid", .bool, reset: false)
        let spare = m.reg("spare", .uint(width))
        let push = m.wire("push", inValid && !spareValid)
        let pop = m.wire("pop", outReady && mainValid)

        m.when(clear) {
            mainValid.set(false)
            spareValid.set(false)
        }.elseWhen(spareValid) {
            m.when(pop) {
                main.set(spare)
                spareValid.set(false)
            }
        }.elseWhen(push && (!mainValid || pop)) {
            main.set(inData)
            mainValid.set(true)
        }.elseWhen(push) {
            spare.set(inData)
            spareValid.set(true)
        }.elseWhen(pop) {
            mainValid.set(false)
        }

        inReady.set(!spareValid)
        outValid.set(mainValid)
        outData.set(main)
    }
}
