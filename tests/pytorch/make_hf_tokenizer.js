// Makes the tokenizer.json of the PyTorch-written checkpoint fixture with Hugging Face tokenizers (Rust, via npm):
// byte-level BPE trained on a few sentences, with <pad> <bos> <eos> <unk> added as special tokens, and the ids HF
// gives a test sentence. Run from the repository root after `(cd bench/tokenizers && npm install)`:
//   node tests/pytorch/make_hf_tokenizer.js
// then /usr/bin/python3 tests/pytorch/make_tutorial_folder.py
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Tokenizer, BPE, byteLevelPreTokenizer } = require('../../bench/tokenizers/node_modules/tokenizers');

const out = path.join(__dirname, '..', 'Attend.Tests', 'Fixtures', 'pytorch_folder');
const corpus = path.join(os.tmpdir(), 'attend-hf-corpus.txt');
fs.writeFileSync(corpus, [
  'a dog runs in the snow.', 'two dogs play in the park.', 'a man rides a bike.', 'the woman reads a book.',
  'children play on the beach.', 'a cat sleeps on the sofa.', 'ein hund läuft im schnee.', 'zwei hunde spielen im park.',
].join('\n'));

const tokenizer = new Tokenizer(BPE.empty());
tokenizer.setPreTokenizer(byteLevelPreTokenizer(false, true));
tokenizer.train([corpus]);
tokenizer.addSpecialTokens(['<pad>', '<bos>', '<eos>', '<unk>']);
tokenizer.save(path.join(out, 'tokenizer.json'));
const sentence = 'ein hund spielt im park.';
tokenizer.encode(sentence, null, { addSpecialTokens: false }).then(e => write(e.getIds()));

function write(ids) {
  fs.writeFileSync(path.join(out, 'hf_ids.json'), JSON.stringify({ sentence, ids: Array.from(ids), vocab: tokenizer.getVocabSize(true) }) + '\n');
  console.log(JSON.stringify({ sentence, ids: Array.from(ids), vocab: tokenizer.getVocabSize(true) }));
}
