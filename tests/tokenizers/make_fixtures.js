// Builds the tokenizer.json parity fixtures with Hugging Face tokenizers (Rust, via npm; a comparison tool only):
// base models trained on the shared data (../shared/data: Multi30k en/de/fr and Tiny Shakespeare), pruned so the
// files stay small, then combined with every normalizer, pre-tokenizer, model option, post-processor and decoder into
// one folder per case under tests/Attend.Tests/Fixtures/tokenizers/. Each folder gets HF's own serialization of the
// file (tokenizer.json) and HF's answers for every line of text.txt (expected.json: ids, tokens, type ids with and
// without special tokens, a pair encoding, and decoded text with and without skipping special tokens).
//   (cd tests/tokenizers && npm install) && node tests/tokenizers/make_fixtures.js [DATA]
// The round trip (files Attend writes, read by HF): node tests/tokenizers/check_roundtrip.js FOLDER
const fs = require('fs');
const os = require('os');
const path = require('path');
const hf = require('./node_modules/tokenizers');
const cases = require('./cases');

const root = path.join(__dirname, '..', '..');
const data = process.argv[2] || path.join(root, '..', 'shared', 'data');
const out = path.join(root, 'tests', 'Attend.Tests', 'Fixtures', 'tokenizers');
const lines = fs.readFileSync(path.join(out, 'text.txt'), 'utf8').split('\n');
if (lines[lines.length - 1] === '') lines.pop();

// A small training corpus: the first lines of each shared text (Attend's tests need none of it at run time).
function corpus() {
  const file = path.join(os.tmpdir(), 'attend-tokenizer-fixtures.txt');
  const take = (name, n) => fs.readFileSync(path.join(data, name), 'utf8').split('\n').slice(0, n);
  const text = [...take('multi30k/train.en', 3000), ...take('multi30k/train.de', 3000), ...take('multi30k/train.fr', 1500),
    ...take('tinyshakespeare/input.txt', 3000)].join('\n');
  fs.writeFileSync(file, text);
  return file;
}

async function expectations(tok) {
  const result = [];
  for (const line of lines) {
    const withSpecial = await tok.encode(line);
    const plain = await tok.encode(line, null, { addSpecialTokens: false });
    const pair = await tok.encode(line, 'A second sequence, 2nd.');
    const ids = Array.from(withSpecial.getIds());
    result.push({
      text: line,
      ids, tokens: withSpecial.getTokens(), type_ids: Array.from(withSpecial.getTypeIds()),
      attention_mask: Array.from(withSpecial.getAttentionMask()),
      ids_plain: Array.from(plain.getIds()), tokens_plain: plain.getTokens(),
      pair_ids: Array.from(pair.getIds()), pair_type_ids: Array.from(pair.getTypeIds()),
      decoded: await tok.decode(ids, false), decoded_skip: await tok.decode(ids, true),
    });
  }
  return result;
}

async function main() {
  const file = corpus();
  const built = cases.build(hf, file);
  fs.mkdirSync(out, { recursive: true });
  for (const [name, json] of Object.entries(built)) {
    const tok = hf.Tokenizer.fromString(JSON.stringify(json));
    const dir = path.join(out, name);
    fs.mkdirSync(dir, { recursive: true });
    tok.save(path.join(dir, 'tokenizer.json'), true);
    const exp = await expectations(hf.Tokenizer.fromFile(path.join(dir, 'tokenizer.json')));
    fs.writeFileSync(path.join(dir, 'expected.json'), JSON.stringify(exp) + '\n');
    console.log(`${name}: ${fs.statSync(path.join(dir, 'tokenizer.json')).size} bytes`);
  }
}

main().catch(e => { console.error(e); process.exit(1); });
