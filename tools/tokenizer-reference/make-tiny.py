#!/usr/bin/env python3
"""Writes the small synthetic tokenizer.json folders the HfTokenizer tests use without ../shared.

  python3 make-tiny.py OUT_DIR

tiny-bytelevel:      byte-level BPE, Llama 3's Split regex + ByteLevel, NFC, ignore_merges, added
                     tokens (one with lstrip/rstrip), merges out of creation order.
tiny-sentencepiece:  SentencePiece-style BPE, Prepend/Replace normalizers, <0xNN> byte fallback,
                     TemplateProcessing <s>, Replace/ByteFallback/Fuse/Strip decoders.
tiny-unk:            the same with bytes only for ASCII, so other characters become <unk>
                     (fused when in a row).
"""
import json, os, sys

LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def added(id, content, special=True, lstrip=False, rstrip=False):
    return {"id": id, "content": content, "single_word": False, "lstrip": lstrip, "rstrip": rstrip,
            "normalized": False, "special": special}


def write(out, name, tokenizer, config):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(d, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, ensure_ascii=False, indent=1)
        f.write("\n")


def vocab_with_merges(vocab, merge_pairs):
    for a, b in merge_pairs:
        for t in (a, b, a + b):
            if t not in vocab:
                vocab[t] = len(vocab)
    return vocab


def byte_level(out):
    b2u = bytes_to_unicode()
    vocab = {}
    for b in sorted(b2u, key=lambda b: (b2u[b] != chr(b), b2u[b])):
        vocab[b2u[b]] = len(vocab)
    merges = [("t", "h"), ("th", "e"), ("Ġ", "t"), ("Ġt", "he"), ("i", "n"), ("Ġ", "a"), ("e", "r"), ("o", "n"),
              ("ab", "c"), ("a", "b"), ("c", "d"), ("Ġ", "Ġ"), ("ĠĠ", "ĠĠ"), ("Ċ", "Ċ"), ("1", "2"), ("12", "3"),
              ("Ã", "©"), ("c", "af"), ("a", "f"), ("caf", "Ã©"), ("'", "s"), ("'", "S"), ("D", "O"), ("DO", "N"),
              ("ä", "º"), ("äº", "º"), ("ð", "Ł"), ("Ġ", "w"), ("o", "r"), ("Ġw", "or"), ("l", "d"), ("Ġwor", "ld")]
    vocab = vocab_with_merges(vocab, merges)
    vocab["Ġhello"] = len(vocab)  # reachable only through ignore_merges: no merge builds it
    n = len(vocab)
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [added(n, "<|begin_of_text|>"), added(n + 1, "<|end_of_text|>"), added(n + 2, "<|im_start|>"),
                         added(n + 3, "<|im_end|>"), added(n + 4, "<think>", special=False),
                         added(n + 5, "<mask>", lstrip=True, rstrip=True)],
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": LLAMA3}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [], "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [n], "tokens": ["<|begin_of_text|>"]}}},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": True, "vocab": vocab,
                  "merges": [a + " " + b for a, b in merges]},
    }
    config = {"bos_token": "<|begin_of_text|>", "eos_token": {"__type": "AddedToken", "content": "<|im_end|>"},
              "chat_template": "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}",
              "tokenizer_class": "PreTrainedTokenizerFast"}
    write(out, "tiny-bytelevel", tokenizer, config)


def sentencepiece(out, name, byte_range):
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in byte_range:
        vocab["<0x%02X>" % b] = len(vocab)
    for c in "▁abcdefghijklmnopqrstuvwxyzTHWé.,'":
        vocab.setdefault(c, len(vocab))
    merges = [("▁", "t"), ("h", "e"), ("▁t", "he"), ("i", "n"), ("▁", "a"), ("e", "r"), ("o", "n"), ("▁", "▁"),
              ("▁▁", "▁▁"), ("ab", "c"), ("a", "b"), ("c", "d"), ("▁", "w"), ("o", "r"), ("▁w", "or"), ("l", "d"),
              ("▁wor", "ld"), ("c", "a"), ("ca", "f"), ("caf", "é"), ("▁", "T"), ("▁T", "he")]
    vocab = vocab_with_merges(vocab, merges)
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [added(0, "<unk>"), added(1, "<s>"), added(2, "</s>")],
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"},
                                                           {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        "pre_tokenizer": None,
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
                                                     {"type": "ByteFallback"}, {"type": "Fuse"},
                                                     {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": True, "byte_fallback": True, "vocab": vocab, "merges": [[a, b] for a, b in merges]},
    }
    config = {"add_bos_token": True, "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
              "legacy": True, "tokenizer_class": "LlamaTokenizer"}
    write(out, name, tokenizer, config)


if __name__ == "__main__":
    out = sys.argv[1]
    byte_level(out)
    sentencepiece(out, "tiny-sentencepiece", range(256))
    sentencepiece(out, "tiny-unk", range(128))
