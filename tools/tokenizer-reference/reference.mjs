// Writes the token ids transformers.js (@lenml/tokenizers) gives for every text of a case list,
// so that cpo4j's HfTokenizer tests can compare against them without Node.
//
//   npm ci
//   node reference.mjs TOKENIZER_DIR CASES.json OUT.json
//
// TOKENIZER_DIR holds tokenizer.json (+ tokenizer_config.json). OUT.json gets
// {"tokenizer": ..., "reference": "@lenml/tokenizers VERSION", "cases": [{"text", "ids", "ids_with_special", "decoded"}]}.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, basename } from "node:path";
import { TokenizerLoader } from "@lenml/tokenizers";

export function load(dir) {
  const tokenizerJSON = JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8"));
  const configPath = join(dir, "tokenizer_config.json");
  const tokenizerConfig = existsSync(configPath) ? JSON.parse(readFileSync(configPath, "utf8")) : {};
  return TokenizerLoader.fromPreTrained({ tokenizerJSON, tokenizerConfig });
}

export function version() {
  const pkg = JSON.parse(readFileSync(new URL("./node_modules/@lenml/tokenizers/package.json", import.meta.url), "utf8"));
  return `@lenml/tokenizers ${pkg.version}`;
}

if (process.argv[1] && basename(process.argv[1]) === "reference.mjs") {
  const [dir, casesFile, outFile] = process.argv.slice(2);
  if (!outFile) {
    console.error("usage: node reference.mjs TOKENIZER_DIR CASES.json OUT.json");
    process.exit(2);
  }
  const tokenizer = load(dir);
  const texts = JSON.parse(readFileSync(casesFile, "utf8")).texts;
  const cases = texts.map((text) => {
    const ids = tokenizer.encode(text, { add_special_tokens: false });
    return {
      text,
      ids,
      ids_with_special: tokenizer.encode(text, { add_special_tokens: true }),
      // transformers.js refuses to decode an empty list; its text is "".
      decoded: ids.length === 0 ? "" : tokenizer.decode(ids, { clean_up_tokenization_spaces: false }),
    };
  });
  // One case a line, so that a diff shows which text changed.
  const head = `{"tokenizer": ${JSON.stringify(basename(dir))}, "reference": ${JSON.stringify(version())}, "cases": [\n`;
  writeFileSync(outFile, head + cases.map((c) => JSON.stringify(c)).join(",\n") + "\n]}\n");
  console.log(`${outFile}: ${cases.length} cases`);
}
