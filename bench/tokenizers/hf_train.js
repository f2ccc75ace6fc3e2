// Trains Hugging Face tokenizers' BPE (Rust, via npm) with a byte-level pre-tokenizer and prints one JSON line.
// The npm binding exposes no trainer options: Tokenizer.train uses BpeTrainer's defaults (vocabulary 30,000,
// min_frequency 0). Usage: node hf_train.js OUT.json FILE...
const { Tokenizer, BPE, byteLevelPreTokenizer } = require('./node_modules/tokenizers');

const [out, ...files] = process.argv.slice(2);
const tokenizer = new Tokenizer(BPE.empty());
tokenizer.setPreTokenizer(byteLevelPreTokenizer(false, true));
const start = process.hrtime.bigint();
tokenizer.train(files);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
tokenizer.save(out);
console.log(JSON.stringify({ trainer: 'hf-tokenizers', seconds, vocab: tokenizer.getVocabSize(true) }));
