import ArgumentParser
import ISA

/// `--packing 2bit|1.6bit`: the ternary weights' format, by the names
/// people use (2 bits per trit, or 5 trits per byte in base 3).
enum PackingChoice: String, ExpressibleByArgument, CaseIterable {
    case twoBit = "2bit"
    case base3 = "1.6bit"

    var packing: WeightPacking { self == .twoBit ? .twoBit : .base3 }

    static let help = ArgumentHelp(
        "Weight packing: 2bit (tmatmul, 2 bits per trit) or 1.6bit (tmatmul.b3, 5 trits per byte in base 3, 20 % smaller).")
}
