import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { SubwordTokenizer } from "../worker/engine/subword-tokenizer";
const read = (f: string) => gunzipSync(readFileSync("/work/shared/data/multi30k/" + f)).toString("utf8").split("\n");
const de = read("task1.train.de.gz").slice(0, 3000), en = read("task1.train.en.gz").slice(0, 3000);
for (const v of [1000, 8000]) {
  const t0 = performance.now();
  const tok = SubwordTokenizer.train({ texts: [...de, ...en], vocabSize: v });
  const t1 = performance.now();
  let bad = 0, n = 0;
  for (const s of [...de, ...en]) { const ids = tok.encode(s); n += ids.length; if (tok.decode(ids) !== s.trim().replace(/\s+/g, " ")) { if (bad++ < 3) console.log(JSON.stringify(s), JSON.stringify(tok.decode(ids))); } }
  console.log(v, tok.vocabSize, (t1 - t0).toFixed(0), "ms train", (performance.now() - t1).toFixed(0), "ms encode", bad, "bad", (n / 6000).toFixed(1), "tok/sent");
  console.log(tok.encode(en[5]).map((i) => tok.pieces[i]).join(" "));
}
const big = read("task1.train.en.gz").concat(read("task1.train.de.gz"));
const t0 = performance.now(); const tok = SubwordTokenizer.train({ texts: big, vocabSize: 10000 }); console.log("58k sents v10000", tok.vocabSize, (performance.now() - t0).toFixed(0), "ms");
