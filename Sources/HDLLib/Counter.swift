import HDL

/// A free-running counter with enable and synchronous clear; wraps at 2^width.
public struct Counter: Module {
    public let width: Int
    public init(width: Int) { self.width = width }
    public var parameters: [Parameter] { [Parameter("W", width)] }

    public func build(_ m: ModuleBuilder) {
        let enable = m.input("enable", .bool)
        let clear = m.input("clear", .bool)
        let count = m.output("count", .uint(width))
        let value = m.reg("value", .uint(width), reset: 0)
        m.when(clear) {
            value.set(0)
        }.elseWhen(enable) {
            value.set(value + 1)
        }
        count.set(value)
    }
}
