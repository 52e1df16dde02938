// Expected ids of every line of a text file (default: the first 200 KB of wikitext-2 valid), one
// JSON array per line, for WikitextCheck.java to compare with cpo4j's HfTokenizer.
//
//   node wikitext-ids.mjs TOKENIZER_DIR TEXT_FILE MAX_BYTES OUT.jsonl
import { readFileSync, writeFileSync } from "node:fs";
import { load } from "./reference.mjs";

const [dir, file, maxBytes, outFile] = process.argv.slice(2);
if (!outFile) {
  console.error("usage: node wikitext-ids.mjs TOKENIZER_DIR TEXT_FILE MAX_BYTES OUT.jsonl");
  process.exit(2);
}
const tokenizer = load(dir);
const text = readFileSync(file).subarray(0, Number(maxBytes)).toString("utf8");
const lines = text.split("\n");
lines.pop(); // the last line may be cut in the middle
const out = lines.map((line) => JSON.stringify(tokenizer.encode(line, { add_special_tokens: false })));
writeFileSync(outFile, out.join("\n") + "\n");
console.log(`${outFile}: ${lines.length} lines`);
