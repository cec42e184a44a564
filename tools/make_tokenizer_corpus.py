#!/usr/bin/env python3
"""Reference data for Trit's Swift tokenizer (Tests/TokenizerTests/Data).

Every expected value here is computed by the Hugging Face `tokenizers`
library (PyPI `tokenizers`, 0.23.x); the Swift tests must reproduce them
exactly. Deterministic: run it again and the outputs are byte-identical.

Writes, under Tests/TokenizerTests/Data:
  llama_corpus.jsonl        the shipped model's tokenizer (models/shakespeare) on
                            this script's strings and Shakespeare
  <variant>/tokenizer.json  small tokenizers that exercise the other options
  <variant>_corpus.jsonl    and their reference encodings:
    llama_small             S cut to 300 merges, legacy "a b" merges, added tokens
                            with lstrip / rstrip / single_word / normalized
    metaspace_first         Metaspace pre-tokenizer (prepend_scheme first, no split),
                            the newer Llama / Mistral layout
    metaspace_split         Metaspace (always, split), Metaspace decoder, no byte
                            fallback (unk, not fused), ignore_merges
    bytelevel               GPT-2 style byte-level BPE trained here (vocab 1000)
    bytelevel_nfkc          the same with add_prefix_space, Strip + NFKC + Lowercase
    bytelevel_affixes       byte-level BPE with "##" / "</w>" affixes (trained here),
                            NFD + StripAccents + NFC, BPEDecoder
  decoders_corpus.jsonl     decoder chains alone on random token lists (a line per
                            chain: its JSON, tokens and texts), for chains no tokenizer
                            above has

Usage: python3 tools/make_tokenizer_corpus.py   (needs `pip install tokenizers numpy`)
"""
import copy
import json
import os
import random
import sys

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

import numpy as np  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
S_DIR = os.path.join(ROOT, "fixtures", "trained", "S")
OUT = os.path.join(ROOT, "Tests", "TokenizerTests", "Data")

EDGE = [
    "", " ", "  ", "   ", "\t", "\t\t x", "\n", "\n\n", "\r\n", "a\r\nb", " \n ", "x  ", "  x", "a  b   c    d",
    "Hello, world!", "hello world", "HELLO WORLD", "Hello.World", "don't", "I'll we've they're she'd he's it'm",
    "'s 't 're 've 'm 'll 'd", "''s", "rock'n'roll", "0", "42", "3.14159", "1,000,000", "2024-06-01", "x1y2z3",
    "१२३ ٣٤٥", "Ⅻ ½ ²", "!!!", "?!?", "...", "—–-", "(a) [b] {c} <d>", "a+b=c", "#$%^&*", "\\path\\to", "@user #tag",
    "café", "cafe\u0301", "naïve façade", "Ångström", "ﬁ ligature", "Ｆｕｌｌ　ｗｉｄｔｈ", "İstanbul ΣΊΣΥΦΟΣ", "Straße",
    "e\u0301\u0301\u0301", "\u0301start", "中文字符", "日本語のテキスト", "한국어 텍스트", "ภาษาไทย", "العربية", "עברית",
    "Привет мир", "Ελληνικά", "😀", "😀😃😄", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "a😀b", " 😀 ", "🇫🇷🇩🇪",
    "\u00a0", "a\u00a0b", "\u200b", "a\u200bb", "\u3000", "\u2028", "\u0085", "\ufeffBOM", "\x00", "\x01\x02\x1f",
    "\x7f", "\U0010ffff", "\ue000", "\U0001d400\U0001d401", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "<s>", "</s>", "<unk>", "<s>hello</s>", "a<s>b", " <s> ", "<s><s>", "<<s>>", "</s >", "< s>", "<0x41>",
    "<0x0A>", "<0xZZ>", "▁", "▁▁", "a▁b", " ▁ ", "<|endoftext|>", "a<|endoftext|>b", "<|endoftext|><|endoftext|>",
    "hello there", "say hello there", "hello therefore", "cat", "a cat sat", "concatenate", "cat.", "[sep]x",
    "x[sep]  y", "<mask>", "a   <mask> b", "<|im_start|>user\nhi<|im_end|>", "MASK mask", "Hello There",
    "First Citizen:\nBefore we proceed any further, hear me speak.",
    "ROMEO:\nBut, soft! what light through yonder window breaks?",
    "To be, or not to be, that is the question:",
    "  Thou  art   more lovely\tand more temperate:  ",
]

# Very long words (no pre-tokenizer: the whole text is one word), for the shipped tokenizer only.
LONG = ["a" * 300, "ab" * 100, "supercalifragilisticexpialidocious" * 6, "x" * 300 + " y", " " * 100, "\n" * 20,
        "ZzZzZz" * 20, "é" * 30, "😀" * 8]

POOL = (list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        + list(" " * 12) + ["\t", "\n", "\r\n", "  ", "'", "'s", ",", ".", "!", "?", ";", ":", "-", "\"", "(", ")"]
        + ["é", "ü", "ñ", "ß", "ø", "e\u0301", "\u0308", "中", "文", "字", "한", "ア", "й", "λ", "ع", "™", "€", "½"]
        + ["😀", "👍🏽", "👨‍👩‍👧", "\u200d", "\u00a0", "\u3000", "\u200b", "\x07", "\U0001f9ea", "𝔘"]
        + ["<s>", "</s>", "<unk>", "<0x41>", "▁", "<|endoftext|>", "the", " the", "and", " of"])


def random_strings(rng, count, max_len):
    return ["".join(rng.choice(POOL) for _ in range(rng.randint(1, max_len))) for _ in range(count)]


def shakespeare(s_tok):
    """The validation text of fixtures/trained/S, decoded with its tokenizer."""
    ids = np.load(os.path.join(S_DIR, "val_ids.npy")).tolist()
    return s_tok.decode(ids)


def chunks(text, rng, count, size):
    out = []
    for _ in range(count):
        start = rng.randrange(0, len(text) - size)
        out.append(text[start:start + rng.randint(size // 2, size)])
    return out


def record(tok, s):
    e = tok.encode(s)
    p = tok.encode(s, add_special_tokens=False)
    return {
        "kind": "text", "s": s, "ids": e.ids, "tokens": e.tokens,
        "ids_no_special": p.ids, "tokens_no_special": p.tokens,
        "decode": tok.decode(e.ids), "decode_no_special": tok.decode(p.ids),
        "decode_keep_special": tok.decode(e.ids, skip_special_tokens=False),
    }


def decode_record(tok, ids):
    return {"kind": "decode_only", "ids": ids, "decode": tok.decode(ids),
            "decode_keep_special": tok.decode(ids, skip_special_tokens=False)}


def random_id_lists(tok, rng, count):
    """Id sequences no encoder makes: lone and broken UTF-8 bytes, specials anywhere."""
    size = tok.get_vocab_size(with_added_tokens=True)
    vocab = tok.get_vocab(with_added_tokens=True)
    byte_ids = sorted(vocab[t] for t in vocab if len(t) == 6 and t.startswith("<0x") and t.endswith(">"))
    lists = []
    for _ in range(count):
        ids = []
        for _ in range(rng.randint(1, 12)):
            r = rng.random()
            ids.append(rng.choice(byte_ids) if byte_ids and r < 0.5 else rng.randrange(size))
        lists.append(ids)
    return lists


def write_corpus(name, tok, strings, id_lists):
    path = os.path.join(OUT, name + "_corpus.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for s in strings:
            f.write(json.dumps(record(tok, s), ensure_ascii=False, separators=(",", ":")) + "\n")
        for ids in id_lists:
            f.write(json.dumps(decode_record(tok, ids), ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{path}: {len(strings)} strings, {len(id_lists)} id lists, {os.path.getsize(path)} bytes")


def save_tokenizer(name, data):
    """Writes a tokenizer.json given as a dict, checked by loading it back."""
    os.makedirs(os.path.join(OUT, name), exist_ok=True)
    path = os.path.join(OUT, name, "tokenizer.json")
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    Tokenizer.from_str(text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    return Tokenizer.from_file(path)


def small_llama(s_json, merges_kept):
    """S's tokenizer with only its first merges: every token a kept merge or a
    single character needs, renumbered densely in S's order."""
    model = s_json["model"]
    merges = model["merges"][:merges_kept]
    needed = {t for t, i in model["vocab"].items() if i < 259 or len(t) == 1}
    for a, b in merges:
        needed |= {a, b, a + b}
    kept = sorted(needed, key=lambda t: model["vocab"][t])
    data = copy.deepcopy(s_json)
    data["model"]["vocab"] = {t: i for i, t in enumerate(kept)}
    data["model"]["merges"] = merges
    return data


def added(content, id_, special=False, normalized=None, lstrip=False, rstrip=False, single_word=False):
    return {"id": id_, "content": content, "single_word": single_word, "lstrip": lstrip, "rstrip": rstrip,
            "normalized": (not special) if normalized is None else normalized, "special": special}


def llama_variants(s_json, strings, rng):
    base = small_llama(s_json, 300)
    n = len(base["model"]["vocab"])
    extra = [added("<|im_start|>", n, special=True), added("<|im_end|>", n + 1, special=True),
             added("<mask>", n + 2, special=True, lstrip=True), added("[sep]", n + 3, rstrip=True, normalized=False),
             added("cat", n + 4, single_word=True), added("hello there", n + 5)]

    v = copy.deepcopy(base)
    v["model"]["merges"] = [a + " " + b for a, b in v["model"]["merges"]]   # the legacy string form
    v["added_tokens"] += extra
    yield "llama_small", v

    v = copy.deepcopy(base)
    v["normalizer"] = None
    v["pre_tokenizer"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False}
    v["added_tokens"] += extra
    yield "metaspace_first", v

    v = copy.deepcopy(base)
    v["normalizer"] = None
    v["pre_tokenizer"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}
    v["decoder"] = {"type": "Sequence", "decoders": [{"type": "ByteFallback"},
                                                     {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}]}
    v["model"].update(byte_fallback=False, fuse_unk=False, ignore_merges=True)
    v["added_tokens"] += extra[:4]
    yield "metaspace_split", v


def train_bytelevel(text, vocab_size):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<|endoftext|>"], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(text.split("\n"), trainer)
    return json.loads(tok.to_str())


def affix_bpe(text, base, merges_wanted, prefix="##", suffix="</w>"):
    """A byte-level BPE with a continuing-subword prefix and an end-of-word
    suffix, trained by this small loop (the library's trainer numbers the
    prefixed alphabet in hash order, so its output changes from run to run).
    No unk token: characters the vocabulary lacks are dropped."""
    pre = pre_tokenizers.ByteLevel(add_prefix_space=False)
    counts = {}
    for line in text.split("\n"):
        for word, _ in pre.pre_tokenize_str(line):
            counts[word] = counts.get(word, 0) + 1
    words = []
    for word, n in sorted(counts.items()):
        symbols = [word[0]] + [prefix + c for c in word[1:]]
        symbols[-1] += suffix
        words.append((symbols, n))
    vocab = ["<|endoftext|>"] + sorted({s for symbols, _ in words for s in symbols})
    merges = []
    for _ in range(merges_wanted):
        pairs = {}
        for symbols, n in words:
            for pair in zip(symbols, symbols[1:]):
                pairs[pair] = pairs.get(pair, 0) + n
        if not pairs:
            break
        a, b = min(pairs, key=lambda p: (-pairs[p], p))
        joined = a + b[len(prefix):]
        merges.append([a, b])
        if joined not in vocab:
            vocab.append(joined)
        for k, (symbols, n) in enumerate(words):
            out, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == a and symbols[i + 1] == b:
                    out.append(joined)
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            words[k] = (out, n)
    data = copy.deepcopy(base)
    data["added_tokens"] = [added("<|endoftext|>", 0, special=True)]
    data["model"].update(continuing_subword_prefix=prefix, end_of_word_suffix=suffix,
                         vocab={t: i for i, t in enumerate(vocab)}, merges=merges)
    return data


def bytelevel_variants(text):
    base = train_bytelevel(text, 1000)
    yield "bytelevel", base

    v = copy.deepcopy(base)
    v["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "Strip", "strip_left": True, "strip_right": True},
                                                            {"type": "NFKC"}, {"type": "Lowercase"}]}
    v["pre_tokenizer"]["add_prefix_space"] = True
    n = len(v["model"]["vocab"])
    v["added_tokens"] += [added("Hello There", n), added("[sep]", n + 1, rstrip=True, normalized=False),
                          added("cat", n + 2, single_word=True)]
    yield "bytelevel_nfkc", v

    v = affix_bpe(text, base, 200)
    v["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "StripAccents"}, {"type": "NFC"}]}
    v["decoder"] = {"type": "Sequence", "decoders": [{"type": "BPEDecoder", "suffix": "</w>"},
                                                     {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True}]}
    yield "bytelevel_affixes", v


DECODER_CHAINS = [
    [decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)],
    [decoders.Fuse(), decoders.Replace("▁", " "), decoders.Strip(" ", 1, 1)],
    [decoders.ByteFallback()],
    [decoders.Fuse(), decoders.ByteFallback()],
    [decoders.Metaspace("▁", prepend_scheme="always")],
    [decoders.Metaspace("▁", prepend_scheme="never")],
    [decoders.Fuse(), decoders.Metaspace("▁", prepend_scheme="first")],
    [decoders.ByteLevel()],
    [decoders.ByteLevel(), decoders.Strip(" ", 0, 2)],
    [decoders.Fuse(), decoders.ByteLevel()],
    [decoders.BPEDecoder("</w>")],
    [decoders.Fuse(), decoders.BPEDecoder("</w>")],
    [decoders.Replace("ab", "X")],
    [decoders.Fuse(), decoders.Replace("ab", "X"), decoders.Replace("▁▁", "_")],
    [decoders.Strip("▁", 2, 2)],
    [decoders.Replace("▁", " "), decoders.Fuse(), decoders.Strip(" ", 2, 0)],
]

TOKEN_POOL = ["▁", "▁a", "a", "b", "ab", "ba", "▁▁", " ", "  ", "x ", " y", "<0xC3>", "<0xA9>", "<0x41>", "<0xE2>",
              "<0x82>", "<0xAC>", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "<0xc3>", "<0x+5>", "<0xZZ>", "<0x20>", "Ġ",
              "ĠHello", "Ċ", "Ã©", "a</w>", "</w>", "b</w>c", "é", "中", "😀", "hello", "▁hello▁world", "<s>", ""]


def quiet(f):
    """Calls f with the process's stderr silenced (the library prints its panics there)."""
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
        try:
            return f()
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def write_decoder_corpus(rng):
    """One line per chain: its JSON and the token lists with their texts."""
    path = os.path.join(OUT, "decoders_corpus.jsonl")
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        for chain in DECODER_CHAINS:
            decoder = decoders.Sequence(chain)
            cases = []
            for _ in range(30):
                tokens = [rng.choice(TOKEN_POOL) for _ in range(rng.randint(0, 8))]
                try:
                    cases.append({"tokens": tokens, "decode": quiet(lambda: decoder.decode(tokens))})
                except BaseException:  # a panic of the library (Strip past a short token): no reference
                    continue
            count += len(cases)
            line = {"decoder": json.loads(decoder.__getstate__()), "cases": cases}
            f.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{path}: {len(DECODER_CHAINS)} chains, {count} token lists, {os.path.getsize(path)} bytes")


def main():
    rng = random.Random(20240601)
    s_path = os.path.join(ROOT, "models", "shakespeare", "tokenizer.json")
    s_tok = Tokenizer.from_file(s_path)
    with open(s_path, encoding="utf-8") as f:
        s_json = json.load(f)
    text = shakespeare(s_tok)
    os.makedirs(OUT, exist_ok=True)

    strings = EDGE + LONG + random_strings(rng, 40, 40) + chunks(text, rng, 3, 600)
    write_corpus("llama", s_tok, strings, random_id_lists(s_tok, rng, 80))

    small = EDGE + random_strings(rng, 20, 20) + chunks(text, rng, 1, 300)
    for name, data in list(llama_variants(s_json, small, rng)) + list(bytelevel_variants(text)):
        tok = save_tokenizer(name, data)
        write_corpus(name, tok, small, random_id_lists(tok, rng, 20))
    write_decoder_corpus(rng)


if __name__ == "__main__":
    sys.exit(main())
