/// Typed port groups between modules, in the spirit of Amaranth's
/// `lib.wiring`: a `Signature` names a group's members with their direction
/// and type, a module declares the group with `m.ports(signature)`, its
/// parent sees it on the instance with `instance.ports(signature)`, and
/// `m.connect(a, b)` wires two ends member by member after checking that
/// they fit.
///
///     struct Stream: Signature {
///         let valid = Member.out("valid", .bool)
///         let ready = Member.in("ready", .bool)
///         let data: Member
///         init(width: Int) { data = .out("data", .uint(width)) }
///     }
///     // In the producer: let out = m.ports(Stream(width: 8), prefix: "out_")
///     //                   out.valid.set(...)
///     // In the parent:    m.connect(producer.ports(Stream(width: 8), prefix: "out_"),
///     //                             consumer.ports(Stream(width: 8).flipped(), prefix: "in_"))

/// One member of a signature: the port's name (the group's prefix goes in
/// front), its direction as the module declaring the signature unflipped
/// sees it, and its type.
public struct Member: Hashable, Sendable, CustomStringConvertible {
    public enum Direction: Hashable, Sendable {
        case output, input

        public var flipped: Direction { self == .output ? .input : .output }
    }

    public let name: String
    public let direction: Direction
    public let type: HWType

    public init(_ name: String, _ direction: Direction, _ type: HWType) {
        self.name = name
        self.direction = direction
        self.type = type
    }

    /// A member the declaring module drives.
    public static func out(_ name: String, _ type: HWType) -> Member { Member(name, .output, type) }
    /// A member the declaring module reads.
    public static func `in`(_ name: String, _ type: HWType) -> Member { Member(name, .input, type) }

    public var flipped: Member { Member(name, direction.flipped, type) }

    public var description: String { "\(direction == .output ? "out" : "in") \(name): \(type)" }
}

/// A signature, or a signature seen from its other end (`flipped()`): what
/// `ports` and `CorePort`-style port lists accept.
public protocol OrientedSignature {
    associatedtype Base: Signature
    var base: Base { get }
    /// True when every member's direction is reversed.
    var isFlipped: Bool { get }
}

extension OrientedSignature {
    /// The members with their directions as this end sees them, in declaration order.
    public var members: [Member] { base.declaredMembers.map { isFlipped ? $0.flipped : $0 } }
}

/// The description of a port group: a struct whose stored properties of
/// type `Member` are the members, in declaration order. Parameters (widths)
/// go into its initializer. Members are read through key paths
/// (`interface.valid`), so a misspelt member or a group of another kind is
/// a Swift compile error.
public protocol Signature: OrientedSignature where Base == Self {}

extension Signature {
    public var base: Self { self }
    public var isFlipped: Bool { false }

    /// The name used in messages: the type's name.
    public static var signatureName: String { String(describing: Self.self) }

    /// The stored `Member` properties, in declaration order.
    var declaredMembers: [Member] { Mirror(reflecting: self).children.compactMap { $0.value as? Member } }

    /// The same signature seen from the other end: outputs become inputs and inputs outputs.
    public func flipped() -> Flipped<Self> { Flipped(self) }
}

/// A signature seen from its other end (`signature.flipped()`).
public struct Flipped<Base: Signature>: OrientedSignature {
    public let base: Base
    public var isFlipped: Bool { true }

    public init(_ base: Base) { self.base = base }

    /// Flipping twice gives the signature back.
    public func flipped() -> Base { base }
}

/// A port group as the module being built sees it: its own ports
/// (`m.ports`) or a child's (`instance.ports`). Members are signals:
/// `client.valid.set(...)`, `let ready = client.ready`.
@dynamicMemberLookup
public struct Interface<S: Signature> {
    /// One member at this end.
    struct End {
        /// The member, with its direction as seen here (flipped when the group is).
        let member: Member
        let portName: String
        let signal: Signal
        /// True when the signal is a source here (an own input or a child's
        /// output), false when it is driven here.
        let drives: Bool
        /// What is wrong with a child's port (missing, other direction or type), if anything.
        let problem: String?
    }

    public let signature: S
    public let isFlipped: Bool
    public let prefix: String
    /// This end in messages: "instance 'ls' (LoadStoreUnit_D512) at 'rq_'".
    public let owner: String
    let ends: [End]
    let builder: ModuleBuilder

    /// A member's signal.
    public subscript(dynamicMember member: KeyPath<S, Member>) -> Signal { self[member] }

    /// A member's signal (for members chosen at run time, e.g. from a table of key paths).
    public subscript(_ member: KeyPath<S, Member>) -> Signal {
        let name = signature[keyPath: member].name
        return ends.first { $0.member.name == name }!.signal
    }

    /// A member's port name, prefix included.
    public func portName(_ member: KeyPath<S, Member>) -> String { prefix + signature[keyPath: member].name }

    /// The members and their signals, in declaration order.
    public var signals: [(member: Member, signal: Signal)] { ends.map { ($0.member, $0.signal) } }
}

/// `prefix` as shown in messages.
private func atPrefix(_ prefix: String) -> String { prefix.isEmpty ? "" : " at '\(prefix)'" }

extension ModuleBuilder {
    /// Declares the members of `signature` as ports of this module, named
    /// `prefix + member`, in member order: `.out` members are outputs (of
    /// a flipped signature, inputs).
    public func ports<O: OrientedSignature>(_ signature: O, prefix: String = "",
                                            file: String = #fileID, line: Int = #line, column: Int = #column) -> Interface<O.Base> {
        ports(signature.base, flipped: signature.isFlipped, prefix: prefix, CodeLocation(file: file, line: line, column: column))
    }

    func ports<S: Signature>(_ signature: S, flipped: Bool, prefix: String, _ location: CodeLocation) -> Interface<S> {
        let ends = signature.declaredMembers.map { declared -> Interface<S>.End in
            let member = flipped ? declared.flipped : declared
            let name = prefix + member.name
            let isInput = member.direction == .input
            let decl = declarePort(name, member.type, isInput ? .input : .output, location)
            return .init(member: member, portName: name, signal: signal(decl), drives: isInput, problem: nil)
        }
        return Interface(signature: signature, isFlipped: flipped, prefix: prefix,
                         owner: "the ports of \(moduleName)\(atPrefix(prefix))", ends: ends, builder: self)
    }

    /// Declares ports like `child`'s (same signature, direction and, unless
    /// given, prefix) on this module and connects them to it: the child's
    /// group becomes a group of this module.
    @discardableResult
    public func forward<S>(_ child: Interface<S>, prefix: String? = nil,
                           file: String = #fileID, line: Int = #line, column: Int = #column) -> Interface<S> {
        let location = CodeLocation(file: file, line: line, column: column)
        let own = ports(child.signature, flipped: child.isFlipped, prefix: prefix ?? child.prefix, location)
        connect(own, child, at: location)
        return own
    }

    /// Connects two ends member by member: each member must exist at both
    /// ends with one type, driven at exactly one of them (a child's output
    /// or this module's input) and read at the other. Any mismatch is one
    /// error naming both ends and every member that does not fit, and then
    /// nothing is connected.
    public func connect<S>(_ a: Interface<S>, _ b: Interface<S>,
                           file: String = #fileID, line: Int = #line, column: Int = #column) {
        connect(a, b, at: CodeLocation(file: file, line: line, column: column))
    }

    func connect<S>(_ a: Interface<S>, _ b: Interface<S>, at location: CodeLocation) {
        guard a.builder === self, b.builder === self else {
            error("connect needs two port groups seen from this module (\(moduleName))", location)
            return
        }
        var problems: [String] = []
        if a.ends.map(\.member.name) != b.ends.map(\.member.name) {
            problems.append("their members differ: \(a.ends.map(\.member.name)) and \(b.ends.map(\.member.name))")
        } else {
            for (x, y) in zip(a.ends, b.ends) {
                let endProblems = [x.problem, y.problem].compactMap { $0 }
                problems += endProblems
                guard endProblems.isEmpty else { continue }
                if x.signal.type != y.signal.type {
                    problems.append("\(x.portName) is \(x.signal.type!) but \(y.portName) is \(y.signal.type!)")
                }
                if x.drives && y.drives {
                    problems.append("\(x.portName) and \(y.portName) are both driven (two outputs)")
                } else if !x.drives && !y.drives {
                    problems.append("nothing drives \(x.portName) or \(y.portName) (two inputs)")
                }
            }
        }
        guard problems.isEmpty else {
            error("cannot connect \(S.signatureName) \(a.owner) to \(b.owner): " + problems.joined(separator: "; "), location)
            // Reported once here: the undriven checks stay quiet about these ports.
            for end in a.ends + b.ends where !end.drives {
                if let decl = end.signal.referencedDecl { rejectedTargets.insert(ObjectIdentifier(decl)) }
            }
            return
        }
        for (x, y) in zip(a.ends, b.ends) {
            let (sink, source) = x.drives ? (y, x) : (x, y)
            assign(sink.signal, source.signal, location)
        }
    }
}

extension Instance {
    /// The child's port group described by `signature` at `prefix`, seen
    /// from the parent (the child's outputs drive, its inputs are driven).
    /// A port that is missing, or has another direction or type than the
    /// signature says, is reported by `connect` (or where its signal is used).
    public func ports<O: OrientedSignature>(_ signature: O, prefix: String = "") -> Interface<O.Base> {
        let owner = "instance '\(name)' (\(module.name))\(atPrefix(prefix))"
        let ends = signature.members.map { member -> Interface<O.Base>.End in
            let portName = prefix + member.name
            let shown = "\(name).\(portName)"
            guard let c = connections.first(where: { $0.port.name == portName }) else {
                let message = "\(module.name) has no port '\(portName)' (member \(member.name) of \(O.Base.signatureName))"
                return .init(member: member, portName: shown, signal: Signal(Expr(.invalid(message), member.type), builder: builder),
                             drives: member.direction == .output, problem: "\(shown) does not exist")
            }
            let isOutput = c.port.isOutputPort
            var problem: String?
            if isOutput != (member.direction == .output) {
                problem = "\(shown) is an \(isOutput ? "output" : "input") where \(O.Base.signatureName) has an \(isOutput ? "input" : "output")"
            } else if c.port.type != member.type {
                problem = "\(shown) is \(c.port.type) where \(O.Base.signatureName) says \(member.type)"
            }
            return .init(member: member, portName: shown, signal: builder.signal(c.parent), drives: isOutput, problem: problem)
        }
        return Interface(signature: signature.base, isFlipped: signature.isFlipped, prefix: prefix,
                         owner: owner, ends: ends, builder: builder)
    }
}

extension Signal {
    /// The declaration this signal names, when it is a plain reference.
    var referencedDecl: SignalDecl? {
        if case .expr(let e) = storage, case .ref(let r) = e.op { return r.decl }
        return nil
    }
}
