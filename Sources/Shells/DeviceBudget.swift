/// The resources of a board's FPGA, for checking what a core uses against.
public struct DeviceBudget: Sendable, Equatable {
    public let device: String
    public let alms: Int
    public let m20k: Int
    public let dsps: Int
}

extension Board {
    /// The board's device, or nil for a board that is no particular device.
    public var deviceBudget: DeviceBudget? {
        switch self {
        case .generic: return nil
        // The D5005's Stratix 10 SX 2800 (1SX280HN2F43E2VG).
        case .d5005: return DeviceBudget(device: "Stratix 10 SX 2800 (D5005)", alms: 933_120, m20k: 11_721, dsps: 5_760)
        }
    }
}
