import Foundation

/// libopae-c, loaded at run time (dlopen), so `trit` builds and runs where
/// OPAE is not installed and says what is missing only when a card is
/// asked for. The functions are the OPAE C API's, with its types:
/// `fpga_token`, `fpga_handle` and `fpga_properties` are opaque pointers,
/// `fpga_result` an int (0 is FPGA_OK), `fpga_guid` 16 bytes.
public final class OPAELibrary {
    typealias Result = Int32
    typealias Opaque = UnsafeMutableRawPointer

    let getProperties: @convention(c) (Opaque?, UnsafeMutablePointer<Opaque?>) -> Result
    let setObjectType: @convention(c) (Opaque?, Int32) -> Result
    let setGUID: @convention(c) (Opaque?, UnsafeMutablePointer<UInt8>) -> Result
    let destroyProperties: @convention(c) (UnsafeMutablePointer<Opaque?>) -> Result
    let enumerate: @convention(c) (UnsafePointer<Opaque?>, UInt32, UnsafeMutablePointer<Opaque?>?, UInt32, UnsafeMutablePointer<UInt32>) -> Result
    let destroyToken: @convention(c) (UnsafeMutablePointer<Opaque?>) -> Result
    let open: @convention(c) (Opaque?, UnsafeMutablePointer<Opaque?>, Int32) -> Result
    let close: @convention(c) (Opaque?) -> Result
    let reset: @convention(c) (Opaque?) -> Result
    let mapMMIO: @convention(c) (Opaque?, UInt32, UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>?) -> Result
    let readMMIO64: @convention(c) (Opaque?, UInt32, UInt64, UnsafeMutablePointer<UInt64>) -> Result
    let writeMMIO64: @convention(c) (Opaque?, UInt32, UInt64, UInt64) -> Result
    let prepareBuffer: @convention(c) (Opaque?, UInt64, UnsafeMutablePointer<UnsafeMutableRawPointer?>, UnsafeMutablePointer<UInt64>, Int32) -> Result
    let getIOAddress: @convention(c) (Opaque?, UInt64, UnsafeMutablePointer<UInt64>) -> Result
    let releaseBuffer: @convention(c) (Opaque?, UInt64) -> Result
    let errorString: (@convention(c) (Int32) -> UnsafePointer<CChar>?)?

    /// Where the library came from, for messages.
    public let path: String
    private let handle: UnsafeMutableRawPointer

    /// The names tried when no path is given, newest first.
    public static let defaultNames = ["libopae-c.so.2", "libopae-c.so.1", "libopae-c.so"]

    /// Loads `path`, or the first of `defaultNames` the dynamic loader finds.
    public init(path: String? = nil) throws {
        var tried: [String] = []
        var found: (UnsafeMutableRawPointer, String)?
        for name in path.map({ [$0] }) ?? Self.defaultNames {
            if let h = dlopen(name, RTLD_NOW | RTLD_LOCAL) { found = (h, name); break }
            tried.append("\(name): " + (dlerror().map { String(cString: $0) } ?? "not found"))
        }
        guard let (h, name) = found else {
            throw OPAEError("libopae-c could not be loaded (" + tried.joined(separator: "; ") + "). Install the OPAE SDK, "
                            + "or give --opae-library PATH (a simulated card: `trit sim-card`)")
        }
        handle = h
        self.path = name
        var missing: [String] = []
        func symbol<T>(_ name: String, as: T.Type) -> T? {
            guard let p = dlsym(h, name) else { missing.append(name); return nil }
            return unsafeBitCast(p, to: T.self)
        }
        let gp = symbol("fpgaGetProperties", as: type(of: getProperties))
        let so = symbol("fpgaPropertiesSetObjectType", as: type(of: setObjectType))
        let sg = symbol("fpgaPropertiesSetGUID", as: type(of: setGUID))
        let dp = symbol("fpgaDestroyProperties", as: type(of: destroyProperties))
        let en = symbol("fpgaEnumerate", as: type(of: enumerate))
        let dt = symbol("fpgaDestroyToken", as: type(of: destroyToken))
        let op = symbol("fpgaOpen", as: type(of: open))
        let cl = symbol("fpgaClose", as: type(of: close))
        let rs = symbol("fpgaReset", as: type(of: reset))
        let mm = symbol("fpgaMapMMIO", as: type(of: mapMMIO))
        let rd = symbol("fpgaReadMMIO64", as: type(of: readMMIO64))
        let wr = symbol("fpgaWriteMMIO64", as: type(of: writeMMIO64))
        let pb = symbol("fpgaPrepareBuffer", as: type(of: prepareBuffer))
        let io = symbol("fpgaGetIOAddress", as: type(of: getIOAddress))
        let rb = symbol("fpgaReleaseBuffer", as: type(of: releaseBuffer))
        guard missing.isEmpty, let gp, let so, let sg, let dp, let en, let dt, let op, let cl, let rs, let mm, let rd, let wr,
              let pb, let io, let rb else {
            dlclose(h)
            throw OPAEError("\(name) lacks \(missing.joined(separator: ", ")): not a libopae-c")
        }
        (getProperties, setObjectType, setGUID, destroyProperties, enumerate, destroyToken) = (gp, so, sg, dp, en, dt)
        (open, close, reset, mapMMIO, readMMIO64, writeMMIO64) = (op, cl, rs, mm, rd, wr)
        (prepareBuffer, getIOAddress, releaseBuffer) = (pb, io, rb)
        errorString = dlsym(h, "fpgaErrStr").map { unsafeBitCast($0, to: (@convention(c) (Int32) -> UnsafePointer<CChar>?).self) }
    }

    deinit { dlclose(handle) }

    /// Throws unless `result` is FPGA_OK, naming the call and OPAE's reason.
    func check(_ result: Result, _ call: String) throws {
        guard result != 0 else { return }
        let reason = errorString?(result).map { String(cString: $0) } ?? "fpga_result \(result)"
        throw OPAEError("\(call) failed: \(reason)")
    }
}

/// A card or its library failed: what, and what to do.
public struct OPAEError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
