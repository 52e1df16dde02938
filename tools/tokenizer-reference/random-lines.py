#!/usr/bin/env python3
"""Seeded random lines of hard characters for a differential check (wikitext-ids.mjs + WikitextCheck.java).

  python3 random-lines.py N SEED > lines.txt
"""
import random, sys

PARTS = ["a", "Z", "the", " ", "  ", "\t", "\r", "\u00a0", "\u3000", "\u2009", "'s", "'S", "'ll", "'", "0", "12", "12345",
         "٣", "é", "e\u0301", "ñ", "ß", "İ", "日本", "語", "한", "👋", "👨\u200d👩\u200d👧", "🏽", "\u200d", "\u200b", "مرحبا",
         "Ё", "ǅ", "ℌ", "𝔢", "①", "Ⅻ", ".", ",", "!?", "...", "-", "@-@", "$", "\\", "\"", "{", "}", "<", ">", "|",
         "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|begin_of_text|>", "<s>", "</s>", "<unk>", "<think>", "▁", "\u0000", "\u007f", "\ud7ff"]

n, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
for _ in range(n):
    line = "".join(rng.choice(PARTS) for _ in range(rng.randint(0, 40)))
    sys.stdout.write(line + "\n")
