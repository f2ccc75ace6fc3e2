// Encodes each line of a text file with a tokenizer.json through Hugging Face tokenizers and prints one line of
// space-separated ids per input line (the output format of `attend tokenizer encode`), for the interop check.
// Usage: node hf_encode.js tokenizer.json FILE
const fs = require('fs');
const { Tokenizer } = require('./node_modules/tokenizers');

async function main() {
  const [tokenizerPath, input] = process.argv.slice(2);
  const tokenizer = Tokenizer.fromFile(tokenizerPath);
  const lines = fs.readFileSync(input, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out = [];
  for (const line of lines) {
    const encoding = await tokenizer.encode(line, null, { addSpecialTokens: false });
    out.push(encoding.getIds().join(' '));
  }
  process.stdout.write(out.join('\n') + '\n');
}
main();
