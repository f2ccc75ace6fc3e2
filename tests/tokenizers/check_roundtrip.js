// The round trip: every fixture's tokenizer.json is read and written again by Attend (`attend tokenizer convert`),
// then Hugging Face tokenizers loads Attend's file and must give the ids, type ids and decoded text it gave for the
// original (expected.json), with and without special tokens and for the pair.
//   dotnet build src/Attend.Cli -c Release && node tests/tokenizers/check_roundtrip.js
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const hf = require('./node_modules/tokenizers');

const root = path.join(__dirname, '..', '..');
const fixtures = path.join(root, 'tests', 'Attend.Tests', 'Fixtures', 'tokenizers');
const cli = path.join(root, 'src', 'Attend.Cli', 'bin', 'Release', 'net10.0', 'Attend.Cli.dll');
const same = (a, b) => JSON.stringify(Array.from(a)) === JSON.stringify(Array.from(b));

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'attend-roundtrip-'));
  let failures = 0, checked = 0;
  for (const name of fs.readdirSync(fixtures).filter(n => fs.existsSync(path.join(fixtures, n, 'expected.json'))).sort()) {
    const written = path.join(work, `${name}.json`);
    execFileSync('dotnet', [cli, 'tokenizer', 'convert', '--tokenizer', path.join(fixtures, name, 'tokenizer.json'), '--out', written]);
    const tok = hf.Tokenizer.fromFile(written);
    const problems = [];
    for (const line of JSON.parse(fs.readFileSync(path.join(fixtures, name, 'expected.json'), 'utf8'))) {
      const e = await tok.encode(line.text);
      const plain = await tok.encode(line.text, null, { addSpecialTokens: false });
      const pair = await tok.encode(line.text, 'A second sequence, 2nd.');
      if (!same(e.getIds(), line.ids) || !same(e.getTypeIds(), line.type_ids)) problems.push(`ids of "${line.text}"`);
      if (!same(plain.getIds(), line.ids_plain)) problems.push(`ids without special tokens of "${line.text}"`);
      if (!same(pair.getIds(), line.pair_ids) || !same(pair.getTypeIds(), line.pair_type_ids)) problems.push(`pair of "${line.text}"`);
      if (await tok.decode(line.ids, false) !== line.decoded || await tok.decode(line.ids, true) !== line.decoded_skip) problems.push(`decoding of "${line.text}"`);
      checked++;
    }
    if (problems.length > 0) failures++;
    console.log(`${problems.length === 0 ? 'same' : 'DIFFERENT'}  ${name}${problems.length ? ': ' + problems.slice(0, 3).join('; ') : ''}`);
  }
  fs.rmSync(work, { recursive: true });
  console.log(`${checked} lines checked; ${failures === 0 ? 'every file Attend wrote gives HF the same results' : failures + ' files differ'}`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch(e => { console.error(e); process.exit(1); });
