import TritJSON

/// Reading and writing the `config.json` of a checkpoint directory.
extension ModelConfig {
    /// Parses a config.json, refusing variants of the architecture the
    /// toolchain does not implement, with the offending field named.
    public static func parse(_ bytes: [UInt8], file: String) throws -> ModelConfig {
        func bad(_ problem: String) -> CheckpointError { CheckpointError(file: file, problem: problem) }
        let json: JSON
        do { json = try JSON.parse(bytes, duplicateKeys: .reject) } catch { throw bad("not valid JSON: \(error)") }
        guard case .object(let o) = json else { throw bad("not a JSON object") }

        guard case .string(let type)? = o["model_type"] else { throw bad("model_type is missing (expected \"hgrn_bit\")") }
        guard type == "hgrn_bit" else { throw bad("model_type is \"\(type)\", expected \"hgrn_bit\"") }

        func positive(_ key: String) throws -> Int {
            guard let v = o[key], v != .null else { throw bad("\(key) is missing") }
            guard let i = v.intValue, i > 0 else { throw bad("\(key) must be a positive integer, found \(v.serialized)") }
            return i
        }
        func optionalInt(_ key: String, default d: Int) throws -> Int {
            guard let v = o[key], v != .null else { return d }
            guard let i = v.intValue else { throw bad("\(key) must be an integer, found \(v.serialized)") }
            return i
        }
        func optionalBool(_ key: String, default d: Bool) throws -> Bool {
            guard let v = o[key], v != .null else { return d }
            guard case .bool(let b) = v else { throw bad("\(key) must be true or false, found \(v.serialized)") }
            return b
        }

        let d = try positive("hidden_size")
        let layers = try positive("num_hidden_layers")
        let vocab = try positive("vocab_size")
        let ratio = try optionalInt("hidden_ratio", default: 4)
        guard ratio > 0 else { throw bad("hidden_ratio must be positive, found \(ratio)") }
        let intermediate = o["intermediate_size"].flatMap { $0 == .null ? nil : $0 } == nil
            ? defaultIntermediateSize(hiddenSize: d, hiddenRatio: ratio) : try positive("intermediate_size")

        var eps = 1e-6
        if let v = o["rms_norm_eps"], v != .null {
            guard let e = v.doubleValue, e > 0, e.isFinite else { throw bad("rms_norm_eps must be a positive number, found \(v.serialized)") }
            eps = e
        }
        let lowerBound = try optionalBool("use_lower_bound", default: true)
        let positions = try o["max_position_embeddings"].flatMap { $0 == .null ? nil : $0 }.map { _ in try positive("max_position_embeddings") }

        if try optionalBool("use_short_conv", default: false) {
            throw bad("use_short_conv is true: the short convolution variant is not supported")
        }
        let heads = try optionalInt("num_heads", default: 1)
        guard heads == 1 else { throw bad("num_heads is \(heads): only single-head models (num_heads 1) are supported") }
        let expand = try optionalInt("expand_ratio", default: 1)
        guard expand == 1 else { throw bad("expand_ratio is \(expand): only expand_ratio 1 is supported") }
        if try optionalBool("tie_word_embeddings", default: false) {
            throw bad("tie_word_embeddings is true: tied embeddings are not supported (lm_head.weight must be its own tensor)")
        }
        return ModelConfig(hiddenSize: d, intermediateSize: intermediate, layers: layers, vocabSize: vocab,
                           rmsNormEps: eps, useLowerBound: lowerBound, maxPositions: positions)
    }

    /// The config.json of the published checkpoints, for this shape.
    public var configJSON: JSON {
        var fields: JSONObject = [
            "architectures": .array([.string("HGRNBitForCausalLM")]),
            "model_type": .string("hgrn_bit"),
            "hidden_size": .int(hiddenSize),
            "num_hidden_layers": .int(layers),
            "intermediate_size": .int(intermediateSize),
            "vocab_size": .int(vocabSize),
            "rms_norm_eps": .double(rmsNormEps),
            "use_lower_bound": .bool(useLowerBound),
            "num_heads": .int(1),
            "expand_ratio": .int(1),
            "hidden_ratio": .int(4),
            "use_short_conv": .bool(false),
            "tie_word_embeddings": .bool(false),
            "hidden_act": .string("swish"),
        ]
        if let n = maxPositions { fields["max_position_embeddings"] = .int(n) }
        return .object(fields.sortedByKey)
    }
}
